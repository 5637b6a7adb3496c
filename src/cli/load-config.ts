import { loadConfig, type Config } from '../config.js';
import { isAppError } from '../errors.js';
import { EXIT, type CliContext } from './context.js';

/**
 * Loads the configuration for a command, with its flags (keyed by config path) winning over the
 * environment. On bad configuration it prints every bad key and sets exit code 2.
 */
export function loadCommandConfig(
  context: CliContext,
  flags: Record<string, string | undefined>,
): Readonly<Config> | undefined {
  try {
    return loadConfig({ env: context.env, flags });
  } catch (error) {
    if (isAppError(error) && error.code === 'CONFIG_INVALID') {
      context.stderr('custodia: invalid configuration:\n');
      for (const issue of error.details?.issues ?? []) {
        context.stderr(`  ${issue.path}: ${issue.message}\n`);
      }
      context.setExitCode(EXIT.usage);
      return undefined;
    }
    throw error;
  }
}

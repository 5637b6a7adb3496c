import { loadConfig, type Config } from '../config.js';
import { isAppError } from '../errors.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { EXIT, type CliContext } from './context.js';

function reportConfigError(context: CliContext, error: unknown): void {
  if (isAppError(error) && error.code === 'CONFIG_INVALID') {
    context.stderr('custodia: invalid configuration:\n');
    for (const issue of error.details?.issues ?? []) {
      context.stderr(`  ${issue.path}: ${issue.message}\n`);
    }
    context.setExitCode(EXIT.usage);
    return;
  }
  throw error;
}

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
    reportConfigError(context, error);
    return undefined;
  }
}

/** Builds the runtime for a command; a missing or bad master key is reported like bad config. */
export async function createCommandRuntime(
  context: CliContext,
  config: Readonly<Config>,
): Promise<Runtime | undefined> {
  try {
    return await createRuntime(config);
  } catch (error) {
    reportConfigError(context, error);
    return undefined;
  }
}

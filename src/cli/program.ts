import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './commands/audit.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerImportCommands } from './commands/import.js';
import { registerInitCommand } from './commands/init.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerPolicyVersionCommands } from './commands/policy-versions.js';
import { registerRetentionCommands } from './commands/retention.js';
import { registerServeCommand } from './commands/serve.js';
import { EXIT, type LongRunningContext } from './context.js';

export function createProgram(context: LongRunningContext): Command {
  const program = new Command()
    .name('custodia')
    .description('Participant records that keep the promises of a privacy policy automatically.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        context.stdout(text);
      },
      writeErr: (text) => {
        context.stderr(text);
      },
    });
  registerServeCommand(program, context);
  registerDemoCommand(program, context);
  registerMigrateCommand(program, context);
  registerInitCommand(program, context);
  registerPolicyVersionCommands(registerPolicyCommands(program, context), context);
  registerImportCommands(program, context);
  registerAuditCommands(program, context);
  registerKeyCommands(program, context);
  registerRetentionCommands(program, context);
  return program;
}

/** Runs one command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(
  argv: readonly string[],
  context: LongRunningContext,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = createProgram({
    ...context,
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; unknown flags and missing arguments with 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}

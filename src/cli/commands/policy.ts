/**
 * `custodia policy …`: check a policy file and print the schema. `render`, `ropa` and `diff`
 * join here as further subcommands of the same `policy` command.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkPolicyFile, type CheckPolicyFileDeps } from '../../app/policy/check-policy-file.js';
import { formatProblem } from '../../policy/problem.js';
import { policyJsonSchema } from '../../policy/schema.js';
import { EXIT, type CliContext } from '../context.js';

const fileSystem: CheckPolicyFileDeps = {
  readTextFile: (path) => readFile(path, 'utf8'),
};

/** Registers `policy` and its subcommands; returns the `policy` command for later additions. */
export function registerPolicyCommands(program: Command, context: CliContext): Command {
  const policy = program
    .command('policy')
    .description('Work with policy files: check them, print their JSON Schema.');

  policy
    .command('check')
    .description('Check policy files; print every problem as FILE:LINE:COL: message.')
    .argument('<files...>', 'policy files (YAML)')
    .action(async (files: string[]) => {
      // Exit 2 (cannot run) outranks 1 (problems found): a missing file must not look like a
      // policy that merely failed its check.
      let exitCode: number = EXIT.ok;
      for (const path of files) {
        const outcome = await checkPolicyFile(fileSystem, { path });
        if (outcome.kind === 'unreadable') {
          context.stderr(`${path}: cannot read the file (${outcome.reason})\n`);
          exitCode = EXIT.usage;
          continue;
        }
        if (outcome.result.ok) {
          context.stdout(`${path}: ok\n`);
          continue;
        }
        for (const problem of outcome.result.problems) {
          context.stdout(`${formatProblem(problem)}\n`);
        }
        if (exitCode === EXIT.ok) {
          exitCode = EXIT.problemsFound;
        }
      }
      context.setExitCode(exitCode);
    });

  policy
    .command('schema')
    .description('Print the JSON Schema of policy files, for editors.')
    .action(() => {
      context.stdout(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      context.setExitCode(EXIT.ok);
    });

  return policy;
}

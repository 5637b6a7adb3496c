/**
 * `custodia policy …`: check policy files, print the schema, render the privacy notice, export
 * the record of processing activities, and diff two versions.
 *
 * Exit codes: `check` exits 1 when a policy has problems. `diff` exits 0 when nothing
 * significant changed and 1 when something did, so CI can stop a release that must be announced
 * first. Every command exits 2 when it cannot run: an unreadable or invalid file, a bad flag.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { checkPolicyFile, type CheckPolicyFileDeps } from '../../app/policy/check-policy-file.js';
import { diffPolicyFiles } from '../../app/policy/diff-policy-files.js';
import { exportPolicyRopa } from '../../app/policy/export-policy-ropa.js';
import type { PolicyLoadFailure } from '../../app/policy/load-checked-policy.js';
import { renderPolicyNotice } from '../../app/policy/render-policy-notice.js';
import { formatPolicyDiff } from '../../policy/diff.js';
import { formatProblem } from '../../policy/problem.js';
import { NOTICE_FORMATS } from '../../policy/render/render-notice.js';
import { Language, policyJsonSchema } from '../../policy/schema.js';
import { EXIT, type CliContext } from '../context.js';
import { reportInvalidInput } from '../report-error.js';

const fileSystem: CheckPolicyFileDeps = {
  readTextFile: (path) => readFile(path, 'utf8'),
};

/** Flags of `policy render`, validated at the edge like every CLI input. */
export const RenderFlags = z.object({
  format: z.enum(NOTICE_FORMATS),
  lang: Language.optional(),
});

/** Flags of `policy ropa`. */
export const RopaFlags = z.object({
  format: z.enum(['json', 'csv']),
  lang: Language.optional(),
});

/** Flags of `policy diff`. */
export const DiffFlags = z.object({ format: z.enum(['text', 'json']) });

/** Prints why a policy file could not be used; the command then exits 2. */
function reportLoadFailure(context: CliContext, failure: PolicyLoadFailure): void {
  if (failure.kind === 'unreadable') {
    context.stderr(`${failure.path}: cannot read the file (${failure.reason})\n`);
    return;
  }
  context.stderr(`${failure.path}: the policy does not pass its check:\n`);
  for (const problem of failure.problems) {
    context.stderr(`${formatProblem(problem)}\n`);
  }
}

const flagName = (field: string): string => `--${field}`;

/** Registers `policy` and its subcommands; returns the `policy` command for later additions. */
export function registerPolicyCommands(program: Command, context: CliContext): Command {
  const policy = program
    .command('policy')
    .description(
      'Work with policy files: check them, print their JSON Schema, render the notice, export the record of processing, diff versions.',
    );

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

  policy
    .command('render')
    .description(
      'Print the privacy notice of a policy as Markdown or a standalone HTML page. Exit 2 when the file cannot be read or fails its check.',
    )
    .argument('<file>', 'policy file (YAML)')
    .option('--format <format>', 'md or html', 'md')
    .option('--lang <language>', "en, es or fr (default: the policy's default language)")
    .action(async (path: string, options: unknown) => {
      const flags = RenderFlags.safeParse(options);
      if (!flags.success) {
        reportInvalidInput(context, flags.error.issues, flagName);
        return;
      }
      const outcome = await renderPolicyNotice(fileSystem, {
        path,
        format: flags.data.format,
        language: flags.data.lang,
      });
      if (outcome.kind !== 'rendered') {
        reportLoadFailure(context, outcome);
        context.setExitCode(EXIT.usage);
        return;
      }
      context.stdout(outcome.text);
      context.setExitCode(EXIT.ok);
    });

  policy
    .command('ropa')
    .description(
      'Print the GDPR Art. 30 record of processing activities, one row per purpose, as JSON or CSV (RFC 4180). Exit 2 when the file cannot be read or fails its check.',
    )
    .argument('<file>', 'policy file (YAML)')
    .option('--format <format>', 'json or csv', 'json')
    .option('--lang <language>', "en, es or fr (default: the policy's default language)")
    .action(async (path: string, options: unknown) => {
      const flags = RopaFlags.safeParse(options);
      if (!flags.success) {
        reportInvalidInput(context, flags.error.issues, flagName);
        return;
      }
      const outcome = await exportPolicyRopa(fileSystem, {
        path,
        format: flags.data.format,
        language: flags.data.lang,
      });
      if (outcome.kind !== 'exported') {
        reportLoadFailure(context, outcome);
        context.setExitCode(EXIT.usage);
        return;
      }
      context.stdout(outcome.text);
      context.setExitCode(EXIT.ok);
    });

  policy
    .command('diff')
    .description(
      'List the material changes between two versions of a policy, each significant or minor. Exit 0 when nothing significant changed, 1 when something did (people must be told), 2 when a file cannot be read or fails its check.',
    )
    .argument('<old>', 'the previous policy file')
    .argument('<new>', 'the new policy file')
    .option('--format <format>', 'text or json', 'text')
    .action(async (oldPath: string, newPath: string, options: unknown) => {
      const flags = DiffFlags.safeParse(options);
      if (!flags.success) {
        reportInvalidInput(context, flags.error.issues, flagName);
        return;
      }
      const outcome = await diffPolicyFiles(fileSystem, { oldPath, newPath });
      if (outcome.kind === 'failed') {
        outcome.failures.forEach((failure) => {
          reportLoadFailure(context, failure);
        });
        context.setExitCode(EXIT.usage);
        return;
      }
      context.stdout(
        flags.data.format === 'json'
          ? `${JSON.stringify(outcome.diff, null, 2)}\n`
          : formatPolicyDiff(outcome.diff),
      );
      context.setExitCode(outcome.diff.has_significant ? EXIT.problemsFound : EXIT.ok);
    });

  return policy;
}

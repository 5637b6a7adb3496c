/**
 * `custodia import participants FILE.csv --org SLUG [--subject-kind KIND] [--dry-run]`: people and
 * their personal data from CSV, under the organisation's active policy, as the system actor.
 *
 * The header names the columns: `category.field` for each field the policy declares (e.g.
 * `contact-data.full_name`), plus optional `external_reference` and `subject_kind`. Every row is
 * checked before anything is written; bad rows are printed as `line 17: contact-data.email: must
 * be an e-mail address` and nothing is imported. See src/app/people/import-people.ts for the two
 * passes, the batches and what an interrupted import leaves.
 *
 * Exit codes: 0 imported (or, with --dry-run, every row passes); 1 rows with problems (nothing
 * imported) or an import interrupted part-way (the summary says which lines are in); 2 the command
 * could not run (unreadable file, bad flags, unknown organisation).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { systemActor } from '../../app/context.js';
import {
  importPeople,
  ImportPeopleRequest,
  type ImportPeopleResult,
  type ImportProgress,
} from '../../app/people/import-people.js';
import { isAppError } from '../../errors.js';
import { progressBarFor } from '../progress-bar.js';
import { EXIT, type CliContext } from '../context.js';
import { reportInvalidInput } from '../report-error.js';
import { withOrganization } from './policy-versions.js';

/** Flags of `import participants`, validated at the edge. */
export const ImportParticipantsFlags = z.object({
  org: z.string().min(1),
  db: z.string().optional(),
  subjectKind: z.string().min(1).max(64),
  dryRun: z.boolean(),
  batchSize: z.coerce.number().int().min(1).max(5000),
});

const FLAGS: Record<string, string> = {
  subjectKind: '--subject-kind',
  dryRun: '--dry-run',
  batchSize: '--batch-size',
};

export function registerImportCommands(program: Command, context: CliContext): void {
  const importCommand = program
    .command('import')
    .description('Bring records in from files, validated against the active policy');

  importCommand
    .command('participants')
    .description(
      'Import people and their personal data from CSV. Header: category.field columns, plus external_reference and subject_kind. Every row is checked first; any bad row and nothing is imported.',
    )
    .argument('<file>', 'CSV file (UTF-8, comma-separated, RFC 4180 quoting)')
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kajuyali')
    .option(
      '--subject-kind <kind>',
      'the kind of person for rows without a subject_kind',
      'participant',
    )
    .option('--dry-run', 'check every row, import nothing', false)
    .option('--batch-size <rows>', 'rows per transaction', '500')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (path: string, options: unknown) => {
      const flags = ImportParticipantsFlags.safeParse(options);
      if (!flags.success) {
        reportInvalidInput(context, flags.error.issues, (field) => FLAGS[field] ?? `--${field}`);
        return;
      }
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (error) {
        const reason =
          error instanceof Error && 'code' in error ? String(error.code) : String(error);
        context.stderr(`${path}: cannot read the file (${reason})\n`);
        context.setExitCode(EXIT.usage);
        return;
      }
      const request = ImportPeopleRequest.parse({
        subjectKind: flags.data.subjectKind,
        dryRun: flags.data.dryRun,
        batchSize: flags.data.batchSize,
      });
      const { org, db } = flags.data;
      await withOrganization(
        context,
        db === undefined ? { org } : { org, db },
        async (deps, organization) => {
          const progress = createProgress(context, size);
          const startedAt = deps.clock.now().getTime();
          let result: ImportPeopleResult;
          try {
            result = await importPeople(
              deps,
              systemActor(organization.id),
              organization.id,
              { open: () => createReadStream(path) },
              request,
              progress.update,
            );
          } finally {
            progress.stop();
          }
          const seconds = (deps.clock.now().getTime() - startedAt) / 1000;
          reportImport(context, path, organization.slug, result, seconds);
        },
      );
    });
}

function reportImport(
  context: CliContext,
  path: string,
  slug: string,
  result: ImportPeopleResult,
  seconds: number,
): void {
  switch (result.outcome) {
    case 'refused': {
      context.stderr(
        result.rows === 0 && result.badRows === 0
          ? `${path}: the file cannot be imported; nothing was imported:\n`
          : `${path}: ${result.badRows} of ${result.rows} rows have problems; nothing was imported:\n`,
      );
      for (const problem of result.problems) {
        context.stderr(
          `line ${problem.line}: ${problem.column === null ? '' : `${problem.column}: `}${problem.message}\n`,
        );
      }
      if (result.problemCount > result.problems.length) {
        context.stderr(`… and ${result.problemCount - result.problems.length} more problems\n`);
      }
      context.setExitCode(EXIT.problemsFound);
      return;
    }
    case 'checked':
      context.stdout(
        `${path}: all ${result.rows} rows pass policy version ${result.version}; nothing was imported (--dry-run).\n`,
      );
      context.setExitCode(EXIT.ok);
      return;
    case 'imported': {
      const kinds = Object.entries(result.bySubjectKind)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ');
      const rate = seconds > 0 ? `, ${Math.round(result.rows / seconds)} rows/s` : '';
      context.stdout(
        `Imported ${result.rows} ${result.rows === 1 ? 'person' : 'people'} into ${slug} under policy version ${result.version} (${result.policyVersionId})${kinds === '' ? '' : `: ${kinds}`} in ${seconds.toFixed(1)} s${rate}.\n`,
      );
      if (result.suppressedOptIns > 0) {
        context.stdout(
          `${result.suppressedOptIns} marketing opt-ins were left out: those addresses unsubscribed before, and only the person can opt in again.\n`,
        );
      }
      context.setExitCode(EXIT.ok);
      return;
    }
    case 'interrupted':
      context.stderr(
        `custodia: the import stopped: ${result.reason}\n` +
          `  Imported: ${result.imported} of ${result.rows} people, whole` +
          (result.firstLineNotImported === null
            ? '.\n'
            : ` (every row before line ${result.firstLineNotImported}).\n  Not imported: line ${result.firstLineNotImported} and everything after it.\n`) +
          '  Running the same file again refuses the rows already imported (by external_reference): import the rest from a file without them.\n',
      );
      context.setExitCode(EXIT.problemsFound);
      if (!isAppError(result.error)) {
        throw result.error;
      }
      return;
  }
}

/** A progress bar on standard error when a person is watching it; otherwise nothing. */
function createProgress(
  context: CliContext,
  fileSize: number,
): { update: (progress: ImportProgress) => void; stop: () => void } {
  const bar = progressBarFor(
    context,
    '{phase} [{bar}] {percentage}% | {detail} | {eta_formatted} left',
  );
  if (bar === undefined) {
    return { update: () => undefined, stop: () => undefined };
  }
  let phase: ImportProgress['phase'] | undefined;
  return {
    update: (progress) => {
      if (progress.phase !== phase) {
        if (phase !== undefined) {
          bar.stop();
        }
        phase = progress.phase;
        bar.start(progress.phase === 'checking' ? Math.max(fileSize, 1) : progress.total, 0, {
          phase: progress.phase === 'checking' ? 'Checking ' : 'Importing',
          detail: '',
        });
      }
      if (progress.phase === 'checking') {
        bar.update(progress.bytes, { detail: `${progress.rows} rows checked` });
      } else {
        bar.update(progress.rows, { detail: `${progress.rows}/${progress.total} people` });
      }
    },
    stop: () => {
      if (phase !== undefined) {
        bar.stop();
      }
    },
  };
}

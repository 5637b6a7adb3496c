/**
 * `custodia retention plan --org SLUG [--as-of DATE] [--waiting] [--json]`: what the policy's
 * retention rules will do, to whom, when and under which rule. Changes nothing.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { systemActor } from '../../app/context.js';
import { planRetention } from '../../app/retention/plan-retention.js';
import { runRetention } from '../../app/retention/run-retention.js';
import { EXIT, type CliContext } from '../context.js';
import { progressBarFor } from '../progress-bar.js';
import { withOrganization } from './policy-versions.js';

const PlanFlags = z.object({
  org: z.string().min(1),
  db: z.string().optional(),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/, 'must be a date, YYYY-MM-DD, or an ISO instant')
    .refine((value) => {
      // Date.parse rolls 2029-02-30 over to 1 March: compare the day back to refuse it.
      const parsed = new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value);
      return (
        !Number.isNaN(parsed.getTime()) &&
        (value.length !== 10 || parsed.toISOString().slice(0, 10) === value)
      );
    }, 'must be a real date')
    .optional(),
  waiting: z.boolean().default(false),
  json: z.boolean().default(false),
});

export function registerRetentionCommands(program: Command, context: CliContext): void {
  const retention = program.command('retention').description('Retention under the active policy');
  retention
    .command('plan')
    .description('List what retention will do, when and under which rule (changes nothing)')
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kexara')
    .option('--as-of <date>', 'plan as of this date (default: now); e.g. 2031-07-08')
    .option('--waiting', 'also list data whose rules wait for an event not yet on record')
    .option('--json', 'print the plan as JSON')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: Record<string, unknown>) => {
      const flags = PlanFlags.safeParse(options);
      if (!flags.success) {
        for (const issue of flags.error.issues) {
          context.stderr(
            `custodia: --${issue.path.join('.').replace('asOf', 'as-of')}: ${issue.message}\n`,
          );
        }
        context.setExitCode(EXIT.usage);
        return;
      }
      const { org, db, asOf, waiting, json } = flags.data;
      await withOrganization(
        context,
        db === undefined ? { org } : { org, db },
        async (deps, organization) => {
          const plan = await planRetention(deps, systemActor(organization.id), organization.id, {
            ...(asOf === undefined ? {} : { asOf: instantOf(asOf) }),
            includeWaiting: waiting,
          });
          if (json) {
            context.stdout(`${JSON.stringify(plan, null, 2)}\n`);
            return;
          }
          context.stdout(
            `${organization.slug}: retention plan as of ${plan.asOf} (policy version ${plan.policyVersionId}): ` +
              `${plan.counts.due} due, ${plan.counts.scheduled} scheduled, ${plan.counts.held} held, ${plan.counts.waiting} waiting for an event\n`,
          );
          for (const entry of plan.entries) {
            context.stdout(
              entry.status === 'waiting'
                ? `  waiting    ${entry.personId} ${entry.category}: until ${entry.waitingFor.join(' or ')}\n`
                : `  ${entry.status.padEnd(10)} ${entry.dueAt ?? ''} ${entry.action ?? ''} ${entry.personId} ${entry.category} (rule ${entry.rule ?? ''}, from ${entry.countedFrom ?? ''}${entry.hold === null ? '' : `, legal hold ${entry.hold}`})\n`,
            );
          }
        },
      );
    });

  retention
    .command('run')
    .description(
      'Carry out the retention actions due now (or as of a date): delete, anonymise, review questions; one person per transaction, safe to stop and rerun',
    )
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kexara')
    .option('--as-of <date>', 'run as of this date (default: now)')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: Record<string, unknown>) => {
      const flags = PlanFlags.safeParse(options);
      if (!flags.success) {
        for (const issue of flags.error.issues) {
          context.stderr(
            `custodia: --${issue.path.join('.').replace('asOf', 'as-of')}: ${issue.message}\n`,
          );
        }
        context.setExitCode(EXIT.usage);
        return;
      }
      const { org, db, asOf } = flags.data;
      await withOrganization(
        context,
        db === undefined ? { org } : { org, db },
        async (deps, organization) => {
          const bar = progressBarFor(
            context,
            'Sweeping [{bar}] {percentage}% | {value}/{total} people | {eta_formatted} left',
          );
          const report = await runRetention(deps, systemActor(organization.id), organization.id, {
            ...(asOf === undefined ? {} : { asOf: instantOf(asOf) }),
            onProgress: ({ checked, total }) => {
              if (bar === undefined) {
                return;
              }
              if (checked === 1) {
                bar.start(Math.max(total, 1), 0);
              }
              bar.update(Math.min(checked, Math.max(total, checked)));
            },
          });
          bar?.stop();
          const emails = report.reviewEmails;
          context.stdout(
            `${organization.slug}: retention run as of ${report.asOf}: ${report.peopleChecked} people checked, ` +
              `${report.categoriesDeleted} categories deleted, ${report.categoriesAnonymised} anonymised ` +
              `(${report.peopleErased} people erased whole), ${report.reviewsAsked} review questions opened ` +
              `(emails: ${emails.sent} sent, ${emails.noAddress} without an address, ${emails.failed} failed), ` +
              `${report.held} held, ${report.lockedElsewhere} left to another instance\n`,
          );
        },
      );
    });
}

function instantOf(value: string): Date {
  return new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value);
}

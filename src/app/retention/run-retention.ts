import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import { createPersonStore } from '../../store/person-store.js';
import { createRetentionStore } from '../../store/retention-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type Actor, type AppDeps } from '../context.js';
import { erasePersonIn } from '../people/delete-person.js';
import { planningContext, planPerson } from './plan-retention.js';

export const RetentionRunReport = z.object({
  asOf: z.string(),
  policyVersionId: z.string(),
  peopleChecked: z.number().int(),
  categoriesDeleted: z.number().int(),
  peopleErased: z.number().int().describe('Everyone whose every category was due: erased whole'),
  held: z.number().int().describe('Due, but under a legal hold: left alone'),
  lockedElsewhere: z.number().int().describe('Being swept by another instance: left to it'),
  notYetAutomated: z
    .record(z.string(), z.number().int())
    .describe('Due anonymise and review actions: this version does not run them yet'),
});
export type RetentionRunReport = z.infer<typeof RetentionRunReport>;

const PAGE = 200;

/**
 * Runs the `delete` actions due at `asOf`, one person per transaction, so a process killed midway
 * leaves each person either untouched or done, and the next run picks up the rest. Each person is
 * planned again inside their transaction (idempotent: what is gone is not due) and, on PostgreSQL,
 * claimed with an advisory lock, so two instances never act on the same person. A person whose
 * every category is due is erased whole (their key crypto-shredded); otherwise the due categories'
 * rows are deleted. Every action is audited with its rule and policy version; held data is left
 * alone. Memory is bounded by the page of people, not the organisation.
 */
export async function runRetention(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  actor: Actor,
  organizationId: string,
  options: { asOf?: Date; onProgress?: (checked: number) => void } = {},
): Promise<RetentionRunReport> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'manage-retention',
  );
  if (active === undefined) {
    throw new AppError('CONFLICT', 'Activate a policy before running retention.');
  }
  const asOf = options.asOf ?? deps.clock.now();
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const report: RetentionRunReport = {
    asOf: asOf.toISOString(),
    policyVersionId: active.versionId,
    peopleChecked: 0,
    categoriesDeleted: 0,
    peopleErased: 0,
    held: 0,
    lockedElsewhere: 0,
    notYetAutomated: {},
  };
  let afterId: string | undefined;
  for (;;) {
    const page = await createPersonStore(deps.store.db).list(scope, {
      limit: PAGE,
      ...(afterId === undefined ? {} : { afterId }),
    });
    const context = await planningContext(deps.store.db, scope, active, asOf);
    for (const listed of page) {
      report.peopleChecked += 1;
      await inTransaction(deps.store, async (trx) => {
        if (
          !(await createRetentionStore(trx, deps.store.dialect).tryLockPerson(scope, listed.id))
        ) {
          report.lockedElsewhere += 1;
          return;
        }
        // Planned again inside the claim: another run may have done this person already.
        const person = await createPersonStore(trx).findById(scope, listed.id);
        if (person === undefined) {
          return;
        }
        const entries = await planPerson(keyDeps, trx, context, person);
        report.held += entries.filter((entry) => entry.status === 'held').length;
        const due = entries.filter((entry) => entry.status === 'due');
        const deletions = due.filter((entry) => entry.action === 'delete');
        for (const entry of due) {
          if (entry.action !== 'delete' && entry.action !== null) {
            report.notYetAutomated[entry.action] = (report.notYetAutomated[entry.action] ?? 0) + 1;
          }
        }
        if (deletions.length === 0) {
          return;
        }
        const rules = Object.fromEntries(deletions.map((entry) => [entry.category, entry.rule]));
        if (deletions.length === entries.length) {
          await erasePersonIn(keyDeps, trx, scope, person.id, {
            actor: actorOf(actor),
            origin: undefined,
            action: 'retention.person-erased',
            details: { rules, policyVersionId: active.versionId, asOf: report.asOf },
          });
          report.peopleErased += 1;
          report.categoriesDeleted += deletions.length;
          return;
        }
        const people = createPersonStore(trx);
        for (const entry of deletions) {
          await people.deleteCategory(scope, person.id, entry.category);
          await writeAuditEvent(keyDeps, trx, scope, undefined, {
            ...actorOf(actor),
            action: 'retention.category-deleted',
            outcome: 'success',
            subjectId: person.id,
            details: {
              category: entry.category,
              rule: entry.rule,
              dueAt: entry.dueAt,
              policyVersionId: active.versionId,
            },
          });
          report.categoriesDeleted += 1;
        }
      });
      options.onProgress?.(report.peopleChecked);
    }
    if (page.length < PAGE) {
      break;
    }
    afterId = page.at(-1)?.id;
  }
  if (report.peopleErased > 0) {
    await purgeDestroyedKeyPages(deps.store);
  }
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(keyDeps, trx, scope, undefined, {
      ...actorOf(actor),
      action: 'retention.run',
      outcome: 'success',
      subjectId: null,
      details: { ...report },
    }),
  );
  return report;
}

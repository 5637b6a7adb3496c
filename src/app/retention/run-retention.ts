import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { anonymisedIn, anonymiseRecord } from '../../domain/anonymise.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import {
  createRetentionActionStore,
  type RetentionReviewRow,
} from '../../store/retention-action-store.js';
import { createRetentionStore } from '../../store/retention-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import { actorOf, type Actor, type AppDeps } from '../context.js';
import { completePendingShreds } from '../keys/complete-pending-shreds.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import { erasePersonIn } from '../people/delete-person.js';
import { eraseCategoryIn } from '../people/erase-category.js';
import { categoryValues } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { answerDeadline, askRetentionReviews } from './ask-retention-reviews.js';
import {
  planningContext,
  planPerson,
  retentionRuleOf,
  type PlanningContext,
  type RetentionPlanEntry,
} from './plan-retention.js';

export const RetentionRunReport = z.object({
  asOf: z.string(),
  policyVersionId: z.string(),
  peopleChecked: z.number().int(),
  categoriesDeleted: z.number().int(),
  categoriesAnonymised: z
    .number()
    .int()
    .describe('Identifiers removed, the rest generalised or kept as anonymous records'),
  peopleErased: z.number().int().describe('Everyone whose every category ended: erased whole'),
  reviewsAsked: z.number().int().describe('Questions of review rules put to people or staff'),
  reviewEmails: z.object({
    sent: z.number().int(),
    noAddress: z.number().int().describe('Nobody to email: silence decides after the period'),
    failed: z.number().int().describe('The mail server refused: asked again at the next run'),
  }),
  held: z.number().int().describe('Due, but under a legal hold: left alone'),
  lockedElsewhere: z.number().int().describe('Being swept by another instance: left to it'),
});
export type RetentionRunReport = z.infer<typeof RetentionRunReport>;

type RunDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
>;

const PAGE = 200;

/**
 * Runs the retention actions due at `asOf`: delete, anonymise, and the questions and outcomes of
 * review rules. People are read a page at a time (memory is bounded by the page, not the
 * organisation) and planned; only someone with something due gets a transaction, in which they
 * are claimed (a PostgreSQL advisory lock, so two instances never act on the same person) and
 * planned again (idempotent: what is gone is not due). So a process killed midway leaves each
 * person untouched or done, and the next run picks up the rest.
 *
 * Someone whose every category ends (deleted or anonymised) is erased whole, their keys
 * crypto-shredded; otherwise each due category is anonymised or deleted on its own, and its key
 * (an encrypted category has one per person) destroyed. The organisation-key rotation that makes
 * destroyed keys unrecoverable from older copies is paid once per run, at its start (for a run
 * that was killed) and end, instead of once per person. Every action
 * is audited with its rule and policy version, and the run's report too. Held data is left alone.
 * Review emails leave after their person's transaction commits.
 */
export async function runRetention(
  deps: RunDeps,
  actor: Actor,
  organizationId: string,
  options: {
    asOf?: Date;
    onProgress?: (progress: { checked: number; total: number }) => void;
  } = {},
): Promise<RetentionRunReport> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'manage-retention',
    'running retention',
  );
  const asOf = options.asOf ?? deps.clock.now();
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const report = emptyReport(asOf, active.versionId);
  // A run killed after destroying keys owes their rotation: pay it before anything else.
  await completePendingShreds(deps, scope, actorOf(actor));
  const run = { deps, keyDeps, actor, scope, active, report, asOf };
  // For the progress bar only: people added during the run are swept too, so it may overshoot.
  const total =
    options.onProgress === undefined ? 0 : await createPersonStore(deps.store.db).count(scope);
  let afterId: string | undefined;
  for (;;) {
    const page = await createPersonStore(deps.store.db).list(scope, {
      limit: PAGE,
      ...(afterId === undefined ? {} : { afterId }),
    });
    const context = await planningContext(deps.store.db, scope, active, asOf);
    for (const listed of page) {
      report.peopleChecked += 1;
      const planned = await planPerson(keyDeps, deps.store.db, context, listed);
      if (planned.some((entry) => entry.status === 'due')) {
        await sweepPerson(run, context, listed.id);
      } else {
        report.held += planned.filter((entry) => entry.status === 'held').length;
      }
      options.onProgress?.({ checked: report.peopleChecked, total });
    }
    if (page.length < PAGE) {
      break;
    }
    afterId = page.at(-1)?.id;
  }
  // One rotation pays for every key this run destroyed (and any a killed run left owed); it
  // purges freed pages on SQLite too.
  await completePendingShreds(deps, scope, actorOf(actor));
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

/**
 * The sweep for one person at once (an erasure request: what their deletion request makes due
 * is done now, not at the next scheduled run), with its own report and key rotation.
 */
export async function runRetentionForPerson(
  deps: RunDeps,
  actor: Actor,
  organizationId: string,
  personId: string,
  asOf: Date,
  options: { rotateNow: boolean } = { rotateNow: true },
): Promise<RetentionRunReport> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'manage-retention',
    'running retention',
  );
  const report = emptyReport(asOf, active.versionId);
  const run = {
    deps,
    keyDeps: { ...deps, dialect: deps.store.dialect },
    actor,
    scope,
    active,
    report,
    asOf,
  };
  report.peopleChecked = 1;
  await sweepPerson(run, await planningContext(deps.store.db, scope, active, asOf), personId);
  if (options.rotateNow) {
    await completePendingShreds(deps, scope, actorOf(actor));
  }
  return report;
}

function emptyReport(asOf: Date, policyVersionId: string): RetentionRunReport {
  return {
    asOf: asOf.toISOString(),
    policyVersionId,
    peopleChecked: 0,
    categoriesDeleted: 0,
    categoriesAnonymised: 0,
    peopleErased: 0,
    reviewsAsked: 0,
    reviewEmails: { sent: 0, noAddress: 0, failed: 0 },
    held: 0,
    lockedElsewhere: 0,
  };
}

interface Run {
  deps: RunDeps;
  keyDeps: KeyDeps;
  actor: Actor;
  scope: OrganizationScope;
  active: ActivePolicy;
  report: RetentionRunReport;
  /** The run's instant: what it writes is dated then (a simulated run acts as of its date). */
  asOf: Date;
}

/** One person's due actions in one transaction, then their review emails. */
async function sweepPerson(run: Run, context: PlanningContext, personId: string): Promise<void> {
  const { deps, report, scope } = run;
  const toAsk = await inTransaction(deps.store, async (trx) => {
    if (!(await createRetentionStore(trx, deps.store.dialect).tryLockPerson(scope, personId))) {
      report.lockedElsewhere += 1;
      return undefined;
    }
    // Planned again inside the claim: another run may have done this person already.
    const person = await createPersonStore(trx).findById(scope, personId);
    if (person === undefined) {
      return undefined;
    }
    const entries = await planPerson(run.keyDeps, trx, context, person);
    report.held += entries.filter((entry) => entry.status === 'held').length;
    const due = entries.filter((entry) => entry.status === 'due');
    const ends = due.filter((entry) => entry.action === 'delete' || entry.action === 'anonymise');
    for (const entry of ends.filter((end) => end.action === 'anonymise')) {
      await anonymiseCategory(run, trx, person, entry);
    }
    const deletions = ends.filter((entry) => entry.action === 'delete');
    if (ends.length === entries.length) {
      await erasePersonIn(run.keyDeps, trx, scope, person.id, {
        actor: actorOf(run.actor),
        origin: undefined,
        action: 'retention.person-erased',
        deferRotation: true,
        details: {
          rules: Object.fromEntries(ends.map((entry) => [entry.category, entry.rule])),
          policyVersionId: run.active.versionId,
          asOf: report.asOf,
        },
      });
      report.peopleErased += 1;
      report.categoriesDeleted += deletions.length;
      return undefined;
    }
    for (const entry of deletions) {
      await eraseCategory(run, trx, person.id, entry.category);
      await auditAction(run, trx, person.id, 'retention.category-deleted', entry);
      report.categoriesDeleted += 1;
    }
    const questions = await putQuestions(
      run,
      trx,
      person,
      due.filter((entry) => entry.action === 'review'),
    );
    return questions.length === 0 ? undefined : { person, questions };
  });
  if (toAsk !== undefined) {
    const delivery = await askRetentionReviews(
      deps,
      scope,
      run.active,
      toAsk.person,
      toAsk.questions,
      run.asOf,
    );
    report.reviewEmails[delivery === 'no-address' ? 'noAddress' : delivery] += 1;
  }
}

/**
 * Replaces one category of a person by an anonymous record (what the policy's `anonymise` marks
 * on its fields keep, generalised as declared) that holds nothing leading back to them, then
 * deletes the category. The audit entry names the person, category and rule, never the record.
 */
async function anonymiseCategory(
  run: Run,
  trx: Executor,
  person: PersonRow,
  entry: RetentionPlanEntry,
): Promise<void> {
  const { scope } = run;
  const people = createPersonStore(trx);
  const rows = (await people.values(scope, person.id)).filter(
    (row) => row.categoryId === entry.category,
  );
  const values = await categoryValues(run.keyDeps, trx, scope, person.id, entry.category, rows);
  const fields = run.active.policy.categories.get(entry.category)?.definition.fields ?? [];
  const kept = values === 'erased' ? undefined : anonymiseRecord(fields, values);
  if (kept !== undefined) {
    await createRetentionActionStore(trx).insertAnonymised(scope, {
      // Random, not the sequential-looking ids of personal records: nothing orders it by person.
      id: randomUUID(),
      categoryId: entry.category,
      ruleId: entry.rule ?? '',
      fields: kept,
      anonymisedIn: anonymisedIn(run.asOf),
    });
  }
  await eraseCategory(run, trx, person.id, entry.category);
  await auditAction(run, trx, person.id, 'retention.category-anonymised', entry, {
    fieldsKept: Object.keys(kept ?? {}).sort(),
  });
  run.report.categoriesAnonymised += 1;
}

/**
 * Records the questions of due review rules: asked of the person (emailed after commit) or of
 * staff (in the queue at once, the answer period starting now). A question asked before that
 * never reached anyone is asked again rather than recorded twice.
 */
async function putQuestions(
  run: Run,
  trx: Executor,
  person: PersonRow,
  asks: readonly RetentionPlanEntry[],
): Promise<RetentionReviewRow[]> {
  const { scope, deps, active } = run;
  const store = createRetentionActionStore(trx);
  const existing = await store.reviewsOf(scope, person.id);
  const now = run.asOf;
  const toEmail: RetentionReviewRow[] = [];
  for (const entry of asks) {
    const again = existing.find((review) => review.id === entry.review?.reviewId);
    if (again !== undefined) {
      toEmail.push(again);
      continue;
    }
    const rule = retentionRuleOf(active, entry.category, entry.rule);
    const askStaff = rule?.definition.review?.ask === 'staff';
    const review: RetentionReviewRow = {
      id: deps.ids.next(),
      personId: person.id,
      ruleId: entry.rule ?? '',
      categoryId: entry.category,
      cycleDueAt: entry.dueAt ?? now.toISOString(),
      askedAt: now.toISOString(),
      askedVia: askStaff ? 'staff' : 'subject',
      answerDueAt: null,
      answer: null,
      answeredAt: null,
      answeredBy: null,
    };
    if (askStaff) {
      review.answerDueAt = answerDeadline(active, review, now);
    }
    await store.insertReview(scope, review);
    await auditAction(run, trx, person.id, 'retention.review-opened', entry, {
      askedVia: review.askedVia,
      answerDueAt: review.answerDueAt,
    });
    run.report.reviewsAsked += 1;
    if (!askStaff) {
      toEmail.push(review);
    }
  }
  return toEmail;
}

/** Deletes a due category and destroys its key; the run pays the key rotation once at its end. */
function eraseCategory(run: Run, trx: Executor, personId: string, categoryId: string) {
  return eraseCategoryIn(
    run.keyDeps,
    trx,
    run.scope,
    run.active,
    { personId, categoryId },
    actorOf(run.actor),
  );
}

async function auditAction(
  run: Run,
  trx: Executor,
  personId: string,
  action: string,
  entry: RetentionPlanEntry,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await writeAuditEvent(run.keyDeps, trx, run.scope, undefined, {
    ...actorOf(run.actor),
    action,
    outcome: 'success',
    subjectId: personId,
    details: {
      category: entry.category,
      rule: entry.rule,
      dueAt: entry.dueAt,
      review: entry.review,
      policyVersionId: run.active.versionId,
      ...extra,
    },
  });
}

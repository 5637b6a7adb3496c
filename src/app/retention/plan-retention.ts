import { z } from 'zod';
import { holdCovering } from '../../domain/legal-holds.js';
import { reviewState } from '../../domain/retention-review.js';
import {
  schedulePerson,
  type ScheduledAction,
  type TriggerInstants,
} from '../../domain/retention-schedule.js';
import {
  createRetentionActionStore,
  type RetentionReviewRow,
} from '../../store/retention-action-store.js';
import type { CompiledRetentionRule } from '../../policy/compile.js';
import type { TriggerEvent } from '../../policy/schema.js';
import {
  createRetentionStore,
  type LegalHoldRow,
  type RetentionEventRow,
} from '../../store/retention-store.js';
import type { Executor } from '../../store/db.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { createConsentStore } from '../../store/consent-store.js';
import { createProgramStore } from '../../store/program-store.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import type { Actor, AppDeps } from '../context.js';
import { categoryValues } from '../people/people-support.js';
import { groupByCategory } from '../people/read-person.js';
import { TRANSACTION_DATE_FIELD, triggerInstantsFor } from './trigger-instants.js';

export const RetentionPlanEntry = z.object({
  personId: z.string(),
  subjectKind: z.string(),
  category: z.string(),
  status: z
    .enum(['due', 'scheduled', 'waiting', 'held'])
    .describe('held: due or scheduled, but a legal hold suspends it'),
  hold: z.string().nullable().describe('The legal hold that suspends it'),
  rule: z.string().nullable(),
  action: z.enum(['delete', 'anonymise', 'review']).nullable(),
  dueAt: z.string().nullable(),
  countedFrom: z.string().nullable().describe('The trigger event the period counts from'),
  waitingFor: z.array(z.string()).describe('Trigger events not yet on record'),
  review: z
    .object({
      stage: z
        .enum(['ask', 'awaiting-answer', 'answered-no', 'no-answer'])
        .describe(
          'ask: the question is due; awaiting-answer: asked, `action` follows silence at `dueAt`; answered-no / no-answer: `action` ends the data',
        ),
      reviewId: z.string().nullable(),
    })
    .nullable()
    .describe('Where a review rule stands: null for the other rules'),
});
export type RetentionPlanEntry = z.infer<typeof RetentionPlanEntry>;

export const RetentionPlan = z.object({
  organizationId: z.string(),
  policyVersionId: z.string(),
  asOf: z.string(),
  entries: z.array(RetentionPlanEntry),
  counts: z.object({
    due: z.number(),
    scheduled: z.number(),
    waiting: z.number(),
    held: z.number(),
  }),
});
export type RetentionPlan = z.infer<typeof RetentionPlan>;

const PAGE = 500;

/**
 * The instants of events recorded from outside, per trigger: the latest (an account reopened and
 * closed again counts from its last closing), except a deletion request, whose clock starts at the
 * first request (a repeated request must not postpone the deletion).
 */
function recordedInstants(events: readonly RetentionEventRow[]): TriggerInstants {
  const instants: Partial<Record<TriggerEvent, string>> = {};
  for (const event of events) {
    const trigger = event.trigger as TriggerEvent;
    const known = instants[trigger];
    const keepFirst = trigger === 'deletion-requested';
    if (known === undefined || (keepFirst ? event.occurredAt < known : event.occurredAt > known)) {
      instants[trigger] = event.occurredAt;
    }
  }
  return instants;
}

/** What planning one person needs besides the person: read once per run. */
export interface PlanningContext {
  scope: OrganizationScope;
  active: ActivePolicy;
  asOf: Date;
  holds: readonly LegalHoldRow[];
  programEnds: ReadonlyMap<string, string | null>;
}

export async function planningContext(
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  asOf: Date,
): Promise<PlanningContext> {
  const programs = await createProgramStore(db).listPrograms(scope);
  return {
    scope,
    active,
    asOf,
    holds: await createRetentionStore(db).listHolds(scope),
    programEnds: new Map(programs.map((program) => [program.id, program.endsOn])),
  };
}

/**
 * One person's entries: for each category held, what its rules say at `asOf` — the one reading
 * of the rules that both the plan and the sweep use.
 */
export async function planPerson(
  deps: { masterKeys: AppDeps['masterKeys']; dialect: AppDeps['store']['dialect'] },
  db: Executor,
  context: PlanningContext,
  person: PersonRow,
): Promise<RetentionPlanEntry[]> {
  const { scope, active, asOf } = context;
  const stored = await createPersonStore(db).values(scope, person.id);
  const values = [];
  for (const [categoryId, rows] of groupByCategory(stored)) {
    // Only a value a trigger reads is decrypted (the payment's date), never the rest.
    const dated = rows.filter((row) => row.field === TRANSACTION_DATE_FIELD);
    const plain =
      dated.length > 0
        ? await categoryValues(deps, db, scope, person.id, categoryId, dated)
        : undefined;
    for (const row of rows) {
      values.push({
        categoryId,
        field: row.field,
        collectedAt: row.collectedAt,
        plain: plain === undefined || plain === 'erased' ? undefined : plain[row.field],
      });
    }
  }
  const facts = {
    person,
    values,
    consents: await createConsentStore(db).listForPerson(scope, person.id),
    programEnds: (await createProgramStore(db).enrollmentsOf(scope, person.id)).flatMap(
      (enrollment) => {
        const end = context.programEnds.get(enrollment.programId);
        return end === undefined || end === null ? [] : [end];
      },
    ),
  };
  const recorded = recordedInstants(await createRetentionStore(db).eventsFor(scope, person.id));
  const reviews = await createRetentionActionStore(db).reviewsOf(scope, person.id);
  const held = [...new Set(stored.map((row) => row.categoryId))];
  // An open account (a category of record_type account, not closed) will be closed one day: the
  // fallback of an account-closed rule is for people who have no account.
  const hasAccount = held.some(
    (categoryId) => active.policy.categories.get(categoryId)?.definition.record_type === 'account',
  );
  const pending = new Set<TriggerEvent>(
    hasAccount && recorded['account-closed'] === undefined ? ['account-closed'] : [],
  );
  const entries: RetentionPlanEntry[] = [];
  for (const categoryId of held) {
    const [schedule] = schedulePerson(
      active.policy,
      [categoryId],
      { ...triggerInstantsFor(active, categoryId, facts, asOf), ...recorded },
      pending,
    );
    if (schedule === undefined || schedule.status === 'unruled') {
      continue;
    }
    const base = { personId: person.id, subjectKind: person.subjectKind, category: categoryId };
    if (schedule.status === 'waiting') {
      entries.push({
        ...base,
        status: 'waiting',
        hold: null,
        rule: null,
        action: null,
        dueAt: null,
        countedFrom: null,
        waitingFor: schedule.waitingFor,
        review: null,
      });
      continue;
    }
    const step = nextStep(active, schedule.action, reviews, asOf);
    const isDue = step.dueAt <= asOf.toISOString();
    const hold = holdCovering(context.holds, person.id, categoryId, asOf.toISOString());
    entries.push({
      ...base,
      status: hold !== undefined ? 'held' : isDue ? 'due' : 'scheduled',
      hold: hold?.id ?? null,
      rule: schedule.action.ruleId,
      action: step.action,
      dueAt: step.dueAt,
      countedFrom: schedule.action.countedFrom,
      waitingFor: [],
      review: step.review,
    });
  }
  return entries;
}

/** A retention rule of the active policy by category and id (ids are unique per policy). */
export function retentionRuleOf(
  active: ActivePolicy,
  categoryId: string,
  ruleId: string | null,
): CompiledRetentionRule | undefined {
  return active.policy.retentionByCategory
    .get(categoryId)
    ?.find((candidate) => candidate.id === ruleId);
}

/**
 * What a scheduled rule does next: its own action at its due instant, or, for a review rule,
 * where the questions asked so far leave it (domain/retention-review.ts).
 */
function nextStep(
  active: ActivePolicy,
  action: ScheduledAction,
  reviews: readonly RetentionReviewRow[],
  asOf: Date,
): { action: ScheduledAction['action']; dueAt: string; review: RetentionPlanEntry['review'] } {
  const rule = retentionRuleOf(active, action.categoryId, action.ruleId);
  const section = rule?.definition.review;
  if (action.action !== 'review' || rule?.extendBy === undefined || section === undefined) {
    return { action: action.action, dueAt: action.dueAt, review: null };
  }
  const state = reviewState(
    { onNo: section.on_no, onNoAnswer: section.on_no_answer, extendBy: rule.extendBy },
    action.dueAt,
    reviews.filter((review) => review.ruleId === action.ruleId),
    asOf,
  );
  switch (state.kind) {
    case 'scheduled':
      return { action: 'review', dueAt: state.dueAt, review: null };
    case 'ask':
      return {
        action: 'review',
        dueAt: state.dueAt,
        review: { stage: 'ask', reviewId: state.reviewId },
      };
    case 'awaiting':
      return {
        action: section.on_no_answer === 'keep' ? 'review' : section.on_no_answer,
        dueAt: state.answerDueAt,
        review: { stage: 'awaiting-answer', reviewId: state.reviewId },
      };
    case 'end':
      return {
        action: state.action,
        dueAt: state.dueAt,
        review: { stage: state.because, reviewId: state.reviewId },
      };
  }
}

/**
 * What the policy's retention rules will do, to whom, when and under which rule, as of an instant
 * (`custodia retention plan`): nothing is changed. Issue 7's sweep will execute the `due` entries.
 * Needs the `manage-retention` system permission (or the operator's console).
 */
export async function planRetention(
  deps: Pick<AppDeps, 'store' | 'clock' | 'policies' | 'masterKeys'>,
  actor: Actor,
  organizationId: string,
  options: { asOf?: Date; includeWaiting?: boolean },
): Promise<RetentionPlan> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'manage-retention',
    'planning retention',
  );
  const asOf = options.asOf ?? deps.clock.now();
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const people = createPersonStore(deps.store.db);
  const context = await planningContext(deps.store.db, scope, active, asOf);
  const entries: RetentionPlanEntry[] = [];
  const counts = { due: 0, scheduled: 0, waiting: 0, held: 0 };
  let afterId: string | undefined;
  for (;;) {
    const page = await people.list(scope, {
      limit: PAGE,
      ...(afterId === undefined ? {} : { afterId }),
    });
    for (const person of page) {
      for (const entry of await planPerson(keyDeps, deps.store.db, context, person)) {
        counts[entry.status] += 1;
        if (entry.status !== 'waiting' || options.includeWaiting === true) {
          entries.push(entry);
        }
      }
    }
    if (page.length < PAGE) {
      break;
    }
    afterId = page.at(-1)?.id;
  }
  entries.sort(
    (left, right) =>
      (left.dueAt ?? '\uffff').localeCompare(right.dueAt ?? '\uffff') ||
      left.personId.localeCompare(right.personId) ||
      left.category.localeCompare(right.category),
  );
  return {
    organizationId,
    policyVersionId: active.versionId,
    asOf: asOf.toISOString(),
    entries,
    counts,
  };
}

import type { CompiledPolicy, CompiledRetentionRule } from '../policy/compile.js';
import { addDuration } from '../policy/duration.js';
import type { TriggerEvent } from '../policy/schema.js';

/**
 * When each retention rule of the policy falls due for one person: pure, from the policy and the
 * instants their trigger events happened. Issue 7 builds the sweep on it; `retention plan` prints
 * it. The reading of the rules, each a choice a data protection officer would make:
 *
 * - A rule counts from its trigger, or from its `fallback_trigger` for a person the trigger never
 *   happened to — unless it still can (`PendingTriggers`: an account still open) (kajuyali: "5 years after the last enrollment", from registration for someone who
 *   never enrolled). A rule whose trigger has not happened is not due: the data is still needed
 *   for what the rule protects ("until you delete your account").
 * - Rules over one category for the same purposes (or for all) are alternative ends of the same
 *   need: the first to fall due ends it (kexara accessibility needs: 90 days after the tour, or at
 *   once when consent is withdrawn). A rule still waiting does not hold back one that is due.
 * - Rules limited to different purposes are different needs for the same values, which are not
 *   tagged by purpose: the category is kept until the last need ends (kindergarten institution
 *   data: 30 days after the contract for administration, 10 years for statutory records), and the
 *   action of that rule applies. A need still waiting for its trigger keeps the category.
 */
export type TriggerInstants = Partial<Readonly<Record<TriggerEvent, string>>>;

export interface ScheduledAction {
  categoryId: string;
  ruleId: string;
  action: 'delete' | 'anonymise' | 'review';
  /** The trigger counted from, and when it happened. */
  countedFrom: TriggerEvent;
  triggeredAt: string;
  dueAt: string;
}

export type CategorySchedule =
  | { status: 'scheduled'; action: ScheduledAction }
  /** Some rule still waits for its trigger: nothing is due yet. */
  | { status: 'waiting'; categoryId: string; waitingFor: TriggerEvent[] }
  /** No rule covers the category: the policy checker refuses such a policy, kept for safety. */
  | { status: 'unruled'; categoryId: string };

/**
 * Triggers that have not happened yet but still can for this person, so a fallback must not stand
 * in for them: an account still open will be closed one day (career-masterclass contact details
 * follow the account of a learner; only a prospect without an account counts from collection).
 */
export type PendingTriggers = ReadonlySet<TriggerEvent>;

function startOf(
  rule: CompiledRetentionRule,
  triggers: TriggerInstants,
  pending: PendingTriggers,
): { countedFrom: TriggerEvent; at: string } | undefined {
  const primary = triggers[rule.definition.trigger];
  if (primary !== undefined) {
    return { countedFrom: rule.definition.trigger, at: primary };
  }
  if (pending.has(rule.definition.trigger)) {
    return undefined;
  }
  const fallback = rule.definition.fallback_trigger;
  const fallbackAt = fallback === undefined ? undefined : triggers[fallback];
  return fallback === undefined || fallbackAt === undefined
    ? undefined
    : { countedFrom: fallback, at: fallbackAt };
}

/** The first end of one need (rules over the same purposes), or what it waits for. */
function endOfNeed(
  categoryId: string,
  rules: readonly CompiledRetentionRule[],
  triggers: TriggerInstants,
  pending: PendingTriggers,
): ScheduledAction | { waitingFor: TriggerEvent[] } {
  let earliest: ScheduledAction | undefined;
  for (const rule of rules) {
    const start = startOf(rule, triggers, pending);
    if (start === undefined) {
      continue;
    }
    const dueAt = addDuration(new Date(start.at), rule.period).toISOString();
    if (earliest === undefined || dueAt < earliest.dueAt) {
      earliest = {
        categoryId,
        ruleId: rule.id,
        action: rule.definition.action,
        countedFrom: start.countedFrom,
        triggeredAt: start.at,
        dueAt,
      };
    }
  }
  return earliest ?? { waitingFor: rules.map((rule) => rule.definition.trigger) };
}

/** The schedule of one category held about a person. */
export function scheduleCategory(
  policy: CompiledPolicy,
  categoryId: string,
  triggers: TriggerInstants,
  pending: PendingTriggers = new Set(),
): CategorySchedule {
  const rules = policy.retentionByCategory.get(categoryId) ?? [];
  if (rules.length === 0) {
    return { status: 'unruled', categoryId };
  }
  const needs = new Map<string, CompiledRetentionRule[]>();
  for (const rule of rules) {
    const key = rule.purposeIds === undefined ? '*' : [...rule.purposeIds].sort().join(',');
    needs.set(key, [...(needs.get(key) ?? []), rule]);
  }
  const waitingFor: TriggerEvent[] = [];
  let latest: ScheduledAction | undefined;
  for (const group of needs.values()) {
    const end = endOfNeed(categoryId, group, triggers, pending);
    if ('waitingFor' in end) {
      waitingFor.push(...end.waitingFor);
    } else if (latest === undefined || end.dueAt > latest.dueAt) {
      latest = end;
    }
  }
  if (waitingFor.length > 0 || latest === undefined) {
    return { status: 'waiting', categoryId, waitingFor: [...new Set(waitingFor)] };
  }
  return { status: 'scheduled', action: latest };
}

/** Every category held about a person, with what the policy will do to it and when. */
export function schedulePerson(
  policy: CompiledPolicy,
  categoriesHeld: readonly string[],
  triggers: TriggerInstants,
  pending: PendingTriggers = new Set(),
): CategorySchedule[] {
  return [...new Set(categoriesHeld)]
    .sort()
    .map((categoryId) => scheduleCategory(policy, categoryId, triggers, pending));
}

/** The actions due at `now` (inclusive), earliest first. */
export function dueActions(schedule: readonly CategorySchedule[], now: Date): ScheduledAction[] {
  const at = now.toISOString();
  return schedule
    .flatMap((entry) => (entry.status === 'scheduled' ? [entry.action] : []))
    .filter((action) => action.dueAt <= at)
    .sort((left, right) => left.dueAt.localeCompare(right.dueAt));
}

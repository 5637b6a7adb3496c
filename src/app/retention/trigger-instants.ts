import type { TriggerInstants } from '../../domain/retention-schedule.js';
import type { ConsentRecordRow } from '../../store/consent-store.js';
import type { PersonalValueRow, PersonRow } from '../../store/person-store.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/** What Custodia already records about a person, from which trigger instants are read. */
export interface PersonRecordFacts {
  person: Pick<PersonRow, 'createdAt' | 'lastEnrollmentAt'>;
  /** Their stored values, decrypted where a trigger reads a value (transaction_date). */
  values: readonly (Pick<PersonalValueRow, 'categoryId' | 'field' | 'collectedAt'> & {
    plain: string | undefined;
  })[];
  consents: readonly ConsentRecordRow[];
  /** End dates (YYYY-MM-DD) of the programs they were enrolled in. */
  programEnds: readonly string[];
}

/** The field whose value is a payment's date: the `transaction-date` trigger. */
export const TRANSACTION_DATE_FIELD = 'transaction_date';

const dayStart = (day: string) => `${day}T00:00:00.000Z`;

/**
 * The instants a category's retention rules count from, for one person, derived from what is on
 * record — so nothing needs remembering twice:
 * - `collected`: when the category's values were first stored;
 * - `last-enrollment`: the person's last enrollment; `program-ended`: the latest end date of
 *   their programs that has passed;
 * - `consent-withdrawn`: when the last consent behind the category's purposes was withdrawn, once
 *   none of them is in force (a marketing withdrawal does not end accessibility arrangements);
 * - `unsubscribed`: the last withdrawal of a marketing consent, once none is in force;
 * - `transaction-date`: the category's `transaction_date` value.
 * Events that only happen outside the record (an account closed, a deletion requested, the
 * contract ended, last activity) are not derived here: their rules wait until they are recorded.
 */
export function triggerInstantsFor(
  active: ActivePolicy,
  categoryId: string,
  facts: PersonRecordFacts,
  now: Date,
): TriggerInstants {
  const instants: Partial<Record<keyof TriggerInstants, string>> = {};
  const ofCategory = facts.values.filter((value) => value.categoryId === categoryId);
  const collected = ofCategory.map((value) => value.collectedAt).sort()[0];
  if (collected !== undefined) {
    instants.collected = collected;
  }
  if (facts.person.lastEnrollmentAt !== null) {
    instants['last-enrollment'] = facts.person.lastEnrollmentAt;
  }
  const today = now.toISOString().slice(0, 10);
  const ended = facts.programEnds
    .filter((day) => day <= today)
    .sort()
    .at(-1);
  if (ended !== undefined) {
    instants['program-ended'] = dayStart(ended);
  }
  const purposes = new Set(active.policy.categories.get(categoryId)?.purposeIds ?? []);
  const behind = facts.consents.filter((record) =>
    (active.policy.consents.get(record.consentId)?.purposes ?? []).some((id) => purposes.has(id)),
  );
  const withdrawnAt = lastWithdrawal(behind);
  if (withdrawnAt !== undefined) {
    instants['consent-withdrawn'] = withdrawnAt;
  }
  const marketing = facts.consents.filter((record) =>
    (active.policy.consents.get(record.consentId)?.purposes ?? []).some(
      (id) => active.policy.purposes.get(id)?.isMarketing === true,
    ),
  );
  const unsubscribedAt = lastWithdrawal(marketing);
  if (unsubscribedAt !== undefined) {
    instants.unsubscribed = unsubscribedAt;
  }
  const transaction = ofCategory.find((value) => value.field === TRANSACTION_DATE_FIELD)?.plain;
  if (transaction !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(transaction)) {
    instants['transaction-date'] = dayStart(transaction);
  }
  return instants;
}

/** The latest withdrawal among these records, once none of them is in force any more. */
function lastWithdrawal(records: readonly ConsentRecordRow[]): string | undefined {
  if (records.length === 0 || records.some((record) => record.withdrawnAt === null)) {
    return undefined;
  }
  return records
    .map((record) => record.withdrawnAt ?? '')
    .sort()
    .at(-1);
}

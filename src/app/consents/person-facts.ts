import { ageOn, minorStatus, type MinorStatus } from '../../domain/age.js';
import type { ConsentFacts } from '../../domain/access-decision.js';
import type { Executor, Dialect } from '../../store/db.js';
import type { AppDeps } from '../context.js';
import { createRightsStore } from '../../store/rights-store.js';
import { createConsentStore, type ConsentRecordRow } from '../../store/consent-store.js';
import {
  createPersonStore,
  type PersonalValueRow,
  type PersonRow,
} from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { Clock } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { categoryValues } from '../people/people-support.js';

/** What the consent, terms and withdrawal steps need inside a caller's transaction. */
export type ConsentWorkDeps = Pick<AppDeps, 'clock' | 'ids' | 'masterKeys'> & {
  dialect: AppDeps['store']['dialect'];
};

/** By convention the policy's `date` field named so holds a person's date of birth. */
export const DATE_OF_BIRTH_FIELD = 'date_of_birth';

/** What the decisions about one person need, gathered at the instant of the decision. */
export interface PersonFacts {
  readonly consent: ConsentFacts;
  /** Consent records in force (given, not withdrawn), under any policy version. */
  readonly consentsInForce: readonly ConsentRecordRow[];
  readonly age: number | undefined;
  readonly minor: MinorStatus;
}

/** Whether the policy lets this kind of person be a child below the minimum account age. */
export function kindMayBeMinor(active: ActivePolicy, subjectKind: string): boolean {
  return active.policy.document.subjects.some(
    (subject) => subject.id === subjectKind && subject.may_be_minor,
  );
}

/** The purposes the given consent records cover under the active policy. */
export function consentedPurposesOf(
  active: ActivePolicy,
  records: readonly Pick<ConsentRecordRow, 'consentId'>[],
): Set<string> {
  const purposes = new Set<string>();
  for (const record of records) {
    active.policy.consents.get(record.consentId)?.purposes.forEach((id) => purposes.add(id));
  }
  return purposes;
}

/** Reads a person's date of birth (decrypting it where its category is encrypted). */
export async function dateOfBirthOf(
  deps: { masterKeys: MasterKeyProvider; dialect: Dialect },
  db: Executor,
  scope: OrganizationScope,
  personId: string,
  values?: readonly PersonalValueRow[],
): Promise<string | undefined> {
  const rows = (values ?? (await createPersonStore(db).values(scope, personId))).filter(
    (row) => row.field === DATE_OF_BIRTH_FIELD,
  );
  for (const row of rows) {
    const plain = await categoryValues(deps, db, scope, personId, row.categoryId, [row]);
    if (plain !== 'erased') {
      return plain[row.field];
    }
  }
  return undefined;
}

/**
 * The consent and age facts of a person now. Age is computed afresh at every decision: a child
 * who turns 13 today is 13 today, whatever was true when the record was made.
 */
export async function loadPersonFacts(
  deps: { masterKeys: MasterKeyProvider; dialect: Dialect; clock: Clock },
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: Pick<PersonRow, 'id' | 'subjectKind'>,
  known?: {
    /** A date of birth being written now, which the stored values do not hold yet. */
    dateOfBirth?: string | undefined;
    /** The person's stored values, where the caller has read them already. */
    values?: readonly PersonalValueRow[];
  },
): Promise<PersonFacts> {
  const records = (await createConsentStore(db).listForPerson(scope, person.id)).filter(
    (record) => record.withdrawnAt === null,
  );
  const dateOfBirth =
    known?.dateOfBirth ?? (await dateOfBirthOf(deps, db, scope, person.id, known?.values));
  const age = dateOfBirth === undefined ? undefined : ageOn(dateOfBirth, deps.clock.now());
  const minors = active.policy.document.minors;
  const minor = minorStatus(minors, age, kindMayBeMinor(active, person.subjectKind));
  // `ask_again_at_age_of_consent`: once the person may consent alone, what was consented for them
  // while they could not (by a guardian, an institution, a form a guardian signed) is theirs to
  // confirm (EDPB Guidelines 05/2020 §8.1.1.1): it no longer counts until they give it themselves.
  const consentAge = minors?.guardian_consent_below_age;
  const counted =
    minors?.ask_again_at_age_of_consent === true &&
    dateOfBirth !== undefined &&
    consentAge !== undefined &&
    !minor.needsGuardianConsent
      ? records.filter(
          (record) => (ageOn(dateOfBirth, new Date(record.givenAt)) ?? consentAge) >= consentAge,
        )
      : records;
  // Restriction (GDPR Art. 18) and objection (Art. 21) requests in force act at once: the same
  // decision that reads consent reads them.
  const restrictions = await createRightsStore(db).activeRestrictions(scope, person.id);
  return {
    consent: {
      consentedPurposes: consentedPurposesOf(active, counted),
      restrictedCategories: new Set(
        restrictions
          .filter((restriction) => restriction.kind === 'restriction')
          .map((restriction) => restriction.categoryId ?? '*'),
      ),
      objectedPurposes: new Set(
        restrictions.flatMap((restriction) =>
          restriction.kind === 'objection' && restriction.purposeId !== null
            ? [restriction.purposeId]
            : [],
        ),
      ),
    },
    consentsInForce: counted,
    age,
    minor,
  };
}

import { ageOn, minorStatus } from '../../domain/age.js';
import { AppError } from '../../errors.js';
import { inTransaction, type Store } from '../../store/db.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import type { PersonRow } from '../../store/person-store.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { erasePersonIn } from './delete-person.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { Clock, IdGenerator } from '../../clock.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { RequestOrigin } from '../context.js';
import { kindMayBeMinor } from '../consents/person-facts.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/**
 * Refuses a person below the policy's minimum age whose kind may not be a child (kexara: "we don't
 * knowingly collect personal information from children under 13"): nothing is stored; the refusal
 * is audited without the data. A date of birth in the future is a wrong date, not a baby.
 */
export async function refuseBelowMinimumAge(
  deps: { clock: Clock; ids: IdGenerator; dialect: Store['dialect'] },
  store: Store,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: {
    subjectKind: string;
    dateOfBirth: string | undefined;
    actor: { actorType: 'staff' | 'api_token' | 'system' | 'person'; actorId: string | null };
    origin: RequestOrigin | undefined;
    subjectId?: string;
  },
): Promise<void> {
  if (person.dateOfBirth === undefined) {
    return;
  }
  const now = deps.clock.now();
  const age = ageOn(person.dateOfBirth, now);
  if (age !== undefined && person.dateOfBirth > now.toISOString().slice(0, 10)) {
    throw new AppError('VALIDATION_FAILED', 'The date of birth is in the future.', {
      details: { issues: [{ path: 'data.*.date_of_birth', message: 'must not be in the future' }] },
    });
  }
  const minors = active.policy.document.minors;
  const status = minorStatus(minors, age, kindMayBeMinor(active, person.subjectKind));
  if (!status.isBelowMinimumAge || kindMayBeMinor(active, person.subjectKind)) {
    return;
  }
  await inTransaction(store, (trx) =>
    writeAuditEvent(deps, trx, scope, person.origin, {
      ...person.actor,
      action: 'person.refused-below-minimum-age',
      outcome: 'denied',
      subjectId: person.subjectId ?? null,
      details: { subjectKind: person.subjectKind, minimumAge: minors?.minimum_account_age ?? null },
    }),
  );
  throw new AppError(
    'BELOW_MINIMUM_AGE',
    `The policy keeps no data about ${person.subjectKind} people under ${String(minors?.minimum_account_age ?? '')}: nothing was stored.`,
  );
}

/**
 * Data found about a child below the minimum age (a date of birth entered later) is deleted as the
 * policy says (`minors.on_underage_data_found`; kexara: "we'll delete it immediately"). Deleted at
 * once even where the policy allows a period (kajuyali: within 30 days): the period is a maximum,
 * and keeping a child's data the organisation may not hold serves no purpose meanwhile.
 */
export async function eraseIfBelowMinimumAge(
  deps: {
    clock: Clock;
    ids: IdGenerator;
    dialect: Store['dialect'];
    masterKeys: MasterKeyProvider;
  },
  store: Store,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: Pick<PersonRow, 'id' | 'subjectKind'>,
  found: {
    dateOfBirth: string | undefined;
    actor: { actorType: 'staff' | 'api_token' | 'system' | 'person'; actorId: string | null };
    origin: RequestOrigin | undefined;
  },
): Promise<void> {
  try {
    await refuseBelowMinimumAge(deps, store, scope, active, {
      subjectKind: person.subjectKind,
      dateOfBirth: found.dateOfBirth,
      actor: found.actor,
      origin: found.origin,
      subjectId: person.id,
    });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'BELOW_MINIMUM_AGE') {
      throw error;
    }
    const rule = active.policy.document.minors?.on_underage_data_found;
    await inTransaction(store, (trx) =>
      erasePersonIn(deps, trx, scope, person.id, {
        actor: found.actor,
        origin: found.origin,
        action: 'person.deleted-below-minimum-age',
        details: { rule: rule ?? null },
      }),
    );
    await purgeDestroyedKeyPages(store);
    throw new AppError(
      'BELOW_MINIMUM_AGE',
      'The person is below the minimum age the policy allows: everything held about them was deleted.',
    );
  }
}

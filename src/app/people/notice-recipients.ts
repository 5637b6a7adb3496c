import type { Clock } from '../../clock.js';
import { ageOn, minorStatus, type MinorStatus } from '../../domain/age.js';
import type { Dialect, Executor } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { dateOfBirthOf, kindMayBeMinor } from '../consents/person-facts.js';
import type { AppDeps } from '../context.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/** The status of a person under the policy's minors rules now (their age is read afresh). */
async function minorStatusOf(
  deps: { masterKeys: AppDeps['masterKeys']; dialect: Dialect; clock: Clock },
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: { id: string; subjectKind: string },
): Promise<MinorStatus> {
  const minors = active.policy.document.minors;
  const dateOfBirth =
    minors === undefined ? undefined : await dateOfBirthOf(deps, db, scope, person.id);
  const age = dateOfBirth === undefined ? undefined : ageOn(dateOfBirth, deps.clock.now());
  return minorStatus(minors, age, kindMayBeMinor(active, person.subjectKind));
}

/**
 * Who receives the notice for whom. A child a guardian may act for is told through their linked
 * guardians, not directly; a child who cannot consent alone and has no linked guardian cannot be
 * told at all (`no-guardian`); everyone else is told themselves.
 */
export async function recipientsOf(
  deps: { masterKeys: AppDeps['masterKeys']; dialect: Dialect; clock: Clock },
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  people: readonly { id: string; subjectKind: string }[],
): Promise<{ recipients: Map<string, Set<string>>; unreachable: string[] }> {
  const personStore = createPersonStore(db);
  const recipients = new Map<string, Set<string>>();
  const unreachable: string[] = [];
  const tell = (recipientId: string, personId: string): void => {
    const concerned = recipients.get(recipientId) ?? new Set<string>();
    concerned.add(personId);
    recipients.set(recipientId, concerned);
  };
  for (const person of people) {
    const status = await minorStatusOf(deps, db, scope, active, person);
    const guardians =
      status.guardianMayAct || status.needsGuardianConsent
        ? await personStore.guardiansOf(scope, person.id)
        : [];
    if (status.guardianMayAct && guardians.length > 0) {
      guardians.forEach((link) => {
        tell(link.guardianId, person.id);
      });
    } else if (status.needsGuardianConsent) {
      unreachable.push(person.id);
    } else {
      tell(person.id, person.id);
    }
  }
  return { recipients, unreachable };
}

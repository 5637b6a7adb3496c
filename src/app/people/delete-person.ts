import { inTransaction, type Executor } from '../../store/db.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent, type AuditEventFields } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { shredSubjectKeyInTransaction } from '../keys/shred-subject-key.js';
import {
  governingCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from './people-support.js';

/**
 * Deletes a person: every value, link and enrollment goes, and their data key is crypto-shredded
 * so encrypted values are unrecoverable in copies too (see store/key-store.ts for the exact
 * guarantee). The role must be allowed to delete every category held about them. The audit entry
 * keeps the person's id and the categories deleted, never the data.
 */
export async function deletePerson(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  context: { origin: RequestOrigin | undefined; purpose?: string | undefined },
): Promise<{ deletedCategories: string[] }> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, personId);
  const people = createPersonStore(deps.store.db);
  const held = [...new Set((await people.values(scope, personId)).map((row) => row.categoryId))];
  // A person with no data left is deleted under the categories the policy keeps about their kind.
  const governing = held.length > 0 ? held : governingCategoryIds(active, person.subjectKind);
  requireDataAccess(active, principal.role, governing, 'delete', context.purpose);
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  await inTransaction(deps.store, (trx) =>
    erasePersonIn(keyDeps, trx, scope, personId, {
      actor: actorOf(principal),
      origin: context.origin,
      action: 'person.delete',
      details: { categories: held, purpose: context.purpose ?? null },
    }),
  );
  await purgeDestroyedKeyPages(deps.store);
  return { deletedCategories: held };
}

/**
 * Removes a person in the caller's transaction: rows go (values, links, enrollments, consents by
 * cascade) and their data key is shredded. The caller runs `purgeDestroyedKeyPages` after commit.
 */
export async function erasePersonIn(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  personId: string,
  entry: {
    actor: { actorType: AuditEventFields['actorType']; actorId: string | null };
    origin: RequestOrigin | undefined;
    action: string;
    details: Record<string, unknown>;
    /**
     * Leave the organisation-key rotation to `completePendingShreds` (the retention sweep erases
     * many people and rotates once at its end, instead of re-wrapping every key per person).
     */
    deferRotation?: boolean;
  },
): Promise<void> {
  await createPersonStore(trx).delete(scope, personId);
  await shredSubjectKeyInTransaction(deps, trx, scope, {
    subjectId: personId,
    actor: entry.actor,
    ...(entry.origin === undefined ? {} : { origin: entry.origin }),
    deferRotation: entry.deferRotation === true,
  });
  await writeAuditEvent(deps, trx, scope, entry.origin, {
    ...entry.actor,
    action: entry.action,
    outcome: 'success',
    subjectId: personId,
    details: entry.details,
  });
}

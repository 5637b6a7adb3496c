import { inTransaction } from '../../store/db.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
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
  await inTransaction(deps.store, async (trx) => {
    await createPersonStore(trx).delete(scope, personId);
    await shredSubjectKeyInTransaction(keyDeps, trx, scope, {
      subjectId: personId,
      actor: actorOf(principal),
      ...(context.origin === undefined ? {} : { origin: context.origin }),
    });
    await writeAuditEvent(keyDeps, trx, scope, context.origin, {
      ...actorOf(principal),
      action: 'person.delete',
      outcome: 'success',
      subjectId: personId,
      details: { categories: held, purpose: context.purpose ?? null },
    });
  });
  await purgeDestroyedKeyPages(deps.store);
  return { deletedCategories: held };
}

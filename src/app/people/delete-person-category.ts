import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { requireActivePolicy, requireDataAccess, requirePerson } from './people-support.js';

/** Deletes one category of a person's data, if the role may delete it (kajuyali.txt §2: C may not). */
export async function deletePersonCategory(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  categoryId: string,
  context: { origin: RequestOrigin | undefined; purpose?: string | undefined },
): Promise<{ deletedValues: number }> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  await requirePerson(deps.store.db, scope, personId);
  requireDataAccess(active, principal.role, [categoryId], 'delete', context.purpose);
  const deletedValues = await inTransaction(deps.store, async (trx) => {
    const deleted = await createPersonStore(trx).deleteCategory(scope, personId, categoryId);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, context.origin, {
      ...actorOf(principal),
      action: 'person.delete-category',
      outcome: 'success',
      subjectId: personId,
      details: {
        categories: [categoryId],
        deletedValues: deleted,
        purpose: context.purpose ?? null,
      },
    });
    return deleted;
  });
  if (deletedValues === 0) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return { deletedValues };
}

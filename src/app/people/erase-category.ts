import type { Executor } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { KeyChangeActor } from '../keys/shred-subject-key.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import { shredCategoryKeyInTransaction } from '../keys/shred-category-key.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/**
 * Removes one category of a person in the caller's transaction: its rows go and, for an encrypted
 * category, its key is destroyed, so copies of the database taken before keep its ciphertexts
 * unreadable too. The organisation-key rotation this owes is deferred: the caller's run (or
 * serve's tick, `completePendingShredsEverywhere`) pays it once for many. Returns the rows deleted.
 */
export async function eraseCategoryIn(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  target: { personId: string; categoryId: string },
  actor: KeyChangeActor,
): Promise<number> {
  const deleted = await createPersonStore(trx).deleteCategory(
    scope,
    target.personId,
    target.categoryId,
  );
  if (active.policy.categories.get(target.categoryId)?.isEncrypted === true) {
    await shredCategoryKeyInTransaction(deps, trx, scope, {
      subjectId: target.personId,
      categoryId: target.categoryId,
      actor,
      deferRotation: true,
    });
  }
  return deleted;
}

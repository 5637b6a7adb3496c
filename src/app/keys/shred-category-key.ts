import type { Clock, IdGenerator } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Executor, type Store } from '../../store/db.js';
import { PERSON_WIDE_KEY, createKeyStore, purgeDestroyedKeyPages } from '../../store/key-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { RequestOrigin } from '../context.js';
import { governingSubjectKey, type KeyDeps } from './key-hierarchy.js';
import {
  NO_ROTATION,
  rotateAfterShred,
  type KeyChangeActor,
  type ShredRotation,
} from './shred-subject-key.js';

export interface ShredCategoryKeyInput {
  subjectId: string;
  /** The category whose key is destroyed: a policy category id, or a reserved `#…` key id. */
  categoryId: string;
  actor: KeyChangeActor;
  origin?: RequestOrigin;
  /**
   * Destroy the key only and leave the organisation key rotation to `completePendingShreds` (see
   * `ShredSubjectKeyInput.deferRotation`). Default false: rotate in this transaction.
   */
  deferRotation?: boolean;
}

export interface ShredCategoryKeyResult extends ShredRotation {
  /**
   * `shredded`: the category's key existed and is destroyed; `already-shredded`: it was destroyed
   * before, or the whole person was shredded; `no-key-existed`: nothing of the category was ever
   * encrypted for the person (nothing to destroy; a later write makes a key as usual);
   * `legacy-person-key`: the person predates per-category keys and one person-wide key encrypts
   * all their categories, so it cannot be destroyed for one category — nothing was destroyed, and
   * deleting the category's rows is the whole erasure (backups taken before it stay readable
   * until the person is shredded as a whole).
   */
  outcome: 'shredded' | 'already-shredded' | 'no-key-existed' | 'legacy-person-key';
  /** Whether the outcome makes the category's ciphertexts unreadable in every copy (in time). */
  isCryptographic: boolean;
}

/**
 * Crypto-shreds one category of one person in the caller's transaction (a retention deletion of
 * that category): destroys its data key only, so the person's other categories keep decrypting
 * and a backup holding the category's ciphertexts cannot be opened once the organisation key is
 * rotated — here, or by `completePendingShreds` with `deferRotation`. Appends a
 * `key.shred-category` audit entry naming the person, the category and the key ids, and saying
 * when the shred could not be cryptographic. Writing the category again later makes a fresh key.
 * Call {@link purgeDestroyedKeyPages} after commit.
 */
export async function shredCategoryKeyInTransaction(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  input: ShredCategoryKeyInput,
): Promise<ShredCategoryKeyResult> {
  const keys = createKeyStore(trx, deps.dialect);
  await keys.lockOrganizationKeys(scope);
  const governing = governingSubjectKey(
    await keys.findSubjectKeys(scope, input.subjectId, [PERSON_WIDE_KEY, input.categoryId]),
    input.categoryId,
  );
  let outcome: ShredCategoryKeyResult['outcome'];
  if (governing === undefined) {
    outcome = 'no-key-existed';
  } else if (governing.categoryId === PERSON_WIDE_KEY && governing.destroyedAt === null) {
    outcome = 'legacy-person-key';
  } else if (governing.destroyedAt !== null) {
    outcome = 'already-shredded';
  } else {
    const destroyed = await keys.destroySubjectKeys(
      scope,
      { subjectId: input.subjectId, categoryId: input.categoryId },
      deps.clock.now().toISOString(),
    );
    outcome = destroyed > 0 ? 'shredded' : 'already-shredded';
  }
  // Also completes a rotation that an earlier deferred shred of this key, or of the whole person
  // (a destroyed person-wide row), still owes.
  const rotation =
    governing === undefined || outcome === 'legacy-person-key'
      ? NO_ROTATION
      : await rotateAfterShred(
          deps,
          trx,
          scope,
          governing.categoryId === PERSON_WIDE_KEY
            ? { subjectId: input.subjectId }
            : { subjectId: input.subjectId, categoryId: governing.categoryId },
          input.deferRotation === true,
        );
  const result: ShredCategoryKeyResult = {
    outcome,
    isCryptographic: outcome !== 'legacy-person-key',
    ...rotation,
  };
  await writeAuditEvent(deps, trx, scope, input.origin, {
    actorType: input.actor.actorType,
    actorId: input.actor.actorId,
    action: 'key.shred-category',
    outcome: 'success',
    subjectId: input.subjectId,
    details: {
      categoryId: input.categoryId,
      result: outcome,
      isCryptographic: result.isCryptographic,
      ...(outcome === 'legacy-person-key'
        ? {
            note: 'The person predates per-category keys: one person-wide key encrypts every category, so none was destroyed. Copies taken before this deletion stay readable until the person is shredded as a whole.',
          }
        : {}),
      retiredOrganizationKeyId: result.retiredOrganizationKeyId,
      masterKeyIdToRetire: result.masterKeyIdToRetire,
      rewrappedSubjectKeys: result.rewrappedSubjectKeys,
      rotationPending: result.rotationPending,
    },
  });
  return result;
}

/** Crypto-shreds one category of one person in a transaction of its own, then purges (SQLite). */
export async function shredCategoryKey(
  deps: { store: Store; masterKeys: MasterKeyProvider; clock: Clock; ids: IdGenerator },
  scope: OrganizationScope,
  input: ShredCategoryKeyInput,
): Promise<ShredCategoryKeyResult> {
  const result = await inTransaction(deps.store, (trx) =>
    shredCategoryKeyInTransaction({ ...deps, dialect: deps.store.dialect }, trx, scope, input),
  );
  await purgeDestroyedKeyPages(deps.store);
  return result;
}

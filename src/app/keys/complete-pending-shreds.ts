import type { Clock, IdGenerator } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Store } from '../../store/db.js';
import { createKeyStore, purgeDestroyedKeyPages } from '../../store/key-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import {
  rotateOrganizationKeyInTransaction,
  type OrganizationKeyRotation,
} from './key-hierarchy.js';
import type { KeyChangeActor } from './shred-subject-key.js';

/**
 * `rotated`: shreds were pending and one rotation completed them all (`completedShreds` destroyed
 * keys); `nothing-pending`: every destroyed key's organisation key was already destroyed.
 */
export type CompletePendingShredsResult =
  | ({ outcome: 'rotated'; completedShreds: number } & OrganizationKeyRotation)
  | { outcome: 'nothing-pending' };

/**
 * Ends the window that `deferRotation` opened: if any destroyed data key of the organisation still
 * names the live organisation key, rotates that key once — re-wrapping every live data key under a
 * fresh one and destroying the old — and audits it as `key.shred-rotation` with the counts, in one
 * transaction; then purges freed pages (SQLite). A sweep calls it once at its end, after its
 * per-person transactions, instead of rotating once per person.
 *
 * The destroyed rows themselves are the record of what is owed, so this is idempotent and safe
 * after a crash anywhere: a sweep that died before calling it leaves the rows, and the next call
 * (or any rotation or undeferred shred) completes them. With nothing pending it costs one indexed
 * query.
 */
export async function completePendingShreds(
  deps: { store: Store; masterKeys: MasterKeyProvider; clock: Clock; ids: IdGenerator },
  scope: OrganizationScope,
  actor: KeyChangeActor,
): Promise<CompletePendingShredsResult> {
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const result = await inTransaction(
    deps.store,
    async (trx): Promise<CompletePendingShredsResult> => {
      const keys = createKeyStore(trx, deps.store.dialect);
      if ((await keys.countKeysAwaitingRotation(scope)) === 0) {
        return { outcome: 'nothing-pending' };
      }
      // Count again under the key lock: a concurrent call or shred may have rotated meanwhile,
      // and shreds committing after this count wait for the lock and name the fresh key.
      await keys.lockOrganizationKeys(scope);
      const pending = await keys.countKeysAwaitingRotation(scope);
      if (pending === 0) {
        return { outcome: 'nothing-pending' };
      }
      const rotation = await rotateOrganizationKeyInTransaction(keyDeps, trx, scope);
      if (rotation === undefined) {
        throw new Error('destroyed keys name a live organisation key, but there is none to rotate');
      }
      await writeAuditEvent(keyDeps, trx, scope, undefined, {
        actorType: actor.actorType,
        actorId: actor.actorId,
        action: 'key.shred-rotation',
        outcome: 'success',
        subjectId: null,
        details: { completedShreds: pending, ...rotation },
      });
      return { outcome: 'rotated', completedShreds: pending, ...rotation };
    },
  );
  // Also after nothing was pending: the deferred destroys freed pages of their own.
  await purgeDestroyedKeyPages(deps.store);
  return result;
}

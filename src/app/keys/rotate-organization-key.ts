import type { Clock, IdGenerator } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Store } from '../../store/db.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { RequestOrigin } from '../context.js';
import {
  rotateOrganizationKeyInTransaction,
  type OrganizationKeyRotation,
} from './key-hierarchy.js';
import type { KeyChangeActor } from './shred-subject-key.js';

export interface RotateOrganizationKeyInput {
  actor: KeyChangeActor;
  origin?: RequestOrigin;
}

/** `rotated` with what changed, or `no-key` when nothing was ever encrypted in the organisation. */
export type RotateOrganizationKeyResult =
  ({ outcome: 'rotated' } & OrganizationKeyRotation) | { outcome: 'no-key' };

/**
 * Replaces one organisation's key: every live data key is re-wrapped under a fresh organisation
 * key and the old one is destroyed, which also completes any shred whose rotation was deferred.
 * Data keys and ciphertexts are unchanged, so nothing else is rewritten. Audited as `key.rotate`
 * in the same transaction.
 */
export async function rotateOrganizationKey(
  deps: { store: Store; masterKeys: MasterKeyProvider; clock: Clock; ids: IdGenerator },
  scope: OrganizationScope,
  input: RotateOrganizationKeyInput,
): Promise<RotateOrganizationKeyResult> {
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const result = await inTransaction(deps.store, async (trx) => {
    const rotation = await rotateOrganizationKeyInTransaction(keyDeps, trx, scope);
    if (rotation === undefined) {
      return { outcome: 'no-key' } as const;
    }
    await writeAuditEvent(keyDeps, trx, scope, input.origin, {
      actorType: input.actor.actorType,
      actorId: input.actor.actorId,
      action: 'key.rotate',
      outcome: 'success',
      subjectId: null,
      details: { kind: 'organization', ...rotation },
    });
    return { outcome: 'rotated', ...rotation } as const;
  });
  await purgeDestroyedKeyPages(deps.store);
  return result;
}

import type { Clock, IdGenerator } from '../../clock.js';
import { rewrapWithCurrentKey, type MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Store } from '../../store/db.js';
import { createKeyStore } from '../../store/key-store.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { rewrapAuditSigningKeys } from '../audit/audit-signing-keys.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { rewrapLinkSigningKeys } from '../links/link-keys.js';
import type { RequestOrigin } from '../context.js';
import { organizationKeyContext } from './key-hierarchy.js';
import type { KeyChangeActor } from './shred-subject-key.js';

export interface RotateMasterKeyInput {
  actor: KeyChangeActor;
  origin?: RequestOrigin;
}

export interface RotateMasterKeyResult {
  /** The current master key, which now wraps every live organisation key. */
  masterKeyId: string;
  rewrappedOrganizationKeys: number;
  /** Organisations with at least one key re-wrapped (each has a `key.rotate` audit entry). */
  organizationsChanged: number;
  /**
   * Configured previous master keys that no longer wrap any live key: remove them from the key
   * file (and every copy of it). Removing one that still wraps a live key would lose data.
   */
  retirableMasterKeyIds: string[];
  /**
   * Destroyed organisation keys (from shreds and rotations) wrapped by a master key that is still
   * configured, by master key id: database copies taken before their destruction stay readable by
   * whoever holds that master key. Zero everywhere is when every shred is final in old copies.
   */
  destroyedKeysStillRecoverable: Record<string, number>;
}

/**
 * Re-wraps every live organisation key under the provider's current master key, one transaction
 * per organisation (audited there as `key.rotate`). Organisation and data keys are unchanged.
 * Run it after putting a new key first in the key file; then remove the keys it reports
 * retirable — that removal is what makes earlier shreds final in old copies (store/key-store.ts).
 */
export async function rotateMasterKey(
  deps: { store: Store; masterKeys: MasterKeyProvider; clock: Clock; ids: IdGenerator },
  input: RotateMasterKeyInput,
): Promise<RotateMasterKeyResult> {
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const current = deps.masterKeys.keyId;
  const organizations = await createOrganizationStore(deps.store.db).list();
  let rewrapped = 0;
  let changed = 0;
  const liveByMasterKey = new Map<string, number>();
  const destroyedByMasterKey = new Map<string, number>();
  for (const organization of organizations) {
    const scope = scopeOf(organization.id);
    const usage = await inTransaction(deps.store, async (trx) => {
      const keys = createKeyStore(trx, deps.store.dialect);
      await keys.lockOrganizationKeys(scope);
      const stale = await keys.listOrganizationKeysWrappedByOtherMasterKeys(scope, current);
      for (const row of stale) {
        const wrapped = await rewrapWithCurrentKey(
          deps.masterKeys,
          { keyId: row.masterKeyId, wrapped: row.wrappedKey },
          organizationKeyContext(scope.organizationId, row.id),
        );
        await keys.rewrapOrganizationKey(scope, row.id, {
          wrappedKey: wrapped.wrapped,
          masterKeyId: wrapped.keyId,
        });
      }
      if (stale.length > 0) {
        await writeAuditEvent(keyDeps, trx, scope, input.origin, {
          actorType: input.actor.actorType,
          actorId: input.actor.actorId,
          action: 'key.rotate',
          outcome: 'success',
          subjectId: null,
          details: {
            kind: 'master',
            masterKeyId: current,
            previousMasterKeyIds: [...new Set(stale.map((row) => row.masterKeyId))],
            rewrappedOrganizationKeys: stale.length,
          },
        });
      }
      rewrapped += stale.length;
      changed += stale.length > 0 ? 1 : 0;
      // Audit checkpoint signing seeds are wrapped by the master key too: re-wrap them, and
      // count whatever still depends on an old master key so it is never reported retirable.
      const signing = await rewrapAuditSigningKeys(deps, trx, scope);
      for (const masterKeyId of signing.masterKeyIds) {
        add(liveByMasterKey, masterKeyId, 1);
      }
      // So are the secrets that sign unsubscribe and withdrawal links: links already sent keep
      // working after the old master key is retired.
      const links = await rewrapLinkSigningKeys(deps, trx, scope);
      for (const masterKeyId of links.masterKeyIds) {
        add(liveByMasterKey, masterKeyId, 1);
      }
      return keys.masterKeyUsage(scope);
    });
    for (const entry of usage) {
      add(liveByMasterKey, entry.masterKeyId, entry.liveKeys);
      add(destroyedByMasterKey, entry.masterKeyId, entry.destroyedKeys);
    }
  }
  const configured = new Set(deps.masterKeys.keyIds);
  return {
    masterKeyId: current,
    rewrappedOrganizationKeys: rewrapped,
    organizationsChanged: changed,
    retirableMasterKeyIds: deps.masterKeys.keyIds.filter(
      (id) => id !== current && (liveByMasterKey.get(id) ?? 0) === 0,
    ),
    destroyedKeysStillRecoverable: Object.fromEntries(
      [...destroyedByMasterKey].filter(([id, count]) => configured.has(id) && count > 0),
    ),
  };
}

function add(counts: Map<string, number>, key: string, amount: number): void {
  counts.set(key, (counts.get(key) ?? 0) + amount);
}

import type { Clock } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { checkpointNote, type Checkpoint } from '../../domain/audit-chain.js';
import { createAuditStore } from '../../store/audit-store.js';
import { inTransaction, type Store } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import { loadOrCreateAuditSigner } from './audit-signing-keys.js';

/**
 * Seals the organisation's audit chain at its current head with a signed checkpoint, unless the
 * head is already sealed. Run periodically (the server does it on a timer) and before exports;
 * entries written after the last checkpoint can be cut from the end undetected, so the interval
 * bounds what a database administrator could silently remove.
 */
export async function sealAuditLog(
  deps: { store: Store; clock: Clock; masterKeys: MasterKeyProvider },
  scope: OrganizationScope,
): Promise<Checkpoint | undefined> {
  return inTransaction(deps.store, async (trx) => {
    const audit = createAuditStore(trx, deps.store.dialect);
    const head = await audit.head(scope);
    if (head === undefined || head.sequence <= (await audit.latestCheckpointSize(scope))) {
      return undefined;
    }
    const unsigned = {
      organizationId: scope.organizationId,
      treeSize: head.sequence,
      headHash: head.hash,
      signedAt: deps.clock.now().toISOString(),
    };
    const signer = await loadOrCreateAuditSigner(deps, trx, scope);
    const checkpoint: Checkpoint = {
      ...unsigned,
      keyId: signer.keyId,
      signature: signer.sign(checkpointNote(unsigned)),
    };
    await audit.insertCheckpoint(scope, checkpoint);
    return checkpoint;
  });
}

/** Seals every organisation's chain; returns how many checkpoints were written. */
export async function sealAllAuditLogs(deps: {
  store: Store;
  clock: Clock;
  masterKeys: MasterKeyProvider;
}): Promise<number> {
  let sealed = 0;
  for (const organization of await createOrganizationStore(deps.store.db).list()) {
    if ((await sealAuditLog(deps, scopeOf(organization.id))) !== undefined) {
      sealed += 1;
    }
  }
  return sealed;
}

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { createAuditSigner, type AuditSigner } from '../../crypto/audit-signer.js';
import { rewrapWithCurrentKey, type MasterKeyProvider } from '../../crypto/master-key.js';
import { createAuditStore } from '../../store/audit-store.js';
import type { Executor, Store } from '../../store/db.js';
import type { OrganizationScope } from '../../store/scope.js';

function wrapContext(organizationId: string, keyId: string): string {
  return `custodia.audit-signing:${organizationId}:${keyId}`;
}

/**
 * The organisation's checkpoint signer: its Ed25519 seed is kept wrapped by the master key and
 * created on first use. Someone with only the database cannot sign, and a key row they plant does
 * not unwrap, so it is never trusted.
 */
export async function loadOrCreateAuditSigner(
  deps: { store: Store; clock: Clock; masterKeys: MasterKeyProvider },
  trx: Executor,
  scope: OrganizationScope,
): Promise<AuditSigner> {
  const audit = createAuditStore(trx, deps.store.dialect);
  const [newest] = await audit.listSigningKeys(scope);
  if (newest !== undefined) {
    const seed = await deps.masterKeys.unwrap(
      { keyId: newest.masterKeyId, wrapped: newest.wrappedSeed },
      wrapContext(scope.organizationId, newest.keyId),
    );
    return createAuditSigner(seed);
  }
  const seed = randomBytes(32);
  const signer = createAuditSigner(seed);
  const wrapped = await deps.masterKeys.wrap(seed, wrapContext(scope.organizationId, signer.keyId));
  await audit.insertSigningKey(scope, {
    keyId: signer.keyId,
    masterKeyId: wrapped.keyId,
    wrappedSeed: wrapped.wrapped,
    publicKeyPem: signer.publicKeyPem,
    createdAt: deps.clock.now().toISOString(),
  });
  return signer;
}

/**
 * The public keys a verifier may trust for this organisation: those whose seed unwraps with the
 * master key and matches the stored public key. Returns the untrusted key ids too, to report.
 */
export async function trustedAuditPublicKeys(
  deps: { store: Store; masterKeys: MasterKeyProvider },
  scope: OrganizationScope,
): Promise<{ trusted: string[]; untrusted: string[] }> {
  const keys = await createAuditStore(deps.store.db, deps.store.dialect).listSigningKeys(scope);
  const trusted: string[] = [];
  const untrusted: string[] = [];
  for (const key of keys) {
    try {
      const seed = await deps.masterKeys.unwrap(
        { keyId: key.masterKeyId, wrapped: key.wrappedSeed },
        wrapContext(scope.organizationId, key.keyId),
      );
      const signer = createAuditSigner(seed);
      if (signer.keyId === key.keyId) {
        trusted.push(signer.publicKeyPem);
      } else {
        untrusted.push(key.keyId);
      }
    } catch {
      untrusted.push(key.keyId);
    }
  }
  return { trusted, untrusted };
}

/**
 * Re-wraps the organisation's checkpoint signing seeds under the current master key (part of
 * `custodia keys rotate-master`), so a retired master key is not needed to keep signing or
 * verifying. Returns the master key ids that still wrap a seed afterwards (none on success).
 */
export async function rewrapAuditSigningKeys(
  deps: { store: Store; masterKeys: MasterKeyProvider },
  trx: Executor,
  scope: OrganizationScope,
): Promise<{ rewrapped: number; masterKeyIds: string[] }> {
  const audit = createAuditStore(trx, deps.store.dialect);
  let rewrapped = 0;
  for (const key of await audit.listSigningKeys(scope)) {
    if (key.masterKeyId === deps.masterKeys.keyId) {
      continue;
    }
    const wrapped = await rewrapWithCurrentKey(
      deps.masterKeys,
      { keyId: key.masterKeyId, wrapped: key.wrappedSeed },
      wrapContext(scope.organizationId, key.keyId),
    );
    await audit.rewrapSigningKey(scope, key.keyId, {
      masterKeyId: wrapped.keyId,
      wrappedSeed: wrapped.wrapped,
    });
    rewrapped += 1;
  }
  const remaining = await audit.listSigningKeys(scope);
  return { rewrapped, masterKeyIds: remaining.map((key) => key.masterKeyId) };
}

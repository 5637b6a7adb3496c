import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { DecryptionError, KeyUnavailableError } from '../../crypto/envelope.js';
import { rewrapWithCurrentKey, type MasterKeyProvider } from '../../crypto/master-key.js';
import { LINK_SECRET_BYTES, linkKeyIdOf, type LinkKey } from '../../crypto/signed-links.js';
import type { Executor } from '../../store/db.js';
import { createLinkKeyStore, type LinkSigningKeyRow } from '../../store/link-key-store.js';
import type { OrganizationScope } from '../../store/scope.js';

function wrapContext(organizationId: string, keyId: string): string {
  return `custodia.link-signing:${organizationId}:${keyId}`;
}

/** Unwraps a stored secret; undefined when it does not unwrap or is not the key it claims to be. */
async function unwrapLinkKey(
  deps: { masterKeys: MasterKeyProvider },
  scope: OrganizationScope,
  row: LinkSigningKeyRow,
): Promise<LinkKey | undefined> {
  try {
    const secret = await deps.masterKeys.unwrap(
      { keyId: row.masterKeyId, wrapped: row.wrappedSecret },
      wrapContext(scope.organizationId, row.keyId),
    );
    return linkKeyIdOf(secret) === row.keyId ? { id: row.keyId, secret } : undefined;
  } catch (error) {
    // Altered or planted (DecryptionError), or wrapped by a retired master key: not a key. Any
    // other failure (a KMS that cannot be reached) is not an answer about the key: it propagates.
    if (error instanceof DecryptionError || error instanceof KeyUnavailableError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * The organisation's link signing key: the newest one that unwraps, created on first use. Its
 * secret is kept only wrapped by the master key, bound to the organisation and key id: someone
 * with only the database can neither sign a link nor plant a key of their own (a planted row does
 * not unwrap, so it is passed over). A key whose master key was retired without re-wrapping
 * (`rewrapLinkSigningKeys`) is passed over too, and a new one made: the links it signed stop
 * working, but new links can still be issued.
 *
 * Two first uses at once may each create a key; both are kept and both verify their own links
 * (a link names its key), so no lock is needed.
 */
export async function loadOrCreateLinkKey(
  deps: { clock: Clock; masterKeys: MasterKeyProvider },
  trx: Executor,
  scope: OrganizationScope,
): Promise<LinkKey> {
  const keys = createLinkKeyStore(trx);
  for (const row of await keys.list(scope)) {
    const key = await unwrapLinkKey(deps, scope, row);
    if (key !== undefined) {
      return key;
    }
  }
  const secret = randomBytes(LINK_SECRET_BYTES);
  const id = linkKeyIdOf(secret);
  const wrapped = await deps.masterKeys.wrap(secret, wrapContext(scope.organizationId, id));
  await keys.insert(scope, {
    keyId: id,
    masterKeyId: wrapped.keyId,
    wrappedSecret: wrapped.wrapped,
    createdAt: deps.clock.now().toISOString(),
  });
  return { id, secret };
}

/**
 * The key a link names, if this organisation has it and it unwraps. A row that does not unwrap
 * (altered, planted, or wrapped by a retired master key) is no key at all: its links are invalid.
 */
export async function findLinkKey(
  deps: { masterKeys: MasterKeyProvider },
  db: Executor,
  scope: OrganizationScope,
  keyId: string,
): Promise<LinkKey | undefined> {
  const row = await createLinkKeyStore(db).find(scope, keyId);
  return row === undefined ? undefined : unwrapLinkKey(deps, scope, row);
}

/**
 * Re-wraps the organisation's link signing secrets under the current master key, for
 * `custodia keys rotate-master` (as `rewrapAuditSigningKeys` does for checkpoint keys). Returns
 * the master key ids that still wrap a secret afterwards (none on success).
 */
export async function rewrapLinkSigningKeys(
  deps: { masterKeys: MasterKeyProvider },
  trx: Executor,
  scope: OrganizationScope,
): Promise<{ rewrapped: number; masterKeyIds: string[] }> {
  const keys = createLinkKeyStore(trx);
  let rewrapped = 0;
  for (const key of await keys.list(scope)) {
    if (key.masterKeyId === deps.masterKeys.keyId) {
      continue;
    }
    const wrapped = await rewrapWithCurrentKey(
      deps.masterKeys,
      { keyId: key.masterKeyId, wrapped: key.wrappedSecret },
      wrapContext(scope.organizationId, key.keyId),
    );
    await keys.rewrap(scope, key.keyId, {
      masterKeyId: wrapped.keyId,
      wrappedSecret: wrapped.wrapped,
    });
    rewrapped += 1;
  }
  const remaining = await keys.list(scope);
  return { rewrapped, masterKeyIds: remaining.map((key) => key.masterKeyId) };
}

import type { Clock, IdGenerator } from '../../clock.js';
import { KeyUnavailableError, generateKey, unwrapKey, wrapKey } from '../../crypto/envelope.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import type { Dialect, Executor } from '../../store/db.js';
import { createKeyStore, type SubjectKeyRow } from '../../store/key-store.js';
import type { OrganizationScope } from '../../store/scope.js';

/**
 * The key hierarchy's shared steps, used by the encrypt, decrypt, shred and rotate use cases so
 * there is one way to unwrap, create and rotate keys. Unwrapped keys live only in local Buffers
 * that are zeroed after use (best effort: V8 may have copied them, but nothing writes them out).
 *
 * No cache of unwrapped organisation keys: unwrapping one is a single AES-GCM operation on 32
 * bytes (a few microseconds, `bench/envelope.ts`), far below the database read that precedes it,
 * and a cache would have to be invalidated across processes when a shred destroys the key.
 */

/** What the key use cases need inside a caller's transaction. */
export interface KeyDeps {
  masterKeys: MasterKeyProvider;
  clock: Clock;
  ids: IdGenerator;
  dialect: Dialect;
}

/** Binds an organisation key, wrapped by a master key, to its organisation and its own id. */
export function organizationKeyContext(organizationId: string, organizationKeyId: string): string {
  return JSON.stringify(['custodia.organization-key', organizationId, organizationKeyId]);
}

/** Binds a person's data key to its organisation and person: wrapped keys cannot be swapped. */
export function subjectKeyContext(organizationId: string, subjectId: string): string {
  return JSON.stringify(['custodia.subject-key', organizationId, subjectId]);
}

async function unwrapOrganizationKey(
  masterKeys: MasterKeyProvider,
  scope: OrganizationScope,
  organizationKeyId: string,
  wrapped: { wrappedKey: string; masterKeyId: string },
): Promise<Buffer> {
  return masterKeys.unwrap(
    { keyId: wrapped.masterKeyId, wrapped: wrapped.wrappedKey },
    organizationKeyContext(scope.organizationId, organizationKeyId),
  );
}

/**
 * Unwraps a person's data key from its row. Throws KeyUnavailableError when the person was
 * shredded, their organisation key destroyed, or its master key is not configured.
 */
export async function openSubjectDataKey(
  masterKeys: MasterKeyProvider,
  scope: OrganizationScope,
  row: SubjectKeyRow,
): Promise<Buffer> {
  if (row.destroyedAt !== null || row.wrappedKey === null || row.organizationKeyId === null) {
    throw new KeyUnavailableError(
      'subject-key-destroyed',
      'This person’s data key was destroyed (crypto-shredded); their encrypted fields cannot be read.',
    );
  }
  if (row.organizationKey?.wrappedKey === null || row.organizationKey === undefined) {
    throw new KeyUnavailableError(
      'organization-key-destroyed',
      'The organisation key that wrapped this person’s data key was destroyed.',
    );
  }
  const organizationKey = await unwrapOrganizationKey(masterKeys, scope, row.organizationKeyId, {
    wrappedKey: row.organizationKey.wrappedKey,
    masterKeyId: row.organizationKey.masterKeyId,
  });
  try {
    return unwrapKey(
      organizationKey,
      row.organizationKeyId,
      row.wrappedKey,
      subjectKeyContext(scope.organizationId, row.subjectId),
    );
  } finally {
    organizationKey.fill(0);
  }
}

/** The person's data key for reading; throws KeyUnavailableError when there is none to open. */
export async function readSubjectDataKey(
  deps: Pick<KeyDeps, 'masterKeys' | 'dialect'>,
  db: Executor,
  scope: OrganizationScope,
  subjectId: string,
): Promise<Buffer> {
  const row = await createKeyStore(db, deps.dialect).findSubjectKey(scope, subjectId);
  if (row === undefined) {
    throw new KeyUnavailableError(
      'subject-key-missing',
      'No data key exists for this person, so none of their fields were encrypted here.',
    );
  }
  return openSubjectDataKey(deps.masterKeys, scope, row);
}

/**
 * The person's data key for writing, created (with the organisation's first key if need be) on
 * first use in the caller's transaction, so the key commits or rolls back with the data it
 * encrypts. Refuses a person who was shredded: their data must not come back under a new key.
 */
export async function obtainSubjectDataKey(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  subjectId: string,
): Promise<Buffer> {
  const keys = createKeyStore(trx, deps.dialect);
  const existing = await keys.findSubjectKey(scope, subjectId);
  if (existing !== undefined) {
    return openSubjectDataKey(deps.masterKeys, scope, existing);
  }
  // Creation takes the organisation's key lock, so a concurrent rotation cannot retire the
  // organisation key between our wrapping under it and our commit.
  await keys.lockOrganizationKeys(scope);
  const current = await currentOrganizationKey(deps, trx, scope);
  const dataKey = generateKey();
  try {
    const inserted = await keys.insertSubjectKey(scope, {
      subjectId,
      organizationKeyId: current.id,
      wrappedKey: wrapKey(
        current.key,
        current.id,
        dataKey,
        subjectKeyContext(scope.organizationId, subjectId),
      ),
      createdAt: deps.clock.now().toISOString(),
      destroyedAt: null,
    });
    if (inserted) {
      return Buffer.from(dataKey);
    }
  } finally {
    dataKey.fill(0);
    current.key.fill(0);
  }
  // Another transaction created it first (PostgreSQL waited for it on the primary key).
  const created = await keys.findSubjectKey(scope, subjectId);
  if (created === undefined) {
    throw new Error(`subject key for ${subjectId} vanished during creation`);
  }
  return openSubjectDataKey(deps.masterKeys, scope, created);
}

/** The organisation's current key, unwrapped, created on first use. Call under the key lock. */
async function currentOrganizationKey(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
): Promise<{ id: string; key: Buffer }> {
  const keys = createKeyStore(trx, deps.dialect);
  const current = await keys.findCurrentOrganizationKey(scope);
  if (current !== undefined) {
    return {
      id: current.id,
      key: await unwrapOrganizationKey(deps.masterKeys, scope, current.id, current),
    };
  }
  return createOrganizationKey(deps, trx, scope);
}

async function createOrganizationKey(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
): Promise<{ id: string; key: Buffer }> {
  const id = deps.ids.next();
  const key = generateKey();
  const wrapped = await deps.masterKeys.wrap(key, organizationKeyContext(scope.organizationId, id));
  await createKeyStore(trx, deps.dialect).insertOrganizationKey(scope, {
    id,
    wrappedKey: wrapped.wrapped,
    masterKeyId: wrapped.keyId,
    createdAt: deps.clock.now().toISOString(),
  });
  return { id, key };
}

/** What an organisation key rotation did. */
export interface OrganizationKeyRotation {
  retiredOrganizationKeyId: string;
  organizationKeyId: string;
  /** The master key that wrapped the destroyed key: old copies die only when it is retired. */
  retiredKeyMasterKeyId: string;
  rewrappedSubjectKeys: number;
}

/**
 * Replaces the organisation key: re-wraps every live person's key under a fresh one and destroys
 * the old one (its wrapped form set to NULL), in the caller's transaction. Data keys, and so every
 * stored ciphertext, are unchanged. Returns undefined when the organisation has no key yet.
 */
export async function rotateOrganizationKeyInTransaction(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
): Promise<OrganizationKeyRotation | undefined> {
  const keys = createKeyStore(trx, deps.dialect);
  await keys.lockOrganizationKeys(scope);
  const old = await keys.findCurrentOrganizationKey(scope);
  if (old === undefined) {
    return undefined;
  }
  const oldKey = await unwrapOrganizationKey(deps.masterKeys, scope, old.id, old);
  // Destroy before inserting: the schema allows one current key per organisation.
  await keys.destroyOrganizationKey(scope, old.id, deps.clock.now().toISOString());
  const fresh = await createOrganizationKey(deps, trx, scope);
  let rewrapped = 0;
  try {
    for (;;) {
      // Each page re-wraps what it reads, so the next page starts where this one ended.
      const page = await keys.listSubjectKeysWrappedBy(scope, old.id);
      if (page.length === 0) {
        break;
      }
      for (const row of page) {
        const context = subjectKeyContext(scope.organizationId, row.subjectId);
        const dataKey = unwrapKey(oldKey, old.id, row.wrappedKey, context);
        try {
          await keys.rewrapSubjectKey(scope, row.subjectId, {
            organizationKeyId: fresh.id,
            wrappedKey: wrapKey(fresh.key, fresh.id, dataKey, context),
          });
        } finally {
          dataKey.fill(0);
        }
        rewrapped += 1;
      }
    }
  } finally {
    oldKey.fill(0);
    fresh.key.fill(0);
  }
  return {
    retiredOrganizationKeyId: old.id,
    organizationKeyId: fresh.id,
    retiredKeyMasterKeyId: old.masterKeyId,
    rewrappedSubjectKeys: rewrapped,
  };
}

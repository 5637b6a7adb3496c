import type { Clock, IdGenerator } from '../../clock.js';
import { KeyUnavailableError, generateKey, unwrapKey, wrapKey } from '../../crypto/envelope.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import type { Dialect, Executor } from '../../store/db.js';
import { PERSON_WIDE_KEY, createKeyStore, type SubjectKeyRow } from '../../store/key-store.js';
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

/**
 * The key category of consent evidence (the scanned, signed form): outside the policy's
 * categories, whose ids are kebab-case, so no policy category can share (and shred) its key.
 */
export const CONSENT_EVIDENCE_KEY = '#consent-evidence';

/**
 * Binds a data key to its organisation, person and category: wrapped keys cannot be swapped
 * between people, nor between one person's categories. A person-wide key keeps the context it was
 * wrapped with before per-category keys existed, so it still unwraps.
 */
export function subjectKeyContext(
  organizationId: string,
  subjectId: string,
  categoryId: string,
): string {
  return categoryId === PERSON_WIDE_KEY
    ? JSON.stringify(['custodia.subject-key', organizationId, subjectId])
    : JSON.stringify(['custodia.subject-category-key', organizationId, subjectId, categoryId]);
}

/**
 * The row that decides a person's key for a category, among the rows `findSubjectKeys` read for
 * [`*`, category]: a person-wide row when there is one (live: the person predates per-category
 * keys and it serves everything; destroyed: the person was shredded), else the category's own.
 */
export function governingSubjectKey(
  rows: readonly SubjectKeyRow[],
  categoryId: string,
): SubjectKeyRow | undefined {
  return (
    rows.find((row) => row.categoryId === PERSON_WIDE_KEY) ??
    rows.find((row) => row.categoryId === categoryId)
  );
}

/**
 * Whether a governing row settles a write without a new key: a live key is used, and a destroyed
 * person-wide row is a shredded person, refused. A destroyed category key does not.
 */
function settlesWithoutNewKey(row: SubjectKeyRow): boolean {
  return row.destroyedAt === null || row.categoryId === PERSON_WIDE_KEY;
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
 * Unwraps a data key from its row. Throws KeyUnavailableError when the key was shredded (the
 * person's, or that category's), its organisation key destroyed, or its master key not configured.
 */
export async function openSubjectDataKey(
  masterKeys: MasterKeyProvider,
  scope: OrganizationScope,
  row: SubjectKeyRow,
): Promise<Buffer> {
  if (row.destroyedAt !== null || row.wrappedKey === null || row.organizationKeyId === null) {
    throw new KeyUnavailableError(
      'subject-key-destroyed',
      row.categoryId === PERSON_WIDE_KEY
        ? 'This person’s data key was destroyed (crypto-shredded); their encrypted fields cannot be read.'
        : 'The data key of this category of the person was destroyed (crypto-shredded); its encrypted fields cannot be read.',
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
      subjectKeyContext(scope.organizationId, row.subjectId, row.categoryId),
    );
  } finally {
    organizationKey.fill(0);
  }
}

/**
 * The data key of one category of a person, for reading (the person-wide key for a person who
 * predates per-category keys). Throws KeyUnavailableError when there is none to open.
 */
export async function readSubjectDataKey(
  deps: Pick<KeyDeps, 'masterKeys' | 'dialect'>,
  db: Executor,
  scope: OrganizationScope,
  subjectId: string,
  categoryId: string,
): Promise<Buffer> {
  const rows = await createKeyStore(db, deps.dialect).findSubjectKeys(scope, subjectId, [
    PERSON_WIDE_KEY,
    categoryId,
  ]);
  const row = governingSubjectKey(rows, categoryId);
  if (row === undefined) {
    throw new KeyUnavailableError(
      'subject-key-missing',
      'No data key exists for this person and category, so none of those fields were encrypted here.',
    );
  }
  return openSubjectDataKey(deps.masterKeys, scope, row);
}

/**
 * The data key of one category of a person, for writing, created (with the organisation's first
 * key if need be) on first use in the caller's transaction, so the key commits or rolls back with
 * the data it encrypts. A person who predates per-category keys keeps their person-wide key for
 * every category. Refuses a person who was shredded: their data must not come back under a new
 * key. A category whose key alone was shredded (a retention deletion) gets a fresh key: new data
 * collected after the deletion is not the data that was erased.
 */
export async function obtainSubjectDataKey(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  subjectId: string,
  categoryId: string,
): Promise<Buffer> {
  const keys = createKeyStore(trx, deps.dialect);
  const readGoverning = async () =>
    governingSubjectKey(
      await keys.findSubjectKeys(scope, subjectId, [PERSON_WIDE_KEY, categoryId]),
      categoryId,
    );
  const found = await readGoverning();
  if (found !== undefined && settlesWithoutNewKey(found)) {
    // A live key, or a shredded person (openSubjectDataKey refuses).
    return openSubjectDataKey(deps.masterKeys, scope, found);
  }
  // Creation takes the organisation's key lock, so a concurrent rotation cannot retire the
  // organisation key between our wrapping under it and our commit. Decide again under the lock:
  // a person shred that committed meanwhile must win over our new key.
  await keys.lockOrganizationKeys(scope);
  const governing = await readGoverning();
  if (governing !== undefined && settlesWithoutNewKey(governing)) {
    return openSubjectDataKey(deps.masterKeys, scope, governing);
  }
  if (governing !== undefined) {
    // The category's key was shredded. Its row is set aside, not overwritten: it records the
    // destruction and, until the organisation key is rotated, that a rotation is owed.
    await keys.setAsideDestroyedSubjectKey(
      scope,
      subjectId,
      categoryId,
      `${categoryId}~${deps.ids.next()}`,
    );
  }
  const current = await currentOrganizationKey(deps, trx, scope);
  const dataKey = generateKey();
  try {
    const inserted = await keys.insertSubjectKey(scope, {
      subjectId,
      categoryId,
      organizationKeyId: current.id,
      wrappedKey: wrapKey(
        current.key,
        current.id,
        dataKey,
        subjectKeyContext(scope.organizationId, subjectId, categoryId),
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
  const created = await readGoverning();
  if (created === undefined) {
    throw new Error(`the data key of ${subjectId} for ${categoryId} vanished during creation`);
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
 * Replaces the organisation key: re-wraps every live data key under a fresh one and destroys the
 * old one (its wrapped form set to NULL), in the caller's transaction. Destroyed data keys are not
 * re-wrapped, so every shred whose rotation was deferred is completed by it. Data keys, and so every
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
  let after: { subjectId: string; categoryId: string } | undefined;
  try {
    for (;;) {
      // Each page re-wraps what it reads; the next page starts after this one's last key.
      const page = await keys.listSubjectKeysWrappedBy(scope, old.id, undefined, after);
      if (page.length === 0) {
        break;
      }
      const last = page.at(-1);
      after =
        last === undefined ? after : { subjectId: last.subjectId, categoryId: last.categoryId };
      for (const row of page) {
        const context = subjectKeyContext(scope.organizationId, row.subjectId, row.categoryId);
        const dataKey = unwrapKey(oldKey, old.id, row.wrappedKey, context);
        try {
          await keys.rewrapSubjectKey(scope, row, {
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

import { expect, it } from 'vitest';
import { decryptSubjectFields } from '../../src/app/keys/decrypt-subject-fields.js';
import { encryptSubjectFields } from '../../src/app/keys/encrypt-subject-fields.js';
import {
  openSubjectDataKey,
  organizationKeyContext,
  readSubjectDataKey,
  subjectKeyContext,
} from '../../src/app/keys/key-hierarchy.js';
import { rotateMasterKey } from '../../src/app/keys/rotate-master-key.js';
import { shredSubjectKey } from '../../src/app/keys/shred-subject-key.js';
import {
  DecryptionError,
  KeyUnavailableError,
  decryptValue,
  fieldAssociatedData,
  unwrapKey,
} from '../../src/crypto/envelope.js';
import type { MasterKeyProvider } from '../../src/crypto/master-key.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { inTransaction, type Store } from '../../src/store/db.js';
import { createKeyStore } from '../../src/store/key-store.js';
import type { OrganizationScope } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';
import {
  M1,
  M2,
  copyDatabase,
  createFieldTable,
  keyDeps,
  loadFields,
  newOrganization,
  provider,
  rawDatabaseBytes,
  saveFields,
  type KeyTestDeps,
} from './support.js';

const ALICE_HEALTH = { report: 'Alice-asthma-inhaler-4711', allergies: 'Alice-peanut-🥜-0815' };
const BOB_HEALTH = { report: 'Bob-eczema-cream-2024' };
const OPERATOR = { actor: { actorType: 'staff', actorId: 'privacy-officer' } } as const;

/** Encrypts and stores a person's health fields, as the personal-data store will. */
async function record(
  deps: KeyTestDeps,
  scope: OrganizationScope,
  subjectId: string,
  fields: Record<string, string>,
): Promise<void> {
  await inTransaction(deps.store, async (trx) => {
    const sealed = await encryptSubjectFields(deps, trx, scope, {
      subjectId,
      category: 'health',
      fields,
    });
    await saveFields(trx, scope, subjectId, sealed);
  });
}

async function read(
  masterKeys: MasterKeyProvider,
  store: Store,
  scope: OrganizationScope,
  subjectId: string,
): Promise<Record<string, string>> {
  return decryptSubjectFields({ masterKeys, dialect: store.dialect }, store.db, scope, {
    subjectId,
    category: 'health',
    fields: await loadFields(store.db, scope, subjectId),
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure, but it succeeded');
    },
    (error: unknown) => error,
  );
}

describeEachDialect('crypto-shredding a person', (context) => {
  const { store, dialect } = context;

  async function organizationWithAliceAndBob(masterKeys: MasterKeyProvider) {
    await createFieldTable(store());
    const deps = keyDeps(store(), masterKeys);
    const scope = await newOrganization(store());
    await record(deps, scope, 'alice', ALICE_HEALTH);
    await record(deps, scope, 'bob', BOB_HEALTH);
    return { deps, scope };
  }

  it('makes the person’s fields fail with a typed error while everyone else’s still decrypt', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    expect(await read(deps.masterKeys, store(), scope, 'alice')).toEqual(ALICE_HEALTH);

    const result = await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });

    expect(result).toMatchObject({ outcome: 'shredded', masterKeyIdToRetire: 'm1' });
    expect(result.rewrappedSubjectKeys).toBe(1);
    const error = await failure(read(deps.masterKeys, store(), scope, 'alice'));
    expect(error).toBeInstanceOf(KeyUnavailableError);
    expect((error as KeyUnavailableError).reason).toBe('subject-key-destroyed');
    expect(await read(deps.masterKeys, store(), scope, 'bob')).toEqual(BOB_HEALTH);
  });

  it('refuses to encrypt anything for the person again', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });
    await expect(record(deps, scope, 'alice', { report: 'new' })).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('records a person shredded before anything was encrypted, so nothing can be later', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    const result = await shredSubjectKey(deps, scope, { subjectId: 'carol', ...OPERATOR });
    expect(result.outcome).toBe('no-key-existed');
    await expect(record(deps, scope, 'carol', { report: 'x' })).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
    const again = await shredSubjectKey(deps, scope, { subjectId: 'carol', ...OPERATOR });
    expect(again.outcome).toBe('already-shredded');
  });

  it('audits key.shred in the same transaction, naming the person but no data or key', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    const before = await createKeyStore(store().db, dialect).findSubjectKey(
      scope,
      'alice',
      'health',
    );
    await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });
    const entries = await createAuditStore(store().db, dialect).list(scope, {
      action: 'key.shred',
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorType: 'staff',
      actorId: 'privacy-officer',
      subjectId: 'alice',
      outcome: 'success',
    });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(ALICE_HEALTH.report);
    expect(text).not.toContain(before?.wrappedKey ?? 'no wrapped key');
    expect(text).not.toMatch(/v1\.[A-Za-z0-9_-]{16}\./);
  });

  it('leaves no wrapped key of the person, nor the organisation key that wrapped it, in a raw read of the database', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    // Enough people after Alice that B-tree pages split and move her row: on SQLite, stale copies
    // of it were left in free space unless every key write zeroes freed bytes.
    for (let index = 0; index < 60; index += 1) {
      await record(deps, scope, `child-${index}`, { report: `report ${index}` });
    }
    const keys = createKeyStore(store().db, dialect);
    const alice = await keys.findSubjectKey(scope, 'alice', 'health');
    const organizationKey = await keys.findCurrentOrganizationKey(scope);
    const wrappedSubjectKey = alice?.wrappedKey ?? '';
    const wrappedOrganizationKey = organizationKey?.wrappedKey ?? '';
    expect(wrappedSubjectKey).toMatch(/^v1\./);
    expect((await rawDatabaseBytes(context)).includes(wrappedSubjectKey)).toBe(true);

    await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });

    // SQLite: the database file and its WAL after the checkpoint the shred runs; PostgreSQL:
    // every row of every table (old row versions there are covered by the master key retirement,
    // see the backup test below).
    const raw = await rawDatabaseBytes(context);
    expect(raw.includes(wrappedSubjectKey)).toBe(false);
    expect(raw.includes(wrappedOrganizationKey)).toBe(false);
    expect(raw.includes(ALICE_HEALTH.report)).toBe(false);
    expect((await keys.findSubjectKey(scope, 'alice', 'health'))?.wrappedKey).toBe(null);
  });

  it('issue 5: a copy taken before shredding stays readable only while the master key that wrapped the destroyed organisation key is kept', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    const copy = await copyDatabase(context, scope);
    try {
      await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });
      // The honest limit of stage 1: with m1 still configured, the old copy opens.
      expect(await read(provider(M1), copy.store, scope, 'alice')).toEqual(ALICE_HEALTH);
    } finally {
      await copy.drop();
    }
  });

  it('issue 5: after shredding and retiring the master key, a copy taken before holds no recoverable plaintext of the person', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    const copy = await copyDatabase(context, scope);
    try {
      const copied = await createKeyStore(copy.store.db, dialect).findSubjectKey(
        scope,
        'alice',
        'health',
      );
      const copiedFields = await loadFields(copy.store.db, scope, 'alice');

      await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });
      const rotation = await rotateMasterKey(keyDeps(store(), provider(M2, M1)), OPERATOR);
      expect(rotation.retirableMasterKeyIds).toEqual(['m1']);
      // Other tests' organisations share this database: at least this shred is pending.
      expect(rotation.destroyedKeysStillRecoverable.m1).toBeGreaterThanOrEqual(1);
      // Stage 2: m1 is removed from the key file. What remains: the live database and m2.
      const remaining = provider(M2);

      // The copy holds no plaintext of Alice's fields (grep), only ciphertexts...
      const bytes = copy.bytes();
      for (const value of Object.values(ALICE_HEALTH)) {
        expect(bytes.includes(value)).toBe(false);
      }
      expect(Object.keys(copiedFields)).toEqual(expect.arrayContaining(['report', 'allergies']));
      // ...and they cannot be opened: not from the copy alone (its organisation key needs m1),
      const fromCopy = await failure(read(remaining, copy.store, scope, 'alice'));
      expect((fromCopy as KeyUnavailableError).reason).toBe('master-key-unknown');
      // nor by pairing the copy's wrapped key with the live organisation key row it names
      // (destroyed),
      const live = createKeyStore(store().db, dialect);
      if (copied === undefined) {
        throw new Error('the copy holds Alice’s key row');
      }
      const withLiveRows = await failure(
        openSubjectDataKey(remaining, scope, {
          ...copied,
          organizationKey: (await live.findSubjectKey(scope, 'bob', 'health'))?.organizationKey,
        }),
      );
      expect(withLiveRows).toBeInstanceOf(DecryptionError);
      // nor with the live, current organisation key (it never wrapped Alice's key).
      const current = await live.findCurrentOrganizationKey(scope);
      if (current === undefined) {
        throw new Error('the organisation has a current key');
      }
      const currentKey = await remaining.unwrap(
        { keyId: current.masterKeyId, wrapped: current.wrappedKey },
        organizationKeyContext(scope.organizationId, current.id),
      );
      expect(() =>
        unwrapKey(
          currentKey,
          current.id,
          copied.wrappedKey ?? '',
          subjectKeyContext(scope.organizationId, 'alice', 'health'),
        ),
      ).toThrow(DecryptionError);
      // Alice's ciphertexts do not open under any data key that remains (Bob's, here).
      const bobKey = await readSubjectDataKey(
        { masterKeys: remaining, dialect },
        store().db,
        scope,
        'bob',
        'health',
      );
      for (const [field, ciphertext] of Object.entries(copiedFields)) {
        const bound = fieldAssociatedData({
          organizationId: scope.organizationId,
          subjectId: 'alice',
          category: 'health',
          field,
        });
        expect(() => decryptValue(bobKey, ciphertext, bound)).toThrow(DecryptionError);
      }
      // Everyone else is intact in the live database under the remaining master key.
      expect(await read(remaining, store(), scope, 'bob')).toEqual(BOB_HEALTH);
      const after = await rotateMasterKey(keyDeps(store(), remaining), OPERATOR);
      expect(after.destroyedKeysStillRecoverable).toEqual({});
    } finally {
      await copy.drop();
    }
  });

  it('keeps people written during and after a shred readable (rotation and key creation serialise)', async () => {
    const { deps, scope } = await organizationWithAliceAndBob(provider(M1));
    const writes = Array.from({ length: 6 }, (_, index) =>
      record(deps, scope, `child-${index}`, { report: `report ${index}` }),
    );
    await Promise.all([
      shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR }),
      ...writes,
    ]);
    for (let index = 0; index < 6; index += 1) {
      expect(await read(deps.masterKeys, store(), scope, `child-${index}`)).toEqual({
        report: `report ${index}`,
      });
    }
    expect(await read(deps.masterKeys, store(), scope, 'bob')).toEqual(BOB_HEALTH);
  });
});

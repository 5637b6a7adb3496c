import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Migration } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { completePendingShreds } from '../../src/app/keys/complete-pending-shreds.js';
import { decryptSubjectFields } from '../../src/app/keys/decrypt-subject-fields.js';
import { encryptSubjectFields } from '../../src/app/keys/encrypt-subject-fields.js';
import {
  CONSENT_EVIDENCE_KEY,
  obtainSubjectDataKey,
  openSubjectDataKey,
  organizationKeyContext,
  readSubjectDataKey,
  subjectKeyContext,
} from '../../src/app/keys/key-hierarchy.js';
import { shredCategoryKey } from '../../src/app/keys/shred-category-key.js';
import { shredSubjectKey } from '../../src/app/keys/shred-subject-key.js';
import {
  DecryptionError,
  KeyUnavailableError,
  decryptValue,
  encryptValue,
  fieldAssociatedData,
  generateKey,
  unwrapKey,
  wrapKey,
} from '../../src/crypto/envelope.js';
import type { MasterKeyProvider } from '../../src/crypto/master-key.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { inTransaction, openStore, type Dialect, type Store } from '../../src/store/db.js';
import { PERSON_WIDE_KEY, createKeyStore, type SubjectKeyRow } from '../../src/store/key-store.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { foundation } from '../../src/store/migrations/0001-foundation.js';
import { encryptionKeys } from '../../src/store/migrations/0002-encryption-keys.js';
import { auditChain } from '../../src/store/migrations/0003-audit-chain.js';
import { records } from '../../src/store/migrations/0004-records.js';
import { tenantRowSecurity } from '../../src/store/migrations/0005-tenant-row-security.js';
import { consent } from '../../src/store/migrations/0006-consent.js';
import { policyAnnouncements } from '../../src/store/migrations/0007-policy-announcements.js';
import { retentionEventsAndHolds } from '../../src/store/migrations/0008-retention-events-and-holds.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { scopeOf, type OrganizationScope } from '../../src/store/scope.js';
import { inTenant } from '../../src/store/tenant.js';
import { DIALECTS, describeEachDialect } from '../support/databases.js';
import { APPLICATION_ROLE, asApplicationRole, withDatabase } from '../support/global-setup.js';
import {
  M1,
  copyDatabase,
  createFieldTable,
  keyDeps,
  loadFields,
  newOrganization,
  provider,
  saveFields,
  type KeyTestDeps,
} from './support.js';

/** Field names differ across categories: the fixture table keys fields by person and field only. */
const HEALTH = { allergies: 'Alice-peanut-🥜-0815' };
const PAYMENT = { iban: 'CO-4711-0815-7-payment' };
const OPERATOR = { actor: { actorType: 'staff', actorId: 'privacy-officer' } } as const;
const SWEEP = { actorType: 'system', actorId: null } as const;

async function record(
  deps: KeyTestDeps,
  scope: OrganizationScope,
  subjectId: string,
  category: string,
  fields: Record<string, string>,
): Promise<Record<string, string>> {
  return inTransaction(deps.store, async (trx) => {
    const sealed = await encryptSubjectFields(deps, trx, scope, { subjectId, category, fields });
    await saveFields(trx, scope, subjectId, sealed);
    return sealed;
  });
}

/** One category's stored fields of a person, decrypted with the keys `store` holds. */
async function read(
  masterKeys: MasterKeyProvider,
  store: Store,
  scope: OrganizationScope,
  subjectId: string,
  category: string,
  fieldNames: readonly string[],
): Promise<Record<string, string>> {
  const stored = await loadFields(store.db, scope, subjectId);
  return decryptSubjectFields({ masterKeys, dialect: store.dialect }, store.db, scope, {
    subjectId,
    category,
    fields: Object.fromEntries(
      Object.entries(stored).filter(([field]) => fieldNames.includes(field)),
    ),
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

function reasonOf(error: unknown): string {
  return error instanceof KeyUnavailableError
    ? error.reason
    : `not a KeyUnavailableError: ${String(error)}`;
}

function decryptWith(
  dataKey: Buffer,
  scope: OrganizationScope,
  subjectId: string,
  category: string,
  fields: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([field, ciphertext]) => [
      field,
      decryptValue(
        dataKey,
        ciphertext,
        fieldAssociatedData({ organizationId: scope.organizationId, subjectId, category, field }),
      ),
    ]),
  );
}

describeEachDialect('per-category data keys and deferred rotation', (context) => {
  const { store, dialect } = context;

  async function setUp() {
    await createFieldTable(store());
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    await record(deps, scope, 'alice', 'health', HEALTH);
    await record(deps, scope, 'alice', 'payment', PAYMENT);
    await record(deps, scope, 'bob', 'health', { allergies: 'Bob-none' });
    return { deps, scope, keys: createKeyStore(store().db, dialect) };
  }

  /**
   * What an adversary holding a pre-shred copy of a key row can do with the live database and the
   * configured master keys: unwrap it with the organisation key it names, as the live database
   * holds that key now (live during a deferred window, destroyed after the rotation).
   */
  async function openWithLiveOrganizationKey(
    masterKeys: MasterKeyProvider,
    live: Store,
    scope: OrganizationScope,
    copied: SubjectKeyRow,
  ): Promise<Buffer> {
    const named = await inTenant(live.db, scope)
      .selectFrom('organization_keys')
      .select(['wrapped_key as wrappedKey', 'master_key_id as masterKeyId'])
      .where('organization_id', '=', scope.organizationId)
      .where('id', '=', copied.organizationKeyId ?? '')
      .executeTakeFirst();
    return openSubjectDataKey(masterKeys, scope, { ...copied, organizationKey: named });
  }

  /** How many organisation keys the organisation ever had: one more per rotation. */
  async function organizationKeyCount(scope: OrganizationScope): Promise<number> {
    const usage = await createKeyStore(store().db, dialect).masterKeyUsage(scope);
    return usage.reduce((sum, entry) => sum + entry.liveKeys + entry.destroyedKeys, 0);
  }

  it('issue 7: destroying one category key (deferred) makes that category of a pre-shred copy unreadable with the live database once the rotation ran, and only that category', async () => {
    const { deps, scope, keys } = await setUp();
    const copy = await copyDatabase(context, scope);
    try {
      const copyKeys = createKeyStore(copy.store.db, dialect);
      const copiedPayment = await copyKeys.findSubjectKey(scope, 'alice', 'payment');
      const copiedHealth = await copyKeys.findSubjectKey(scope, 'alice', 'health');
      if (copiedPayment === undefined || copiedHealth === undefined) {
        throw new Error('the copy holds Alice’s two category keys');
      }
      const copiedFields = await loadFields(copy.store.db, scope, 'alice');
      const copiedPaymentFields = { iban: copiedFields.iban ?? '' };
      const copiedHealthFields = { allergies: copiedFields.allergies ?? '' };

      const shred = await shredCategoryKey(deps, scope, {
        subjectId: 'alice',
        categoryId: 'payment',
        deferRotation: true,
        ...OPERATOR,
      });
      expect(shred).toMatchObject({
        outcome: 'shredded',
        isCryptographic: true,
        rotationPending: true,
        retiredOrganizationKeyId: null,
      });
      const destroyed = await failure(
        read(deps.masterKeys, store(), scope, 'alice', 'payment', ['iban']),
      );
      expect(reasonOf(destroyed)).toBe('subject-key-destroyed');

      // The deferred window, honestly: until the rotation, the live organisation key still opens
      // the copy's payment key (this is what completePendingShreds is for).
      const duringWindow = await openWithLiveOrganizationKey(
        deps.masterKeys,
        store(),
        scope,
        copiedPayment,
      );
      expect(decryptWith(duringWindow, scope, 'alice', 'payment', copiedPaymentFields)).toEqual(
        PAYMENT,
      );

      const completed = await completePendingShreds(deps, scope, SWEEP);
      expect(completed).toMatchObject({
        outcome: 'rotated',
        completedShreds: 1,
        retiredOrganizationKeyId: copiedPayment.organizationKeyId,
      });

      // After it: the organisation key the copy's row names is destroyed in the live database,
      const afterwards = await failure(
        openWithLiveOrganizationKey(deps.masterKeys, store(), scope, copiedPayment),
      );
      expect(reasonOf(afterwards)).toBe('organization-key-destroyed');
      // the current one never wrapped it,
      const current = await keys.findCurrentOrganizationKey(scope);
      if (current === undefined) {
        throw new Error('the organisation has a current key');
      }
      const currentKey = await deps.masterKeys.unwrap(
        { keyId: current.masterKeyId, wrapped: current.wrappedKey },
        organizationKeyContext(scope.organizationId, current.id),
      );
      expect(() =>
        unwrapKey(
          currentKey,
          current.id,
          copiedPayment.wrappedKey ?? '',
          subjectKeyContext(scope.organizationId, 'alice', 'payment'),
        ),
      ).toThrow(DecryptionError);
      // and no key Alice still has opens the copy's payment ciphertexts.
      const aliceHealthKey = await readSubjectDataKey(deps, store().db, scope, 'alice', 'health');
      expect(() =>
        decryptWith(aliceHealthKey, scope, 'alice', 'payment', copiedPaymentFields),
      ).toThrow(DecryptionError);

      // Her other category is untouched: live, and even the copy's health ciphertexts.
      expect(await read(deps.masterKeys, store(), scope, 'alice', 'health', ['allergies'])).toEqual(
        HEALTH,
      );
      const liveHealth = await openWithLiveOrganizationKey(
        deps.masterKeys,
        store(),
        scope,
        (await keys.findSubjectKey(scope, 'alice', 'health')) ?? copiedHealth,
      );
      expect(decryptWith(liveHealth, scope, 'alice', 'health', copiedHealthFields)).toEqual(HEALTH);
      expect(await read(deps.masterKeys, store(), scope, 'bob', 'health', ['allergies'])).toEqual({
        allergies: 'Bob-none',
      });
    } finally {
      await copy.drop();
    }
  });

  it('binds a category key to its category: its wrapped form does not unwrap as another category’s', async () => {
    const { deps, scope, keys } = await setUp();
    const payment = await keys.findSubjectKey(scope, 'alice', 'payment');
    if (payment === undefined) {
      throw new Error('Alice has a payment key');
    }
    await expect(
      openSubjectDataKey(deps.masterKeys, scope, { ...payment, categoryId: 'health' }),
    ).rejects.toBeInstanceOf(DecryptionError);
    expect(subjectKeyContext(scope.organizationId, 'alice', 'payment')).not.toBe(
      subjectKeyContext(scope.organizationId, 'alice', PERSON_WIDE_KEY),
    );
  });

  it('gives a category written again after its key was shredded a fresh key, keeping the destroyed one as a record', async () => {
    const { deps, scope, keys } = await setUp();
    const before = await keys.findSubjectKey(scope, 'alice', 'payment');
    const oldFields = { iban: (await loadFields(store().db, scope, 'alice')).iban ?? '' };

    const shred = await shredCategoryKey(deps, scope, {
      subjectId: 'alice',
      categoryId: 'payment',
      ...OPERATOR,
    });
    expect(shred.outcome).toBe('shredded');
    expect(shred.rotationPending).toBe(false);
    expect(shred.retiredOrganizationKeyId).toBe(before?.organizationKeyId);

    // New data collected after the retention deletion.
    await record(deps, scope, 'alice', 'payment', { card: 'new-card-2031' });
    expect(await read(deps.masterKeys, store(), scope, 'alice', 'payment', ['card'])).toEqual({
      card: 'new-card-2031',
    });
    const fresh = await keys.findSubjectKey(scope, 'alice', 'payment');
    expect(fresh?.destroyedAt).toBe(null);
    expect(fresh?.wrappedKey).not.toBe(before?.wrappedKey);
    // The old ciphertexts do not open under the fresh key.
    await expect(
      decryptSubjectFields(deps, store().db, scope, {
        subjectId: 'alice',
        category: 'payment',
        fields: oldFields,
      }),
    ).rejects.toBeInstanceOf(DecryptionError);
    // The destroyed key was set aside, not overwritten.
    const rows = await keys.findSubjectKeys(scope, 'alice');
    const setAside = rows.filter((row) => row.categoryId.startsWith('payment~'));
    expect(setAside).toHaveLength(1);
    expect(setAside[0]?.wrappedKey).toBe(null);
    expect(setAside[0]?.destroyedAt).not.toBe(null);
    expect(await read(deps.masterKeys, store(), scope, 'alice', 'health', ['allergies'])).toEqual(
      HEALTH,
    );
  });

  it('keeps the rotation owed when a shredded category is written again before the deferred rotation ran', async () => {
    const { deps, scope, keys } = await setUp();
    const copied = await keys.findSubjectKey(scope, 'alice', 'payment');
    if (copied === undefined) {
      throw new Error('Alice has a payment key');
    }
    await shredCategoryKey(deps, scope, {
      subjectId: 'alice',
      categoryId: 'payment',
      deferRotation: true,
      ...OPERATOR,
    });
    await record(deps, scope, 'alice', 'payment', { card: 'written-in-the-window' });

    // Writing again did not erase the record that a rotation is owed...
    expect(await keys.countKeysAwaitingRotation(scope)).toBe(1);
    const completed = await completePendingShreds(deps, scope, SWEEP);
    expect(completed).toMatchObject({ outcome: 'rotated', completedShreds: 1 });
    // ...so the old key (as a pre-shred copy holds it) no longer opens, and the new data does.
    const error = await failure(
      openWithLiveOrganizationKey(deps.masterKeys, store(), scope, copied),
    );
    expect(reasonOf(error)).toBe('organization-key-destroyed');
    expect(await read(deps.masterKeys, store(), scope, 'alice', 'payment', ['card'])).toEqual({
      card: 'written-in-the-window',
    });
  });

  it('keeps a person who predates per-category keys on their person-wide key, and says a category shred of them is not cryptographic', async () => {
    await createFieldTable(store());
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    // The row migration 0010 makes of a key created before it (see also the migration test).
    await inTransaction(store(), async (trx) => {
      (await obtainSubjectDataKey(deps, trx, scope, 'lena', PERSON_WIDE_KEY)).fill(0);
    });
    await record(deps, scope, 'lena', 'health', HEALTH);
    await record(deps, scope, 'lena', 'payment', PAYMENT);
    const keys = createKeyStore(store().db, dialect);
    expect((await keys.findSubjectKeys(scope, 'lena')).map((row) => row.categoryId)).toEqual([
      PERSON_WIDE_KEY,
    ]);

    const result = await shredCategoryKey(deps, scope, {
      subjectId: 'lena',
      categoryId: 'payment',
      deferRotation: true,
      ...OPERATOR,
    });

    expect(result).toMatchObject({
      outcome: 'legacy-person-key',
      isCryptographic: false,
      rotationPending: false,
      retiredOrganizationKeyId: null,
    });
    expect((await keys.findSubjectKey(scope, 'lena', PERSON_WIDE_KEY))?.destroyedAt).toBe(null);
    expect(await keys.countKeysAwaitingRotation(scope)).toBe(0);
    expect(await read(deps.masterKeys, store(), scope, 'lena', 'payment', ['iban'])).toEqual(
      PAYMENT,
    );
    expect(await read(deps.masterKeys, store(), scope, 'lena', 'health', ['allergies'])).toEqual(
      HEALTH,
    );
    const [entry] = await createAuditStore(store().db, dialect).list(scope, {
      action: 'key.shred-category',
    });
    expect(entry).toMatchObject({ subjectId: 'lena', actorId: 'privacy-officer' });
    expect(entry?.details).toMatchObject({
      categoryId: 'payment',
      result: 'legacy-person-key',
      isCryptographic: false,
    });
    expect(JSON.stringify(entry?.details)).toContain('person-wide key');

    // The person as a whole still shreds cryptographically.
    const whole = await shredSubjectKey(deps, scope, { subjectId: 'lena', ...OPERATOR });
    expect(whole).toMatchObject({ outcome: 'shredded', destroyedKeys: 1 });
    expect(
      reasonOf(
        await failure(read(deps.masterKeys, store(), scope, 'lena', 'health', ['allergies'])),
      ),
    ).toBe('subject-key-destroyed');
  });

  it('issue 7: deferred destroys of many people are completed by exactly one rotation, and a second call does nothing', async () => {
    await createFieldTable(store());
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const people = Array.from({ length: 6 }, (_, index) => `child-${index}`);
    for (const person of people) {
      await record(deps, scope, person, 'health', { allergies: `allergy ${person}` });
      await record(deps, scope, person, 'payment', { iban: `iban ${person}` });
    }
    const keys = createKeyStore(store().db, dialect);
    const initial = await keys.findCurrentOrganizationKey(scope);
    expect(await organizationKeyCount(scope)).toBe(1);

    // The sweep: one small transaction per person, no rotation in any of them.
    for (const person of ['child-0', 'child-1', 'child-2']) {
      const result = await shredCategoryKey(deps, scope, {
        subjectId: person,
        categoryId: 'payment',
        deferRotation: true,
        actor: SWEEP,
      });
      expect(result).toMatchObject({
        outcome: 'shredded',
        rotationPending: true,
        rewrappedSubjectKeys: 0,
      });
    }
    const erased = await shredSubjectKey(deps, scope, {
      subjectId: 'child-3',
      deferRotation: true,
      actor: SWEEP,
    });
    expect(erased).toMatchObject({ outcome: 'shredded', destroyedKeys: 2, rotationPending: true });
    expect((await keys.findCurrentOrganizationKey(scope))?.id).toBe(initial?.id);
    expect(await organizationKeyCount(scope)).toBe(1);
    expect(await keys.countKeysAwaitingRotation(scope)).toBe(5);

    const completed = await completePendingShreds(deps, scope, SWEEP);

    expect(completed).toMatchObject({
      outcome: 'rotated',
      completedShreds: 5,
      retiredOrganizationKeyId: initial?.id,
      // 12 keys made, 5 destroyed: the rest are re-wrapped, once.
      rewrappedSubjectKeys: 7,
    });
    expect(await organizationKeyCount(scope)).toBe(2);
    expect(await keys.countKeysAwaitingRotation(scope)).toBe(0);
    const audit = createAuditStore(store().db, dialect);
    const entries = await audit.list(scope, { action: 'key.shred-rotation' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: 'system', subjectId: null });
    expect(entries[0]?.details).toMatchObject({ completedShreds: 5, rewrappedSubjectKeys: 7 });
    expect(await audit.list(scope, { action: 'key.rotate' })).toHaveLength(0);

    const again = await completePendingShreds(deps, scope, SWEEP);
    expect(again).toEqual({ outcome: 'nothing-pending' });
    expect(await organizationKeyCount(scope)).toBe(2);
    expect(await audit.list(scope, { action: 'key.shred-rotation' })).toHaveLength(1);

    for (const person of people) {
      const health = () => read(deps.masterKeys, store(), scope, person, 'health', ['allergies']);
      const payment = () => read(deps.masterKeys, store(), scope, person, 'payment', ['iban']);
      if (person === 'child-3') {
        expect(reasonOf(await failure(health()))).toBe('subject-key-destroyed');
      } else {
        expect(await health()).toEqual({ allergies: `allergy ${person}` });
      }
      if (['child-0', 'child-1', 'child-2', 'child-3'].includes(person)) {
        expect(reasonOf(await failure(payment()))).toBe('subject-key-destroyed');
      } else {
        expect(await payment()).toEqual({ iban: `iban ${person}` });
      }
    }
  });

  it('completes a deferred shred after the sweep crashed before its rotation: the destroyed key records what is owed', async () => {
    const { scope, keys } = await setUp();
    const copied = await keys.findSubjectKey(scope, 'alice', 'payment');
    if (copied === undefined) {
      throw new Error('Alice has a payment key');
    }
    // The sweep's process: its per-person transaction commits, then it dies before the rotation.
    const sweepStore = context.database().open();
    await shredCategoryKey(keyDeps(sweepStore, provider(M1)), scope, {
      subjectId: 'alice',
      categoryId: 'payment',
      deferRotation: true,
      actor: SWEEP,
    });
    await sweepStore.close();

    // A restarted process, with nothing but the database to go on.
    const restarted = context.database().open();
    try {
      const deps = keyDeps(restarted, provider(M1));
      const window = await openWithLiveOrganizationKey(deps.masterKeys, restarted, scope, copied);
      window.fill(0);
      expect(await createKeyStore(restarted.db, dialect).countKeysAwaitingRotation(scope)).toBe(1);

      const completed = await completePendingShreds(deps, scope, SWEEP);

      expect(completed).toMatchObject({
        outcome: 'rotated',
        completedShreds: 1,
        retiredOrganizationKeyId: copied.organizationKeyId,
      });
      const error = await failure(
        openWithLiveOrganizationKey(deps.masterKeys, restarted, scope, copied),
      );
      expect(reasonOf(error)).toBe('organization-key-destroyed');
      expect(
        await read(deps.masterKeys, restarted, scope, 'alice', 'health', ['allergies']),
      ).toEqual(HEALTH);
    } finally {
      await restarted.close();
    }
  });

  it('a person shred destroys every category key and leaves a marker that refuses any later encryption, deferred or not', async () => {
    const { deps, scope, keys } = await setUp();
    await record(deps, scope, 'bob', 'payment', { iban: 'bob-iban' });

    const alice = await shredSubjectKey(deps, scope, { subjectId: 'alice', ...OPERATOR });
    const bob = await shredSubjectKey(deps, scope, {
      subjectId: 'bob',
      deferRotation: true,
      ...OPERATOR,
    });

    expect(alice).toMatchObject({ outcome: 'shredded', destroyedKeys: 2, rotationPending: false });
    expect(bob).toMatchObject({ outcome: 'shredded', destroyedKeys: 2, rotationPending: true });
    for (const person of ['alice', 'bob']) {
      const rows = await keys.findSubjectKeys(scope, person);
      expect(rows.map((row) => row.categoryId).sort()).toEqual([
        PERSON_WIDE_KEY,
        'health',
        'payment',
      ]);
      expect(rows.every((row) => row.wrappedKey === null && row.destroyedAt !== null)).toBe(true);
      // Every category: the ones they had and one never written.
      for (const category of ['health', 'payment', 'contact']) {
        const refused = await failure(
          record(deps, scope, person, category, { [`${category}_new`]: 'x' }),
        );
        expect(reasonOf(refused)).toBe('subject-key-destroyed');
      }
      const categoryShred = await shredCategoryKey(deps, scope, {
        subjectId: person,
        categoryId: 'contact',
        ...OPERATOR,
      });
      expect(categoryShred.outcome).toBe('already-shredded');
    }
    // Bob's undeferred category shred above completed the rotation his deferred shred owed.
    expect(await completePendingShreds(deps, scope, SWEEP)).toEqual({ outcome: 'nothing-pending' });
    const entry = (
      await createAuditStore(store().db, dialect).list(scope, { action: 'key.shred' })
    ).find((candidate) => candidate.subjectId === 'bob');
    expect(entry?.details).toMatchObject({ result: 'shredded', destroyedKeys: 2 });
  });

  it('keeps consent evidence under a reserved key that no policy category can shred', async () => {
    await createFieldTable(store());
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const sealed = await inTransaction(store(), (trx) =>
      encryptSubjectFields(deps, trx, scope, {
        subjectId: 'alice',
        category: 'consent-evidence',
        keyCategory: CONSENT_EVIDENCE_KEY,
        fields: { scan: 'signed-form-base64' },
      }),
    );
    const keys = createKeyStore(store().db, dialect);
    expect((await keys.findSubjectKeys(scope, 'alice')).map((row) => row.categoryId)).toEqual([
      CONSENT_EVIDENCE_KEY,
    ]);
    // A policy category that happens to share the name has a key of its own.
    const result = await shredCategoryKey(deps, scope, {
      subjectId: 'alice',
      categoryId: 'consent-evidence',
      ...OPERATOR,
    });
    expect(result.outcome).toBe('no-key-existed');
    expect(
      await decryptSubjectFields(deps, store().db, scope, {
        subjectId: 'alice',
        category: 'consent-evidence',
        keyCategory: CONSENT_EVIDENCE_KEY,
        fields: sealed,
      }),
    ).toEqual({ scan: 'signed-form-base64' });
  });

  it('keeps every write and shred consistent when a deferred sweep, writes and its completion race', async () => {
    const { deps, scope } = await setUp();
    const people = Array.from({ length: 5 }, (_, index) => `racer-${index}`);
    for (const person of people) {
      await record(deps, scope, person, 'payment', { iban: `iban ${person}` });
    }
    await Promise.all([
      ...people.map((person) =>
        shredCategoryKey(deps, scope, {
          subjectId: person,
          categoryId: 'payment',
          deferRotation: true,
          actor: SWEEP,
        }),
      ),
      ...people.map((person) =>
        record(deps, scope, person, 'health', { allergies: `${person} ok` }),
      ),
      completePendingShreds(deps, scope, SWEEP),
    ]);
    await completePendingShreds(deps, scope, SWEEP);
    expect(await createKeyStore(store().db, dialect).countKeysAwaitingRotation(scope)).toBe(0);
    for (const person of people) {
      expect(await read(deps.masterKeys, store(), scope, person, 'health', ['allergies'])).toEqual({
        allergies: `${person} ok`,
      });
      expect(
        reasonOf(await failure(read(deps.masterKeys, store(), scope, person, 'payment', ['iban']))),
      ).toBe('subject-key-destroyed');
    }
  });
});

/** The migrations as they stood before 0010, to build a database holding pre-0010 key rows. */
const BEFORE_CATEGORY_KEYS = (dialect: Dialect): Record<string, Migration> => ({
  '0001-foundation': foundation(dialect),
  '0002-encryption-keys': encryptionKeys(dialect),
  '0003-audit-chain': auditChain(dialect),
  '0004-records': records(dialect),
  '0005-tenant-row-security': tenantRowSecurity(dialect),
  '0006-consent': consent(dialect),
  '0007-policy-announcements': policyAnnouncements(dialect),
  '0008-retention-events-and-holds': retentionEventsAndHolds(dialect),
});

/** An empty database of its own (not the migrated template), and a way to drop it. */
async function emptyDatabase(
  dialect: Dialect,
): Promise<{ store: Store; privileged: Store; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'custodia-migration-'));
    const store = openStore({ url: `sqlite:${join(directory, 'old.db')}` });
    return {
      store,
      privileged: store,
      drop: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `migration_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} OWNER ${APPLICATION_ROLE}`);
  await admin.end();
  const privilegedUrl = withDatabase(adminUrl, name);
  const store = openStore({ url: asApplicationRole(privilegedUrl), poolSize: 2 });
  const privileged = openStore({ url: privilegedUrl, poolSize: 1 });
  return {
    store,
    privileged,
    drop: async () => {
      await store.close();
      await privileged.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`migration 0010: category keys [${dialect}]`, () => {
    it('turns every existing key into a person-wide key that still decrypts and encrypts every category, and keeps shredded people shredded', async () => {
      const database = await emptyDatabase(dialect);
      try {
        const { store } = database;
        const migrator = new Migrator({
          db: store.db,
          provider: { getMigrations: () => Promise.resolve(BEFORE_CATEGORY_KEYS(dialect)) },
        });
        const { error } = await migrator.migrateToLatest();
        expect(error).toBe(undefined);

        // What a database written before 0010 holds: an organisation key wrapped by the master key,
        // Lena's data key wrapped by it with the context of the time, a field sealed under it, a
        // person shredded (a marker), and a person whose key was destroyed with the retired key.
        const scope = scopeOf(`org-${randomBytes(4).toString('hex')}`);
        const masterKeys = provider(M1);
        await createOrganizationStore(store.db).insert({
          id: scope.organizationId,
          slug: scope.organizationId,
          name: 'Kindergarten Sunflower',
          createdAt: '2025-06-01T09:00:00.000Z',
        });
        const organizationKey = generateKey();
        const wrappedOrganizationKey = await masterKeys.wrap(
          organizationKey,
          organizationKeyContext(scope.organizationId, 'k1'),
        );
        const lenaKey = generateKey();
        const legacyContext = JSON.stringify([
          'custodia.subject-key',
          scope.organizationId,
          'lena',
        ]);
        const tenant = inTenant(store.db, scope);
        await sql`insert into organization_keys (organization_id, id, wrapped_key, master_key_id, created_at, retired_at)
          values (${scope.organizationId}, 'k0', null, 'm1', '2024-01-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z'),
                 (${scope.organizationId}, 'k1', ${wrappedOrganizationKey.wrapped}, ${wrappedOrganizationKey.keyId}, '2024-06-01T00:00:00.000Z', null)`.execute(
          tenant,
        );
        await sql`insert into subject_keys (organization_id, subject_id, organization_key_id, wrapped_key, created_at, destroyed_at)
          values (${scope.organizationId}, 'lena', 'k1', ${wrapKey(organizationKey, 'k1', lenaKey, legacyContext)}, '2024-06-02T00:00:00.000Z', null),
                 (${scope.organizationId}, 'sam', null, null, '2024-06-03T00:00:00.000Z', '2024-06-03T00:00:00.000Z'),
                 (${scope.organizationId}, 'old', 'k0', null, '2024-01-02T00:00:00.000Z', '2024-06-01T00:00:00.000Z')`.execute(
          tenant,
        );
        const binding = {
          organizationId: scope.organizationId,
          subjectId: 'lena',
          field: 'allergies',
        };
        const sealed = encryptValue(
          lenaKey,
          'peanuts',
          fieldAssociatedData({ ...binding, category: 'health' }),
        );

        const outcome = await migrateToLatest(store);
        expect(outcome.applied).toContain('0010-category-keys');

        const keys = createKeyStore(store.db, dialect);
        const rows = await keys.findSubjectKeys(scope, 'lena');
        expect(rows.map((row) => row.categoryId)).toEqual([PERSON_WIDE_KEY]);
        const deps = keyDeps(store, masterKeys);
        expect(
          await decryptSubjectFields(deps, store.db, scope, {
            subjectId: 'lena',
            category: 'health',
            fields: { allergies: sealed },
          }),
        ).toEqual({ allergies: 'peanuts' });
        // A new category of Lena's is still sealed under her person-wide key: no new key row.
        const payment = await inTransaction(store, (trx) =>
          encryptSubjectFields(deps, trx, scope, {
            subjectId: 'lena',
            category: 'payment',
            fields: { iban: 'CO-1' },
          }),
        );
        expect(decryptWith(lenaKey, scope, 'lena', 'payment', payment)).toEqual({ iban: 'CO-1' });
        expect(await keys.findSubjectKeys(scope, 'lena')).toHaveLength(1);
        // Sam stays shredded for every category; a new person gets category keys.
        const refused = await failure(
          inTransaction(store, (trx) =>
            encryptSubjectFields(deps, trx, scope, {
              subjectId: 'sam',
              category: 'health',
              fields: { a: 'b' },
            }),
          ),
        );
        expect(reasonOf(refused)).toBe('subject-key-destroyed');
        await inTransaction(store, (trx) =>
          encryptSubjectFields(deps, trx, scope, {
            subjectId: 'nina',
            category: 'health',
            fields: { a: 'b' },
          }),
        );
        expect((await keys.findSubjectKeys(scope, 'nina')).map((row) => row.categoryId)).toEqual([
          'health',
        ]);
        // Keys destroyed before 0010 were rotated with their shred: nothing is owed.
        expect(await keys.countKeysAwaitingRotation(scope)).toBe(0);
        expect(await completePendingShreds(deps, scope, SWEEP)).toEqual({
          outcome: 'nothing-pending',
        });
        // A rotation (here, with Nina's category shred) re-wraps Lena's person-wide key with the
        // context it was made with, so it still opens.
        await shredCategoryKey(deps, scope, {
          subjectId: 'nina',
          categoryId: 'health',
          ...OPERATOR,
        });
        expect(
          await decryptSubjectFields(deps, store.db, scope, {
            subjectId: 'lena',
            category: 'health',
            fields: { allergies: sealed },
          }),
        ).toEqual({ allergies: 'peanuts' });

        if (dialect === 'postgres') {
          // The table kept its row-level-security policy (forced), its foreign key and its indexes.
          const security = await sql<{
            forced: boolean;
            policies: number;
          }>`select c.relforcerowsecurity as forced,
              (select count(*) from pg_policies p where p.tablename = 'subject_keys')::int as policies
            from pg_class c where c.relname = 'subject_keys'`.execute(database.privileged.db);
          expect(security.rows[0]).toEqual({ forced: true, policies: 1 });
        }
        const indexes =
          dialect === 'postgres'
            ? await sql<{
                name: string;
              }>`select indexname as name from pg_indexes where tablename = 'subject_keys' order by 1`.execute(
                database.privileged.db,
              )
            : await sql<{
                name: string;
              }>`select name from sqlite_master where type = 'index' and tbl_name = 'subject_keys' order by 1`.execute(
                store.db,
              );
        expect(indexes.rows.map((row) => row.name)).toEqual(
          expect.arrayContaining([
            'subject_keys_destroyed_index',
            'subject_keys_organization_key_index',
          ]),
        );
        // The foreign key to organization_keys still holds.
        await expect(
          sql`insert into subject_keys (organization_id, subject_id, category_id, organization_key_id, wrapped_key, created_at, destroyed_at)
            values (${scope.organizationId}, 'x', 'health', 'no-such-key', null, '2025-01-01T00:00:00.000Z', null)`.execute(
            tenant,
          ),
        ).rejects.toThrow();
      } finally {
        await database.drop();
      }
    });
  });
}

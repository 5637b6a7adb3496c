import { expect, it } from 'vitest';
import { decryptSubjectFields } from '../../src/app/keys/decrypt-subject-fields.js';
import { encryptSubjectFields } from '../../src/app/keys/encrypt-subject-fields.js';
import { rotateMasterKey } from '../../src/app/keys/rotate-master-key.js';
import { rotateOrganizationKey } from '../../src/app/keys/rotate-organization-key.js';
import { DecryptionError, KeyUnavailableError } from '../../src/crypto/envelope.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { inTransaction } from '../../src/store/db.js';
import { createKeyStore } from '../../src/store/key-store.js';
import type { OrganizationScope } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';
import { M1, M2, keyDeps, newOrganization, provider, type KeyTestDeps } from './support.js';

const HEALTH = {
  allergies: 'Erdnüsse 🥜, penicillin',
  notes: '',
  medication: 'アドレナリン自己注射薬',
};
const OPERATOR = { actor: { actorType: 'system', actorId: null } } as const;

async function encrypt(
  deps: KeyTestDeps,
  scope: OrganizationScope,
  subjectId: string,
  fields: Record<string, string> = HEALTH,
): Promise<Record<string, string>> {
  return inTransaction(deps.store, (trx) =>
    encryptSubjectFields(deps, trx, scope, { subjectId, category: 'health', fields }),
  );
}

function decrypt(
  deps: KeyTestDeps,
  scope: OrganizationScope,
  subjectId: string,
  fields: Record<string, string>,
  category = 'health',
): Promise<Record<string, string>> {
  return decryptSubjectFields(deps, deps.store.db, scope, { subjectId, category, fields });
}

describeEachDialect('encrypting a person’s fields', ({ store }) => {
  it('round-trips unicode and empty values, storing none of them in clear', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const sealed = await encrypt(deps, scope, 'child-1');
    expect(Object.keys(sealed)).toEqual(Object.keys(HEALTH));
    for (const value of Object.values(sealed)) {
      expect(value).toMatch(/^v1\./);
    }
    expect(JSON.stringify(sealed)).not.toContain(HEALTH.allergies);
    expect(await decrypt(deps, scope, 'child-1', sealed)).toEqual(HEALTH);
  });

  it('creates the person’s key in the caller’s transaction: a rolled-back write leaves none', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    await expect(
      inTransaction(store(), async (trx) => {
        await encryptSubjectFields(deps, trx, scope, {
          subjectId: 'child-1',
          category: 'health',
          fields: HEALTH,
        });
        throw new Error('the write fails after encryption');
      }),
    ).rejects.toThrow('the write fails');
    expect(
      await createKeyStore(store().db, store().dialect).findSubjectKey(scope, 'child-1', 'health'),
    ).toBe(undefined);
    expect(
      await createKeyStore(store().db, store().dialect).findCurrentOrganizationKey(scope),
    ).toBe(undefined);
  });

  it('keeps one key per person when two first writes race, and both writes decrypt', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const [first, second] = await Promise.all([
      encrypt(deps, scope, 'child-1', { allergies: 'first' }),
      encrypt(deps, scope, 'child-1', { allergies: 'second' }),
    ]);
    expect(await decrypt(deps, scope, 'child-1', first)).toEqual({ allergies: 'first' });
    expect(await decrypt(deps, scope, 'child-1', second)).toEqual({ allergies: 'second' });
  });

  it('fails with a typed error when a ciphertext is copied to another person, field or category', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const alice = await encrypt(deps, scope, 'alice');
    await encrypt(deps, scope, 'bob');
    await expect(decrypt(deps, scope, 'bob', alice)).rejects.toBeInstanceOf(DecryptionError);
    await expect(
      decrypt(deps, scope, 'alice', { medication: alice.allergies ?? '' }),
    ).rejects.toBeInstanceOf(DecryptionError);
    // Another category of the same person: no key of that category yet, then a key of its own.
    const missing = await decrypt(deps, scope, 'alice', alice, 'contact').catch(
      (caught: unknown) => caught,
    );
    expect((missing as KeyUnavailableError).reason).toBe('subject-key-missing');
    await inTransaction(deps.store, (trx) =>
      encryptSubjectFields(deps, trx, scope, {
        subjectId: 'alice',
        category: 'contact',
        fields: { phone: '+57 300 000 0000' },
      }),
    );
    await expect(decrypt(deps, scope, 'alice', alice, 'contact')).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });

  it('cannot decrypt one organisation’s ciphertexts in another organisation', async () => {
    const deps = keyDeps(store(), provider(M1));
    const mine = await newOrganization(store());
    const theirs = await newOrganization(store());
    const sealed = await encrypt(deps, mine, 'child-1');
    await encrypt(deps, theirs, 'child-1');
    await expect(decrypt(deps, theirs, 'child-1', sealed)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('answers a person without a key with a typed error, and creates none', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const error = await decrypt(deps, scope, 'nobody', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyUnavailableError);
    expect((error as KeyUnavailableError).reason).toBe('subject-key-missing');
  });

  it('keeps every value decryptable across an organisation key rotation, audited as key.rotate', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    const people = Array.from({ length: 12 }, (_, index) => `child-${index}`);
    const sealed = new Map<string, Record<string, string>>();
    for (const person of people) {
      sealed.set(person, await encrypt(deps, scope, person, { allergies: `allergy ${person}` }));
    }
    const keys = createKeyStore(store().db, store().dialect);
    const before = await keys.findSubjectKey(scope, 'child-0', 'health');

    const result = await rotateOrganizationKey(deps, scope, OPERATOR);

    expect(result.outcome).toBe('rotated');
    if (result.outcome !== 'rotated') {
      return;
    }
    expect(result.rewrappedSubjectKeys).toBe(people.length);
    const after = await keys.findSubjectKey(scope, 'child-0', 'health');
    expect(after?.organizationKeyId).toBe(result.organizationKeyId);
    expect(after?.wrappedKey).not.toBe(before?.wrappedKey);
    for (const person of people) {
      expect(await decrypt(deps, scope, person, sealed.get(person) ?? {})).toEqual({
        allergies: `allergy ${person}`,
      });
    }
    const [entry] = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'key.rotate',
    });
    expect(entry?.details).toMatchObject({
      kind: 'organization',
      retiredOrganizationKeyId: result.retiredOrganizationKeyId,
      rewrappedSubjectKeys: people.length,
    });
  });

  it('says there is nothing to rotate in an organisation that never encrypted anything', async () => {
    const deps = keyDeps(store(), provider(M1));
    const scope = await newOrganization(store());
    expect(await rotateOrganizationKey(deps, scope, OPERATOR)).toEqual({ outcome: 'no-key' });
  });

  it('re-wraps under a new master key, after which the old master key can be removed', async () => {
    const scope = await newOrganization(store());
    const sealed = await encrypt(keyDeps(store(), provider(M1)), scope, 'child-1');

    const rotating = keyDeps(store(), provider(M2, M1));
    const result = await rotateMasterKey(rotating, OPERATOR);

    expect(result.masterKeyId).toBe('m2');
    expect(result.rewrappedOrganizationKeys).toBeGreaterThanOrEqual(1);
    expect(result.retirableMasterKeyIds).toEqual(['m1']);
    expect(await decrypt(keyDeps(store(), provider(M2)), scope, 'child-1', sealed)).toEqual(HEALTH);
    const [entry] = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'key.rotate',
    });
    expect(entry?.details).toMatchObject({ kind: 'master', masterKeyId: 'm2' });
    // A second run has nothing left to do.
    expect((await rotateMasterKey(rotating, OPERATOR)).rewrappedOrganizationKeys).toBe(0);
  });

  it('cannot read data whose master key was removed before a rotation re-wrapped it', async () => {
    const scope = await newOrganization(store());
    const sealed = await encrypt(keyDeps(store(), provider(M1)), scope, 'child-1');
    const error = await decrypt(keyDeps(store(), provider(M2)), scope, 'child-1', sealed).catch(
      (caught: unknown) => caught,
    );
    expect((error as KeyUnavailableError).reason).toBe('master-key-unknown');
  });
});

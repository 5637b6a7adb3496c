import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { expect, it } from 'vitest';
import { registerKeyCommands } from '../../src/cli/commands/keys.js';
import type { CliContext } from '../../src/cli/context.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { inTransaction } from '../../src/store/db.js';
import { createKeyStore } from '../../src/store/key-store.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { scopeOf } from '../../src/store/scope.js';
import { encryptSubjectFields } from '../../src/app/keys/encrypt-subject-fields.js';
import { decryptSubjectFields } from '../../src/app/keys/decrypt-subject-fields.js';
import { describeEachDialect } from '../support/databases.js';
import { M1, M2, keyDeps, provider } from './support.js';

function keyLine(key: { id: string; key: Buffer }): string {
  return `${key.id}:${key.key.toString('base64')}`;
}

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const context: CliContext = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(''),
    env: { CUSTODIA_LOG_LEVEL: 'silent', ...env },
    setExitCode: (value) => {
      code = value;
    },
  };
  const program = new Command().exitOverride();
  registerKeyCommands(program, context);
  await program.parseAsync(args, { from: 'user' });
  return { code, stdout, stderr };
}

describeEachDialect('custodia keys', ({ database, store }) => {
  async function organizationWithData(slug: string) {
    const id = `org-${randomBytes(4).toString('hex')}`;
    await createOrganizationStore(store().db).insert({
      id,
      slug,
      name: slug,
      createdAt: '2025-06-01T09:00:00.000Z',
    });
    const scope = scopeOf(id);
    const deps = keyDeps(store(), provider(M1));
    const sealed = await inTransaction(store(), (trx) =>
      encryptSubjectFields(deps, trx, scope, {
        subjectId: 'child-1',
        category: 'health',
        fields: { allergies: 'peanuts' },
      }),
    );
    return { scope, sealed };
  }

  it('rotate-organization re-wraps every person’s key and destroys the old organisation key', async () => {
    const { scope, sealed } = await organizationWithData('sunflower');
    const before = await createKeyStore(store().db, store().dialect).findCurrentOrganizationKey(
      scope,
    );

    const result = await run(
      ['keys', 'rotate-organization', '--org', 'sunflower', '--db', database().url],
      {
        CUSTODIA_CRYPTO_MASTER_KEY: keyLine(M1),
      },
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 personal data key(s) re-wrapped');
    expect(result.stdout).toContain(`${before?.id ?? '?'} destroyed`);
    const after = await createKeyStore(store().db, store().dialect).findCurrentOrganizationKey(
      scope,
    );
    expect(after?.id).not.toBe(before?.id);
    expect(
      await decryptSubjectFields(
        { masterKeys: provider(M1), dialect: store().dialect },
        store().db,
        scope,
        {
          subjectId: 'child-1',
          category: 'health',
          fields: sealed,
        },
      ),
    ).toEqual({ allergies: 'peanuts' });
    const audit = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'key.rotate',
    });
    expect(audit[0]?.actorType).toBe('system');
  });

  it('rotate-master re-wraps under the first key and names the keys that can be removed', async () => {
    const { scope, sealed } = await organizationWithData('daisy');
    const result = await run(['keys', 'rotate-master', '--db', database().url], {
      CUSTODIA_CRYPTO_MASTER_KEY: `${keyLine(M2)},${keyLine(M1)}`,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Master key m2 now wraps every live organisation key');
    expect(result.stdout).toContain('No longer needed: m1');
    expect(
      await decryptSubjectFields(
        { masterKeys: provider(M2), dialect: store().dialect },
        store().db,
        scope,
        {
          subjectId: 'child-1',
          category: 'health',
          fields: sealed,
        },
      ),
    ).toEqual({ allergies: 'peanuts' });
  });

  it('answers an unknown organisation with exit code 1 and a sentence', async () => {
    const result = await run(
      ['keys', 'rotate-organization', '--org', 'nobody', '--db', database().url],
      {
        CUSTODIA_CRYPTO_MASTER_KEY: keyLine(M1),
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No organisation has the slug "nobody"');
  });

  it('rejects a master key of the wrong length with exit code 2, naming the setting', async () => {
    const result = await run(['keys', 'rotate-master', '--db', database().url], {
      CUSTODIA_CRYPTO_MASTER_KEY: randomBytes(16).toString('base64'),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('crypto.masterKey');
    expect(result.stderr).toContain('exactly 32 bytes');
    expect(result.stdout).toBe('');
  });
});

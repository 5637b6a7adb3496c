import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { scopeOf } from '../../src/store/scope.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { createPolicyVersionStore } from '../../src/store/policy-version-store.js';
import { createStaffUserStore } from '../../src/store/staff-user-store.js';
import { describeEachDialect } from '../support/databases.js';

const MASTER_KEY = `policy-cli-test:${randomBytes(32).toString('base64')}`;
const KAJUYALI = 'examples/policies/kajuyali.yaml';
const BROKEN = 'test/policy/fixtures/broken.yaml';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context: CliContext & { untilShutdown(): Promise<string> } = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(''),
    env: { CUSTODIA_LOG_LEVEL: 'silent', CUSTODIA_CRYPTO_MASTER_KEY: MASTER_KEY },
    setExitCode: () => undefined,
    untilShutdown: () => new Promise(() => undefined),
  };
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

describeEachDialect('custodia policy upload / activate', ({ database, store }) => {
  const db = () => ['--db', database().url];
  let draftId = '';

  async function organizationScope() {
    const organization = await createOrganizationStore(store().db).findBySlug('kajuyali');
    if (organization === undefined) {
      throw new Error('organisation missing');
    }
    return scopeOf(organization.id);
  }

  it('starts from an organisation made by custodia init', async () => {
    const init = await run([
      'init',
      ...db(),
      '--org-name',
      'Kajuyalí',
      '--slug',
      'kajuyali',
      '--admin-email',
      'gerente@kajuyali.example',
    ]);
    expect(init.code).toBe(0);
  });

  it('refuses a policy that fails its check with exit 2, printing FILE:LINE:COL problems, and stores nothing', async () => {
    const result = await run(['policy', 'upload', BROKEN, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${BROKEN}: the policy does not pass its check`);
    expect(result.stderr).toContain(`${BROKEN}:5:3: organisation: unknown key "retension"`);
    expect(result.stderr).toMatch(new RegExp(`^${BROKEN}:\\d+:\\d+: `, 'm'));
    expect(result.stdout).toBe('');
    expect(await createPolicyVersionStore(store().db).list(await organizationScope())).toEqual([]);
  });

  it('exits 2 for a file it cannot read and for an unknown organisation', async () => {
    const missing = await run(['policy', 'upload', 'no/such/policy.yaml', '--org', 'kajuyali']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/policy.yaml: cannot read the file (ENOENT)');
    const unknown = await run(['policy', 'upload', KAJUYALI, '--org', 'nobody', ...db()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no organisation has the slug "nobody"');
  });

  it('uploads a good policy as a draft, audited as the system actor', async () => {
    const result = await run(['policy', 'upload', KAJUYALI, '--org', 'kajuyali', ...db()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const match = /as draft (\S+) \(policy version 2022-09-01/.exec(result.stdout);
    draftId = match?.[1] ?? '';
    expect(draftId).not.toBe('');
    expect(result.stdout).toContain(`custodia policy activate ${draftId} --org kajuyali`);
    const scope = await organizationScope();
    const versions = await createPolicyVersionStore(store().db).list(scope);
    expect(versions).toMatchObject([{ id: draftId, status: 'draft', uploadedBy: null }]);
    const entries = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'policy.upload',
    });
    expect(entries).toMatchObject([
      { actorType: 'system', actorId: null, details: { policyVersionId: draftId } },
    ]);
  });

  it('refuses to activate while an account would hold a role the policy does not declare, changing nothing', async () => {
    const result = await run(['policy', 'activate', draftId, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'gerente@kajuyali.example has role "administrator", which this policy does not declare',
    );
    const unknownEmail = await run([
      'policy',
      'activate',
      draftId,
      '--org',
      'kajuyali',
      '--assign',
      'nobody@kajuyali.example=level-a',
      ...db(),
    ]);
    expect(unknownEmail.code).toBe(2);
    expect(unknownEmail.stderr).toContain('--assign nobody@kajuyali.example: no staff account');
    const badRole = await run([
      'policy',
      'activate',
      draftId,
      '--org',
      'kajuyali',
      '--assign',
      'gerente@kajuyali.example=level-z',
      ...db(),
    ]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain(
      '--assign gerente@kajuyali.example: "level-z" is not a role of this policy',
    );
    const scope = await organizationScope();
    expect(await createPolicyVersionStore(store().db).activeId(scope)).toBeUndefined();
  });

  it('activates the draft with role assignments in the same transaction, audited as the system actor', async () => {
    const result = await run([
      'policy',
      'activate',
      draftId,
      '--org',
      'kajuyali',
      '--assign',
      'Gerente@Kajuyali.example=level-a',
      ...db(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Activated policy version 2022-09-01 (${draftId}) for kajuyali`,
    );
    const scope = await organizationScope();
    expect(await createPolicyVersionStore(store().db).activeId(scope)).toBe(draftId);
    const admin = await createStaffUserStore(store().db).findByEmail(
      scope,
      'gerente@kajuyali.example',
    );
    expect(admin?.role).toBe('level-a');
    const entries = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'policy.activate',
    });
    expect(entries).toMatchObject([{ actorType: 'system', actorId: null }]);

    const again = await run(['policy', 'activate', draftId, '--org', 'kajuyali', ...db()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already active');
    const verify = await run(['audit', 'verify', '--org', 'kajuyali', ...db()]);
    expect(verify.code).toBe(0);
  });
});

describe('the system actor', () => {
  it('is never built by the HTTP layer: nothing under src/http imports systemActor', () => {
    const files = readdirSync('src/http', { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.filter((file) =>
      /\bsystemActor\b|kind:\s*'system'/.test(readFileSync(join('src/http', file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/app/context.js';
import { createPerson, CreatePersonRequest } from '../../src/app/people/create-person.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { createPolicyVersionStore } from '../../src/store/policy-version-store.js';
import { scopeOf, type OrganizationScope } from '../../src/store/scope.js';
import { createStaffUserStore } from '../../src/store/staff-user-store.js';
import { describeEachDialect } from '../support/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const DAY = 24 * 60 * 60 * 1000;
const PUBLIC_BASE_URL = 'https://records.example.org';
const directory = mkdtempSync(join(tmpdir(), 'custodia-announce-test-'));

/** kajuyali.yaml with a purpose its terms consent covers: a change that needs re-authorisation. */
const NEW_PURPOSE_FILE = join(directory, 'kajuyali-2026.yaml');
writeFileSync(
  NEW_PURPOSE_FILE,
  readFileSync('examples/policies/kajuyali.yaml', 'utf8')
    .replace("policy_version: '2022-09-01'", "policy_version: '2026-05-01'")
    .replace(
      'purposes: [program-operation, emergency-care, customer-history]',
      'purposes: [program-operation, emergency-care, customer-history, program-quality-research]',
    )
    .replace(
      'purposes:\n',
      `purposes:
  - id: program-quality-research
    labels:
      es: 'Investigación sobre la calidad de los programas'
      en: 'Research on the quality of our programs'
      fr: 'Recherche sur la qualité des programmes'
    categories: [contact-data, enrollments]
    lawful_basis:
      colombia-1581: { basis: consent }
`,
    ),
);

let smtp: TestSmtpServer;
let env: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtpServer();
  env = {
    CUSTODIA_LOG_LEVEL: 'silent',
    CUSTODIA_CRYPTO_MASTER_KEY: `announce-cli-test:${randomBytes(32).toString('base64')}`,
    CUSTODIA_MAIL_SMTP_URL: smtp.url,
    CUSTODIA_MAIL_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
  };
});

afterAll(async () => {
  await smtp.stop();
  rmSync(directory, { recursive: true, force: true });
});

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
    env,
    setExitCode: () => undefined,
    untilShutdown: () => new Promise(() => undefined),
  };
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

/** A date (midnight UTC) `days` from now on the real clock, which the CLI runs on. */
function daysAhead(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
}

describeEachDialect('custodia policy announce / activate-due', ({ database, store }) => {
  const db = () => ['--db', database().url];
  let runtime: Runtime | undefined;
  let scope: OrganizationScope = scopeOf('unset');
  let draftId = '';
  let effectiveDate = '';

  beforeAll(async () => {
    smtp.clear();
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
    expect(init.code, init.stderr).toBe(0);
    const upload = await run([
      'policy',
      'upload',
      'examples/policies/kajuyali.yaml',
      '--org',
      'kajuyali',
      ...db(),
    ]);
    const first = /as draft (\S+) /.exec(upload.stdout)?.[1] ?? '';
    const activate = await run([
      'policy',
      'activate',
      first,
      '--org',
      'kajuyali',
      '--assign',
      'gerente@kajuyali.example=level-a',
      ...db(),
    ]);
    expect(activate.code, activate.stderr).toBe(0);
    const organization = await createOrganizationStore(store().db).findBySlug('kajuyali');
    scope = scopeOf(organization?.id ?? '');
    const admin = await createStaffUserStore(store().db).findByEmail(
      scope,
      'gerente@kajuyali.example',
    );
    const staff: Principal = {
      kind: 'staff-session',
      organizationId: scope.organizationId,
      userId: admin?.id ?? '',
      role: 'level-a',
      sessionId: 'test-session',
      mfa: 'verified',
      expiresAt: '2999-01-01T00:00:00.000Z',
    };
    runtime = await createRuntime(
      loadConfig({
        env: { ...env, CUSTODIA_MAIL_SMTP_URL: '' },
        flags: { 'database.url': database().url },
      }),
    );
    const deps = runtime.deps;
    const add = (request: CreatePersonRequest) =>
      createPerson(deps, staff, scope.organizationId, CreatePersonRequest.parse(request), {
        origin: undefined,
      });
    const guardian = await add({
      subjectKind: 'guardian',
      data: {
        'contact-data': {
          full_name: 'Marta Ruiz',
          email: 'marta@familia.example',
          phone: '3005550103',
        },
      },
    });
    const consents = [
      {
        consent: 'terms-and-data-authorisation',
        givenBy: 'staff-paper-form' as const,
        evidenceReference: 'KCTGMPDATAFORM22-CLI',
      },
    ];
    await add({
      subjectKind: 'participant',
      guardians: [{ guardianId: guardian.id, relationship: 'mother' }],
      consents,
      data: {
        'contact-data': {
          full_name: 'Tomás Ruiz',
          email: 'tomas@familia.example',
          phone: '3005550104',
        },
        'participant-data': {
          full_name: 'Tomás Ruiz',
          date_of_birth: '2014-05-17',
          emergency_contact: { name: 'Marta Ruiz', phone: '3005550103' },
        },
      },
    });
    await add({
      subjectKind: 'participant',
      consents,
      data: {
        'contact-data': { full_name: 'Ana Gómez', email: 'ana@example.org', phone: '3005550105' },
        'participant-data': {
          full_name: 'Ana Gómez',
          date_of_birth: '1990-01-01',
          emergency_contact: { name: 'Luis Gómez', phone: '3005550106' },
        },
      },
    });
    const next = await run(['policy', 'upload', NEW_PURPOSE_FILE, '--org', 'kajuyali', ...db()]);
    draftId = /as draft (\S+) /.exec(next.stdout)?.[1] ?? '';
    expect(draftId).not.toBe('');
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('kajuyali Decree 1377 Art. 5: refuses an effective date sooner than 30 days, naming --effective-at', async () => {
    const tooSoon = await run([
      'policy',
      'announce',
      '--org',
      'kajuyali',
      '--version',
      draftId,
      '--effective-at',
      daysAhead(10),
      ...db(),
    ]);
    expect(tooSoon.code).toBe(2);
    expect(tooSoon.stderr).toContain('--effective-at: must be on or after ');
    const garbled = await run([
      'policy',
      'announce',
      '--org',
      'kajuyali',
      '--version',
      draftId,
      '--effective-at',
      'next month',
      ...db(),
    ]);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('--effective-at');
    const unannounced = await run(['policy', 'activate', draftId, '--org', 'kajuyali', ...db()]);
    expect(unannounced.code).toBe(1);
    expect(unannounced.stderr).toContain('announce it first');
    expect(smtp.messages()).toEqual([]);
  });

  it('announces 31 days ahead and emails everyone affected at once, the child through their guardian', async () => {
    effectiveDate = daysAhead(31);
    const announced = await run([
      'policy',
      'announce',
      '--org',
      'kajuyali',
      '--version',
      draftId,
      '--effective-at',
      effectiveDate,
      ...db(),
    ]);
    expect(announced.stderr).toBe('');
    expect(announced.code).toBe(0);
    expect(announced.stdout).toContain(
      `it takes effect on ${effectiveDate}T00:00:00.000Z; everyone must accept it again.`,
    );
    expect(announced.stdout).toContain('Emailed 2 notice(s), reaching 3 person(s)');
    const emails = await smtp.waitFor(2);
    expect(emails.flatMap((email) => email.envelopeTo).sort()).toEqual([
      'ana@example.org',
      'marta@familia.example',
    ]);
    for (const email of emails) {
      expect(email.text).toContain(`takes effect on ${effectiveDate} at 00:00 UTC`);
      expect(email.text).toContain(
        `${PUBLIC_BASE_URL}/api/v1/privacy-notices/kajuyali/versions/${draftId}`,
      );
    }
  });

  it('announcing again emails nobody twice', async () => {
    const again = await run([
      'policy',
      'announce',
      '--org',
      'kajuyali',
      '--version',
      draftId,
      '--effective-at',
      effectiveDate,
      ...db(),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Emailed 0 notice(s), reaching 0 person(s)');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages()).toHaveLength(2);
  });

  it('activates nothing before the date; activate-due activates it once the date has come', async () => {
    const early = await run(['policy', 'activate', draftId, '--org', 'kajuyali', ...db()]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`take effect on ${effectiveDate}T00:00:00.000Z`);
    const nothing = await run(['policy', 'activate-due', ...db()]);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toBe('No announced policy version is due.\n');

    // The CLI runs on the real clock: rather than wait 31 days, the announced date is moved back.
    const versions = createPolicyVersionStore(store().db);
    const announcement = await versions.announcementOf(scope, draftId);
    if (announcement === undefined) {
      throw new Error('the version was not announced');
    }
    await versions.recordAnnouncement(scope, draftId, {
      ...announcement,
      effectiveAt: new Date(Date.now() - DAY).toISOString(),
    });
    const due = await run(['policy', 'activate-due', ...db()]);
    expect(due.stderr).toBe('');
    expect(due.code).toBe(0);
    expect(due.stdout).toContain(`Activated ${draftId} (organisation ${scope.organizationId})`);
    const history = await versions.activationHistory(scope);
    expect(history.at(-1)).toMatchObject({ id: draftId, requiresReacceptance: true });
    const verify = await run(['audit', 'verify', '--org', 'kajuyali', ...db()]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});

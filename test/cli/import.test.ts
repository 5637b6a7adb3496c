import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/app/context.js';
import { systemActor } from '../../src/app/context.js';
import { importPeople, ImportPeopleRequest } from '../../src/app/people/import-people.js';
import { readPerson } from '../../src/app/people/read-person.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { createPersonStore } from '../../src/store/person-store.js';
import { scopeOf, type OrganizationScope } from '../../src/store/scope.js';
import { createStaffUserStore } from '../../src/store/staff-user-store.js';
import { describeEachDialect } from '../support/databases.js';

const MASTER_KEY = `import-cli-test:${randomBytes(32).toString('base64')}`;
const ENV = { CUSTODIA_LOG_LEVEL: 'silent', CUSTODIA_CRYPTO_MASTER_KEY: MASTER_KEY };
const directory = mkdtempSync(join(tmpdir(), 'custodia-import-test-'));
let fileCounter = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function csvFile(text: string): string {
  fileCounter += 1;
  const path = join(directory, `people-${fileCounter}.csv`);
  writeFileSync(path, text);
  return path;
}

async function run(
  argv: string[],
  options: { isInteractive?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
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
    env: ENV,
    setExitCode: () => undefined,
    untilShutdown: () => new Promise(() => undefined),
    ...(options.isInteractive === undefined ? {} : { isInteractive: options.isInteractive }),
  };
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

const HEADER =
  'external_reference,contact-data.full_name,contact-data.email,contact-data.phone,participant-data.full_name,participant-data.date_of_birth,participant-data.emergency_contact,medical-data.allergies,consent.terms-and-data-authorisation';

function goodRow(index: number): string {
  return [
    `P-${index}`,
    `Participant ${index}`,
    `p${index}@example.org`,
    `+57 300 ${String(1_000_000 + index)}`,
    `Participant ${index}`,
    '2012-03-04',
    `"{""name"":""Guardian ${index}"",""phone"":""+57 301 ${index}""}"`,
    `"allergic to peanuts, pollen (#${index})"`,
    // kajuyali §5.2: the signed paper form each participant's guardian filled in.
    `KCTGMPDATAFORM22-P-${index}`,
  ].join(',');
}

describeEachDialect('custodia import participants', ({ database, store }) => {
  const db = () => ['--db', database().url];
  let runtime: Runtime | undefined;
  let scope: OrganizationScope = scopeOf('unset');
  let reader: Principal | undefined;

  async function peopleCount(): Promise<number> {
    const rows = await createPersonStore(store().db).list(scope, { limit: 100_000 });
    return rows.length;
  }

  async function findByReference(reference: string) {
    return createPersonStore(store().db).findByExternalReference(scope, reference);
  }

  beforeAll(async () => {
    expect(
      (
        await run([
          'init',
          ...db(),
          '--org-name',
          'Kajuyalí',
          '--slug',
          'kajuyali',
          '--admin-email',
          'gerente@kajuyali.example',
        ])
      ).code,
    ).toBe(0);
    const upload = await run([
      'policy',
      'upload',
      'examples/policies/kajuyali.yaml',
      '--org',
      'kajuyali',
      ...db(),
    ]);
    const versionId = /as draft (\S+) /.exec(upload.stdout)?.[1] ?? '';
    const activate = await run([
      'policy',
      'activate',
      versionId,
      '--org',
      'kajuyali',
      '--assign',
      'gerente@kajuyali.example=level-a',
      ...db(),
    ]);
    expect(activate.code).toBe(0);
    const organization = await createOrganizationStore(store().db).findBySlug('kajuyali');
    scope = scopeOf(organization?.id ?? '');
    const admin = await createStaffUserStore(store().db).findByEmail(
      scope,
      'gerente@kajuyali.example',
    );
    reader = {
      kind: 'staff-session',
      organizationId: scope.organizationId,
      userId: admin?.id ?? '',
      role: 'level-a',
      sessionId: 'test-session',
      mfa: 'verified',
      expiresAt: '2999-01-01T00:00:00.000Z',
    };
    runtime = await createRuntime(
      loadConfig({ env: ENV, flags: { 'database.url': database().url } }),
    );
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('imports every row of a good file, encrypting medical data, each person audited as the system', async () => {
    const rows = Array.from({ length: 30 }, (_, index) => goodRow(index + 1));
    const file = csvFile(`${HEADER}\n${rows.join('\n')}\n`);
    const result = await run([
      'import',
      'participants',
      file,
      '--org',
      'kajuyali',
      '--batch-size',
      '7',
      ...db(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Imported 30 people into kajuyali under policy version 2022-09-01 \(\S+\): 30 participant in /,
    );
    expect(await peopleCount()).toBe(30);

    const person = await findByReference('P-17');
    if (person === undefined || runtime === undefined || reader === undefined) {
      throw new Error('P-17 was not imported');
    }
    const view = await readPerson(runtime.deps, reader, scope.organizationId, person.id, {
      origin: undefined,
    });
    expect(view.data).toEqual({
      'contact-data': {
        full_name: 'Participant 17',
        email: 'p17@example.org',
        phone: '+57 300 1000017',
      },
      'participant-data': {
        full_name: 'Participant 17',
        date_of_birth: '2012-03-04',
        emergency_contact: '{"name":"Guardian 17","phone":"+57 301 17"}',
      },
      'medical-data': { allergies: 'allergic to peanuts, pollen (#17)' },
    });
    const stored = await createPersonStore(store().db).values(scope, person.id);
    const allergies = stored.find((row) => row.categoryId === 'medical-data');
    expect(allergies?.isEncrypted).toBe(true);
    expect(allergies?.value).not.toContain('peanuts');
    // Kajuyalí's participant data is about children, so it is encrypted too; contact data is not.
    expect(
      stored.filter((row) => row.categoryId === 'contact-data').some((row) => row.isEncrypted),
    ).toBe(false);
    expect(
      stored.filter((row) => row.categoryId === 'participant-data').every((row) => row.isEncrypted),
    ).toBe(true);

    const audit = await createAuditStore(store().db, store().dialect).list(scope, {
      action: 'person.import',
    });
    expect(audit).toHaveLength(30);
    expect(audit.every((entry) => entry.actorType === 'system' && entry.actorId === null)).toBe(
      true,
    );
    expect(audit.find((entry) => entry.subjectId === person.id)?.details).toMatchObject({
      categories: ['contact-data', 'participant-data', 'medical-data'],
      line: 18,
    });
    expect((await run(['audit', 'verify', '--org', 'kajuyali', ...db()])).code).toBe(0);
  });

  it('reports every bad row by line, column and reason, and imports nothing', async () => {
    const before = await peopleCount();
    const file = csvFile(
      [
        HEADER,
        goodRow(101),
        'B-1,Ana,not-an-email,+57 300 1234567,Ana,2012-02-30,{},,KCTGMPDATAFORM22-B-1',
        goodRow(102),
        'B-2,Luis,luis@example.org,+57 300 1234568,,2013-01-01,{not json},,KCTGMPDATAFORM22-B-2',
        'B-3,Too,few',
        goodRow(103),
      ].join('\n'),
    );
    const result = await run(['import', 'participants', file, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `${file}: 3 of 6 rows have problems; nothing was imported:`,
        'line 3: contact-data.email: must be an e-mail address',
        'line 3: participant-data.date_of_birth: must be a calendar date as YYYY-MM-DD',
        'line 5: participant-data.emergency_contact: must be JSON',
        'line 5: participant-data.full_name: is required',
        'line 6: has 3 fields where the header has 9',
        '',
      ].join('\n'),
    );
    expect(await peopleCount()).toBe(before);
    expect(await findByReference('P-101')).toBeUndefined();
  });

  it('refuses a column the policy does not declare, naming it, before reading any row', async () => {
    const file = csvFile(
      'external_reference,contact-data.full_name,contact-data.nickname,hobbies.chess,shoe_size\nX-1,Ana,Annie,yes,38\n',
    );
    const result = await run(['import', 'participants', file, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 1: contact-data.nickname: is not a field of "contact-data" in the policy, so it may not be stored',
    );
    expect(result.stderr).toContain(
      'line 1: hobbies.chess: "hobbies" is not a category the policy declares, so it may not be stored',
    );
    expect(result.stderr).toContain('line 1: shoe_size: is not a column of an import');
    expect(await findByReference('X-1')).toBeUndefined();
  });

  it('refuses an external reference repeated in the file or already imported (never an update)', async () => {
    const before = await peopleCount();
    const file = csvFile([HEADER, goodRow(201), goodRow(17), goodRow(201)].join('\n'));
    const result = await run(['import', 'participants', file, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 3: external_reference: a person with external reference "P-17" already exists (a re-import is refused, never an update)',
    );
    expect(result.stderr).toContain('line 4: external_reference: "P-201" repeats line 2');
    expect(await peopleCount()).toBe(before);
  });

  it('reads quoted fields holding commas, quotes and line breaks, and counts lines from where each row starts', async () => {
    const header =
      'external_reference,subject_kind,contact-data.full_name,contact-data.email,contact-data.phone,contact-data.address';
    const rows = [
      'Q-1,guardian,"Díaz, Ana ""la profe""",ana@example.org,+57 300 1,"Calle 5 # 10-20\nApto 301\nBogotá"',
      'Q-2,guardian,Luis,not-an-email,+57 300 2,"one line, with comma"',
    ];
    const bad = csvFile(`${header}\r\n${rows.join('\r\n')}\r\n`);
    const refused = await run(['import', 'participants', bad, '--org', 'kajuyali', ...db()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 5: contact-data.email: must be an e-mail address');

    const good = csvFile(`${header}\r\n${rows[0] ?? ''}\r\n`);
    const imported = await run(['import', 'participants', good, '--org', 'kajuyali', ...db()]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Imported 1 person into kajuyali');
    expect(imported.stdout).toContain(': 1 guardian in ');
    const person = await findByReference('Q-1');
    if (person === undefined || runtime === undefined || reader === undefined) {
      throw new Error('Q-1 was not imported');
    }
    expect(person.subjectKind).toBe('guardian');
    const view = await readPerson(runtime.deps, reader, scope.organizationId, person.id, {
      origin: undefined,
    });
    expect(view.data['contact-data']).toEqual({
      full_name: 'Díaz, Ana "la profe"',
      email: 'ana@example.org',
      phone: '+57 300 1',
      // Line breaks inside a quoted field are kept as written (RFC 4180), whatever ends the rows.
      address: 'Calle 5 # 10-20\nApto 301\nBogotá',
    });
  });

  it('refuses an unknown kind of person and a category not kept about the kind', async () => {
    const file = csvFile(
      'subject_kind,contact-data.full_name,contact-data.email,contact-data.phone,medical-data.allergies\n' +
        'robot,R2,r2@example.org,+57 300 3,\n' +
        'guardian,Eva,eva@example.org,+57 300 4,dust\n',
    );
    const result = await run(['import', 'participants', file, '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 2: subject_kind: "robot" is not a kind of person the policy declares (participant, guardian, prospect)',
    );
    expect(result.stderr).toContain(
      'line 3: medical-data: is not kept about a guardian under the policy',
    );
  });

  it('refuses an empty file, saying why', async () => {
    const result = await run(['import', 'participants', csvFile(''), '--org', 'kajuyali', ...db()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 1: the file is empty: the first line must name the columns',
    );
  });

  it('imports nothing, successfully, from a file with a header and no rows', async () => {
    const before = await peopleCount();
    const result = await run([
      'import',
      'participants',
      csvFile(`${HEADER}\n`),
      '--org',
      'kajuyali',
      ...db(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Imported 0 people into kajuyali/);
    expect(await peopleCount()).toBe(before);
  });

  it('--dry-run checks every row and writes nothing', async () => {
    const before = await peopleCount();
    const file = csvFile([HEADER, goodRow(301), goodRow(302)].join('\n'));
    const result = await run([
      'import',
      'participants',
      file,
      '--org',
      'kajuyali',
      '--dry-run',
      ...db(),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'all 2 rows pass policy version 2022-09-01; nothing was imported (--dry-run)',
    );
    expect(await peopleCount()).toBe(before);
  });

  it('draws a progress bar on standard error only when it is a terminal', async () => {
    const file = csvFile([HEADER, goodRow(401), goodRow(402)].join('\n'));
    const result = await run(['import', 'participants', file, '--org', 'kajuyali', ...db()], {
      isInteractive: true,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Importing [');
    expect(result.stderr).toContain('2/2 people');
  });

  it('exits 2 for a file it cannot read, a bad flag and an organisation that does not exist', async () => {
    const missing = await run([
      'import',
      'participants',
      join(directory, 'nope.csv'),
      '--org',
      'kajuyali',
      ...db(),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the file (ENOENT)');
    const file = csvFile(`${HEADER}\n`);
    const badFlag = await run([
      'import',
      'participants',
      file,
      '--org',
      'kajuyali',
      '--batch-size',
      '0',
      ...db(),
    ]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--batch-size');
    const unknown = await run(['import', 'participants', file, '--org', 'nobody', ...db()]);
    expect(unknown.code).toBe(2);
  });

  it('when the file changes between the check and the import, keeps the whole batches already written and says which lines are not in', async () => {
    if (runtime === undefined) {
      throw new Error('no runtime');
    }
    const checked = [HEADER, goodRow(501), goodRow(502), goodRow(503), goodRow(504)].join('\n');
    const edited = [HEADER, goodRow(501), goodRow(502), goodRow(503), 'E-1,broken'].join('\n');
    let opened = 0;
    const result = await importPeople(
      runtime.deps,
      systemActor(scope.organizationId),
      scope.organizationId,
      {
        open: () => {
          opened += 1;
          return Readable.from([Buffer.from(opened === 1 ? checked : edited)]);
        },
      },
      ImportPeopleRequest.parse({ batchSize: 2 }),
    );
    expect(result).toMatchObject({
      outcome: 'interrupted',
      rows: 4,
      imported: 2,
      firstLineNotImported: 4,
      reason: 'The file changed after it was checked (line 5).',
    });
    expect(await findByReference('P-501')).toBeDefined();
    expect(await findByReference('P-502')).toBeDefined();
    expect(await findByReference('P-503')).toBeUndefined();
  });

  // Last: it deletes what retention says is due, years from now.
  it('retention plan and run: kajuyali participants never enrolled are due 5 years after registration, and a rerun finds nothing', async () => {
    const plan = await run([
      'retention',
      'plan',
      '--org',
      'kajuyali',
      '--as-of',
      '2040-01-01',
      ...db(),
    ]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /kajuyali: retention plan as of 2040-01-01T00:00:00.000Z .*: [1-9]\d* due/,
    );
    expect(plan.stdout).toContain('participant-5-years, from collected');
    const swept = await run([
      'retention',
      'run',
      '--org',
      'kajuyali',
      '--as-of',
      '2040-01-01',
      ...db(),
    ]);
    expect(swept.code).toBe(0);
    expect(swept.stdout).toMatch(/[1-9]\d* categories deleted/);
    // contact-data's rule is a review (10 years, then ask): the questions are opened. The CLI runs
    // without a mail server here, so every email fails and is asked again at the next run.
    expect(swept.stdout).toMatch(/[1-9]\d* review questions opened/);
    expect(swept.stdout).toMatch(/emails: 0 sent, 0 without an address, [1-9]\d* failed/);
    const again = await run([
      'retention',
      'plan',
      '--org',
      'kajuyali',
      '--as-of',
      '2040-01-01',
      ...db(),
    ]);
    expect(again.stdout).not.toMatch(/ {2}due .* (participant|medical)-/);
  });
});

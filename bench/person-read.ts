/**
 * Benchmark: an audited, access-checked read of a person with decryption (the `readPerson` use
 * case) as a ratio to a raw SQL select of the same rows, in the same run (issue 5, "Must show").
 *
 * Run with `npx tsx bench/person-read.ts [--iterations 3000] [--pg postgres://…]`.
 *
 * The person: 10 fields in 3 categories of the Kajuyalí policy (contact-data 4, enrollments 4,
 * medical-data 2 — the last encrypted under the person's key), among 500 other people. One
 * `readPerson` call: the organisation gate, the active policy (one indexed lookup, compiled policy
 * cached), the person and their values, an access decision per category, two key unwraps and two
 * AES-GCM decryptions for medical-data, guardians and enrollments, and an audit entry appended to
 * the hash chain in its own transaction. The baseline: the same person row and value rows selected
 * with prepared statements on a raw driver connection (better-sqlite3, or pg) — no policy, no
 * decryption, no audit. On PostgreSQL the raw connection binds itself once to the organisation's
 * tenant (`set_config('custodia.tenant', …)`), as row-level security would otherwise hide every
 * row from a role that is not a superuser; the raw select must still return the 10 value rows
 * before anything is measured. Writes bench/results/person-read.json.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { systemActor, type AppDeps, type Principal } from '../src/app/context.js';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { createPerson } from '../src/app/people/create-person.js';
import { readPerson } from '../src/app/people/read-person.js';
import { activatePolicyVersion } from '../src/app/policy/activate-policy-version.js';
import { createPolicyRegistry } from '../src/app/policy/policy-registry.js';
import { uploadPolicyVersion } from '../src/app/policy/upload-policy-version.js';
import { randomIds, systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { disabledMailer } from '../src/mail/mailer.js';
import { generateKey } from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider } from '../src/crypto/master-key.js';
import { argon2Passwords } from '../src/crypto/passwords.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { TENANT_SETTING } from '../src/store/tenant.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: {
    iterations: { type: 'string', default: '3000' },
    pg: { type: 'string' },
  },
});
const ITERATIONS = Math.min(Math.max(Number(options.iterations), 100), 100_000);
const OTHER_PEOPLE = 500;
const RESULTS_FILE = fileURLToPath(new URL('./results/person-read.json', import.meta.url));
const POLICY = readFileSync(
  fileURLToPath(new URL('../examples/policies/kajuyali.yaml', import.meta.url)),
  'utf8',
);

/** Runs `work` `iterations` times after a tenth as many warm-up calls; microseconds per call. */
async function measure(iterations: number, work: () => Promise<unknown>): Promise<number> {
  for (let index = 0; index < Math.ceil(iterations / 10); index += 1) {
    await work();
  }
  const start = performance.now();
  for (let index = 0; index < iterations; index += 1) {
    await work();
  }
  return ((performance.now() - start) * 1000) / iterations;
}

interface Fixture {
  deps: AppDeps;
  principal: Principal;
  organizationId: string;
  personId: string;
}

function personData(index: number) {
  return {
    'contact-data': {
      full_name: `Participant ${index}`,
      email: `p${index}@example.org`,
      phone: `+57 300 ${1_000_000 + index}`,
      address: `Calle ${index} # 10-20, Bogotá`,
    },
    enrollments: {
      program: 'Vacation camp',
      program_type: 'camp',
      enrolled_on: '2026-01-10',
      starts_on: '2026-06-15',
    },
    'medical-data': {
      allergies: 'peanuts, pollen',
      medication: 'antihistamine before outdoor activities',
    },
  };
}

async function setUp(store: Store): Promise<Fixture> {
  await migrateToLatest(store);
  const config = loadConfig({ env: {} });
  const deps: AppDeps = {
    store,
    clock: systemClock,
    ids: randomIds,
    passwords: argon2Passwords,
    masterKeys: createLocalMasterKeyProvider([{ id: 'bench', key: generateKey() }]),
    policies: createPolicyRegistry(),
    auth: config.auth,
    mailer: disabledMailer,
    publicBaseUrl: config.mail.publicBaseUrl,
  };
  const created = await initializeOrganization(deps, {
    name: 'Bench',
    slug: `bench-${randomBytes(4).toString('hex')}`,
    adminEmail: 'admin@bench.example',
    adminName: 'Admin',
    adminPassword: 'a long benchmark password',
  });
  const organizationId = created.organizationId;
  const operator = systemActor(organizationId);
  const draft = await uploadPolicyVersion(
    deps,
    operator,
    organizationId,
    { source: POLICY, fileName: 'kajuyali.yaml' },
    undefined,
  );
  await activatePolicyVersion(
    deps,
    operator,
    organizationId,
    draft.id,
    { assignRoles: { [created.adminUserId]: 'level-a' } },
    undefined,
  );
  const principal: Principal = {
    kind: 'staff-session',
    organizationId,
    userId: created.adminUserId,
    role: 'level-a',
    sessionId: 'bench',
    mfa: 'verified',
    expiresAt: '2999-01-01T00:00:00.000Z',
  };
  let personId = '';
  for (let index = 0; index <= OTHER_PEOPLE; index += 1) {
    const person = await createPerson(
      deps,
      principal,
      organizationId,
      {
        subjectKind: 'participant',
        externalReference: `bench-${index}`,
        data: personData(index),
        guardians: [],
        // kajuyali §5.2: the paper form a guardian signed; the lawful basis of the data.
        consents: [
          {
            consent: 'terms-and-data-authorisation',
            givenBy: 'staff-paper-form',
            evidenceReference: `KCTGMPDATAFORM22-${index}`,
          },
        ],
      },
      { origin: undefined },
    );
    if (index === Math.floor(OTHER_PEOPLE / 2)) {
      personId = person.id;
    }
  }
  return { deps, principal, organizationId, personId };
}

const PERSON_SQL =
  'select organization_id, id, subject_kind, external_reference, policy_version_id, created_at, created_by, last_enrollment_at from people where organization_id = $1 and id = $2';
const VALUES_SQL =
  'select category_id, field, value, is_encrypted, policy_version_id, collected_at, updated_at from personal_data where organization_id = $1 and person_id = $2 order by category_id, field';

interface Row {
  database: string;
  scenario: string;
  microsecondsPerRead: number;
  readsPerSecond: number;
  ratioToRaw: number | null;
}

/** The raw select of one person and their values; resolves with the number of value rows. */
type RawRead = (organizationId: string, personId: string) => Promise<number>;

/**
 * `rawReaderFor` gets the raw connection ready for the fixture's organisation (on PostgreSQL:
 * binds it to that tenant, once) and returns the raw read.
 */
async function benchmark(
  label: string,
  store: Store,
  rawReaderFor: (organizationId: string) => Promise<RawRead>,
): Promise<Row[]> {
  process.stdout.write(`${label}: setting up ${OTHER_PEOPLE + 1} people…\n`);
  const fixture = await setUp(store);
  const rawRead = await rawReaderFor(fixture.organizationId);
  const check = await readPerson(
    fixture.deps,
    fixture.principal,
    fixture.organizationId,
    fixture.personId,
    { origin: undefined },
  );
  const fieldCount = Object.values(check.data).reduce(
    (sum, fields) => sum + Object.keys(fields).length,
    0,
  );
  if (fieldCount !== 10 || check.data['medical-data']?.allergies !== 'peanuts, pollen') {
    throw new Error(`the read returned ${fieldCount} fields, not the 10 written`);
  }
  const rawCount = await rawRead(fixture.organizationId, fixture.personId);
  if (rawCount !== 10) {
    throw new Error(
      `the raw select returned ${rawCount} value rows, not the 10 written (rows hidden by row-level security?)`,
    );
  }
  const rawFirst = await measure(ITERATIONS, () =>
    rawRead(fixture.organizationId, fixture.personId),
  );
  const custodia = await measure(ITERATIONS, () =>
    readPerson(fixture.deps, fixture.principal, fixture.organizationId, fixture.personId, {
      origin: undefined,
    }),
  );
  const rawLast = await measure(ITERATIONS, () =>
    rawRead(fixture.organizationId, fixture.personId),
  );
  const raw = (rawFirst + rawLast) / 2;
  const row = (scenario: string, microseconds: number, ratio: number | null): Row => ({
    database: label,
    scenario,
    microsecondsPerRead: Number(microseconds.toFixed(2)),
    readsPerSecond: Math.round(1_000_000 / microseconds),
    ratioToRaw: ratio === null ? null : Number(ratio.toFixed(1)),
  });
  return [
    row('raw select (first)', rawFirst, null),
    row('readPerson: audited, access-checked, decrypted', custodia, custodia / raw),
    row('raw select (last)', rawLast, null),
  ];
}

const rows: Row[] = [];
const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-person-read-'));
try {
  const file = join(directory, 'bench.db');
  const store = openStore({ url: `sqlite:${file}` });
  await migrateToLatest(store);
  const raw = new SqliteDatabase(file, { readonly: true });
  const selectPerson = raw.prepare(PERSON_SQL.replaceAll(/\$\d/g, '?'));
  const selectValues = raw.prepare(VALUES_SQL.replaceAll(/\$\d/g, '?'));
  try {
    rows.push(
      ...(await benchmark('SQLite', store, () =>
        Promise.resolve((organizationId, personId) => {
          selectPerson.get(organizationId, personId);
          return Promise.resolve(selectValues.all(organizationId, personId).length);
        }),
      )),
    );
  } finally {
    raw.close();
    await store.close();
  }
  if (options.pg !== undefined) {
    const pgStore = openStore({ url: options.pg, poolSize: 5 });
    const client = new pg.Client({ connectionString: options.pg });
    await client.connect();
    try {
      rows.push(
        ...(await benchmark('PostgreSQL', pgStore, async (tenant) => {
          // Row-level security shows a non-superuser only its tenant's rows: bind this raw
          // connection to the organisation once, session-wide, as a tenant-bound raw client would.
          await client.query('select set_config($1, $2, false)', [TENANT_SETTING, tenant]);
          return async (organizationId, personId) => {
            await client.query({
              name: 'person',
              text: PERSON_SQL,
              values: [organizationId, personId],
            });
            const result = await client.query({
              name: 'values',
              text: VALUES_SQL,
              values: [organizationId, personId],
            });
            return result.rowCount ?? 0;
          };
        })),
      );
    } finally {
      await client.end();
      await pgStore.close();
    }
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

process.stdout.write(
  `\nperson read benchmark (${ITERATIONS} reads per scenario, node ${process.version})\n`,
);
for (const row of rows) {
  process.stdout.write(
    `${row.database.padEnd(11)} ${row.scenario.padEnd(48)} ${row.microsecondsPerRead.toFixed(1).padStart(9)} µs ${String(row.readsPerSecond).padStart(8)}/s ${row.ratioToRaw === null ? '' : `× ${row.ratioToRaw} raw`}\n`,
  );
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      benchmark: 'person-read',
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      settings: {
        iterations: ITERATIONS,
        otherPeople: OTHER_PEOPLE,
        fields: '10 in 3 categories (contact-data 4, enrollments 4, medical-data 2 encrypted)',
        sqliteSynchronous: 'full (the default)',
      },
      results: rows,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);

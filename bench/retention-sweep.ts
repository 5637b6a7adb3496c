/**
 * Benchmark: the retention sweep over 1,000,000 people with 10 % of them due (issue 7, "Must
 * show"): time, people/s and peak memory of `runRetention`, beside a hand-written DELETE of the
 * same rows in the same run. SQLite only. Writes bench/results/retention-sweep.json.
 *
 * Run with `npx tsx bench/retention-sweep.ts [--people 1000000] [--due-percent 10]
 * [--encrypt all|due|none] [--check-people 2000] [--what-if-index] [--keep]`.
 *
 * The data, built in a child process (so its memory is not the measured process's): an
 * organisation under the Kajuyalí policy set up through the use cases (initializeOrganization,
 * uploadPolicyVersion, activatePolicyVersion, createProgram; the organisation key through
 * obtainSubjectDataKey), then `--people` people bulk-loaded with prepared statements on a raw
 * better-sqlite3 connection, in the rows `createPerson`, `acceptTerms` and `enrollPerson` write
 * (without their audit entries): families of one guardian (contact-data, a consent given as the
 * subject) and four participants (participant-data, medical-data on two of three, a guardian
 * link, a consent given by the guardian, the guardian's acceptance of the terms, one enrollment
 * and the `last_enrollment_at` it sets). `--due-percent` of all people are participants last
 * enrolled 6 years before the as-of instant: each category they hold has a 5-year `delete` rule
 * counted from it, so the sweep erases them whole. The other participants enrolled 1 month to 4
 * years before it; guardians never did (their contact-data counts 10 years from collection).
 * `--encrypt`: which participants' two categories are encrypted as the app encrypts them (children's
 * data is encrypted by default), each under a data key of its own per person and category,
 * generated, wrapped and sealed with the key hierarchy's own functions — `all` (as the app stores
 * them), `due` (only the due people's) or `none` (plain, no keys).
 *
 * First a small file (`--check-people`) is built the same way beside one family created through
 * the use cases: the bulk rows must have the shape of the app's rows, a bulk ciphertext must
 * decrypt through `decryptSubjectFields`, and `planRetention` must find exactly the people the
 * generator made due, every category of theirs due for deletion, and nothing else due.
 *
 * Custodia: `runRetention` as the system actor on one copy of the file. The baseline on another
 * copy: the due people selected by their last enrollment, then, 10,000 people per transaction,
 * `DELETE … WHERE organization_id = ? AND <column> IN (the due people)` from every table whose
 * rows reference a person (found from the schema's foreign keys), their data keys set to NULL,
 * and their `people` rows deleted. Both with the app's connection settings (WAL,
 * `synchronous=FULL`, foreign keys, `secure_delete`). Afterwards every person table must hold the
 * same rows in both files. `--what-if-index` adds, to the file before it is copied, an index for
 * each person foreign key that no index leads with (what a deletion scans for), to show what one
 * would save; the product's schema is measured without it. Peak memory: the resident set size
 * sampled every 50 ms from a worker thread (the sweep's awaits on synchronous SQLite calls never
 * let a timer of the main thread run) and the kernel's high-water mark, reset before each run.
 */
import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { systemActor, type AppDeps, type Principal } from '../src/app/context.js';
import { decryptSubjectFields } from '../src/app/keys/decrypt-subject-fields.js';
import { withFieldKey } from '../src/app/keys/encrypt-subject-fields.js';
import {
  obtainSubjectDataKey,
  organizationKeyContext,
  subjectKeyContext,
} from '../src/app/keys/key-hierarchy.js';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { createPerson, CreatePersonRequest } from '../src/app/people/create-person.js';
import { activatePolicyVersion } from '../src/app/policy/activate-policy-version.js';
import { createPolicyRegistry } from '../src/app/policy/policy-registry.js';
import { uploadPolicyVersion } from '../src/app/policy/upload-policy-version.js';
import { createProgram } from '../src/app/programs/create-program.js';
import { enrollPerson, EnrollPersonRequest } from '../src/app/programs/enroll-person.js';
import { planRetention } from '../src/app/retention/plan-retention.js';
import { runRetention, type RetentionRunReport } from '../src/app/retention/run-retention.js';
import { acceptTerms, AcceptTermsRequest } from '../src/app/terms/accept-terms.js';
import { randomIds, systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { encryptValue, generateKey, wrapKey } from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider, type MasterKeyProvider } from '../src/crypto/master-key.js';
import { argon2Passwords } from '../src/crypto/passwords.js';
import { disabledMailer } from '../src/mail/mailer.js';
import { inTransaction, openStore, type Store } from '../src/store/db.js';
import { createKeyStore } from '../src/store/key-store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { scopeOf, type OrganizationScope } from '../src/store/scope.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: {
    people: { type: 'string', default: '1000000' },
    'due-percent': { type: 'string', default: '10' },
    encrypt: { type: 'string', default: 'all' },
    'check-people': { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
    'what-if-index': { type: 'boolean', default: false },
    /** Internal: the child process that builds the file. */
    'build-into': { type: 'string' },
  },
});
const PEOPLE = Math.min(Math.max(Math.round(Number(options.people)), 100), 2_000_000);
const DUE_PERCENT = Math.min(Math.max(Number(options['due-percent']), 0), 80);
const CHECK_PEOPLE = Math.min(Math.max(Math.round(Number(options['check-people'])), 100), 20_000);
const ENCRYPT_MODES = ['due', 'all', 'none'] as const;
type EncryptMode = (typeof ENCRYPT_MODES)[number];
function encryptMode(value: string): EncryptMode {
  const mode = ENCRYPT_MODES.find((candidate) => candidate === value);
  if (mode === undefined || Number.isNaN(DUE_PERCENT)) {
    throw new Error('usage: --people N --due-percent 0..80 --encrypt due|all|none');
  }
  return mode;
}
const ENCRYPT = encryptMode(options.encrypt);
/** People per bulk-load transaction, and per baseline transaction. */
const LOAD_BATCH = 10_000;
const BASELINE_BATCH = 10_000;
const GROUP = 5;
const RESULTS_FILE = fileURLToPath(new URL('./results/retention-sweep.json', import.meta.url));
const POLICY = readFileSync(
  fileURLToPath(new URL('../examples/policies/kajuyali.yaml', import.meta.url)),
  'utf8',
);
const LOAD_AT_START = loadavg().map((load) => Number(load.toFixed(2)));
/** The instant the sweep runs "as of"; the data is dated back from it. */
const AS_OF = new Date(Math.floor(Date.now() / 1000) * 1000);
/** kajuyali's participant, medical and behavioural rules: 5 years after the last enrollment. */
const RETENTION_YEARS = 5;
const MEDICAL_CATEGORY = 'medical-data';
const PARTICIPANT_CATEGORY = 'participant-data';

/** The commit measured, and whether src/ had uncommitted changes (others edit it meanwhile). */
function codeVersion(): { commit: string; srcHasUncommittedChanges: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      srcHasUncommittedChanges: git('status', '--porcelain', '--', 'src') !== '',
    };
  } catch {
    return undefined;
  }
}

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const seconds = (milliseconds: number) => Number((milliseconds / 1000).toFixed(2));

function shifted(base: Date, change: { years?: number; days?: number }): Date {
  const result = new Date(base.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + (change.years ?? 0));
  result.setUTCDate(result.getUTCDate() + (change.days ?? 0));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Memory: a worker thread samples the process's resident set; the kernel keeps its high-water mark.

const SAMPLER = `
const { parentPort } = require('node:worker_threads');
let peak = process.memoryUsage.rss();
let samples = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); samples += 1; }, 50);
parentPort.once('message', () => {
  clearInterval(timer);
  parentPort.postMessage({ peak: Math.max(peak, process.memoryUsage.rss()), samples });
});
`;

/** Resets the kernel's peak-RSS counter for this process (Linux ≥ 4.0); false where unsupported. */
function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM in bytes, or the lifetime maximum where /proc is not available. */
function highWaterMark(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) {
      return Number(match[1]) * 1024;
    }
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

interface MemoryFigures {
  rssBefore: number;
  peakRss: number;
  samples: number;
  highWaterMark: number;
  highWaterMarkWasReset: boolean;
  mainThreadTimerTicks: number;
  /** Bytes this process had written to storage during the run (Linux), and write() calls. */
  writtenBytes: number | undefined;
  writeCalls: number | undefined;
}

/** The process's storage I/O counters (Linux /proc/self/io), or undefined elsewhere. */
function ioCounters(): { writeBytes: number; writeCalls: number } | undefined {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1]);
    return { writeBytes: field('write_bytes'), writeCalls: field('syscw') };
  } catch {
    return undefined;
  }
}

async function withPeakMemory<T>(
  work: () => Promise<T>,
): Promise<{ result: T; memory: MemoryFigures }> {
  const rssBefore = process.memoryUsage.rss();
  const ioBefore = ioCounters();
  const wasReset = resetHighWaterMark();
  const sampler = new Worker(SAMPLER, { eval: true });
  await new Promise((resolve) => sampler.once('online', resolve));
  // Counts how often a timer of the main thread gets to run: shows whether main-thread sampling
  // (as bench/import.ts does) could have seen anything.
  let ticks = 0;
  const ticker = setInterval(() => {
    ticks += 1;
  }, 50);
  try {
    const result = await work();
    clearInterval(ticker);
    const sampled = new Promise<{ peak: number; samples: number }>((resolve) => {
      sampler.once('message', resolve);
    });
    sampler.postMessage('stop');
    const { peak, samples } = await sampled;
    const ioAfter = ioCounters();
    return {
      result,
      memory: {
        rssBefore,
        peakRss: peak,
        samples,
        highWaterMark: highWaterMark(),
        highWaterMarkWasReset: wasReset,
        mainThreadTimerTicks: ticks,
        writtenBytes:
          ioBefore === undefined || ioAfter === undefined
            ? undefined
            : ioAfter.writeBytes - ioBefore.writeBytes,
        writeCalls:
          ioBefore === undefined || ioAfter === undefined
            ? undefined
            : ioAfter.writeCalls - ioBefore.writeCalls,
      },
    };
  } finally {
    clearInterval(ticker);
    await sampler.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The organisation, through the use cases.

interface Organization {
  deps: AppDeps;
  organizationId: string;
  scope: OrganizationScope;
  adminUserId: string;
  principal: Principal;
  policyVersionId: string;
  /** One camp a year, by year. */
  programs: Map<number, { id: string; endsOn: string }>;
}

function appDeps(store: Store, masterKeys: MasterKeyProvider): AppDeps {
  const config = loadConfig({ env: {} });
  return {
    store,
    clock: systemClock,
    ids: randomIds,
    passwords: argon2Passwords,
    // The same master key for every store of the run: the bulk-loaded keys are wrapped under it.
    masterKeys,
    policies: createPolicyRegistry(),
    auth: config.auth,
    mailer: disabledMailer,
    publicBaseUrl: config.mail.publicBaseUrl,
  };
}

async function setUpOrganization(
  store: Store,
  masterKeys: MasterKeyProvider,
): Promise<Organization> {
  await migrateToLatest(store);
  const deps = appDeps(store, masterKeys);
  const created = await initializeOrganization(deps, {
    name: 'Bench',
    slug: 'bench',
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
  const programs = new Map<number, { id: string; endsOn: string }>();
  for (let year = AS_OF.getUTCFullYear() - 8; year <= AS_OF.getUTCFullYear(); year += 1) {
    const program = await createProgram(
      deps,
      principal,
      organizationId,
      {
        name: `Campamento ${year}`,
        kind: 'camp',
        startsOn: `${year}-06-15`,
        endsOn: `${year}-07-15`,
      },
      undefined,
    );
    programs.set(year, { id: program.id, endsOn: `${year}-07-15` });
  }
  return {
    deps,
    organizationId,
    scope: scopeOf(organizationId),
    adminUserId: created.adminUserId,
    principal,
    policyVersionId: draft.id,
    programs,
  };
}

/**
 * The organisation key, created by the key hierarchy as the first encryption creates it, and
 * unwrapped here so the bulk load can wrap data keys under it. The person key made on the way
 * (for an id that is nobody) is deleted by the caller.
 */
async function organizationKey(
  organization: Organization,
  seedSubjectId: string,
): Promise<{ id: string; key: Buffer }> {
  const { deps, scope } = organization;
  await inTransaction(deps.store, async (trx) => {
    const key = await obtainSubjectDataKey(
      { ...deps, dialect: deps.store.dialect },
      trx,
      scope,
      seedSubjectId,
      MEDICAL_CATEGORY,
    );
    key.fill(0);
  });
  const row = await createKeyStore(deps.store.db, deps.store.dialect).findCurrentOrganizationKey(
    scope,
  );
  if (row === undefined) {
    throw new Error('no organisation key after obtainSubjectDataKey');
  }
  return {
    id: row.id,
    key: await deps.masterKeys.unwrap(
      { keyId: row.masterKeyId, wrapped: row.wrappedKey },
      organizationKeyContext(organization.organizationId, row.id),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// The bulk load.

interface Population {
  people: number;
  participants: number;
  due: number;
}

function populationOf(people: number): Population {
  const participants = people - Math.ceil(people / GROUP);
  const due = Math.round((people * DUE_PERCENT) / 100);
  if (due > participants) {
    throw new Error(`${due} due people, but only ${participants} participants`);
  }
  return { people, participants, due };
}

/** Whether participant number `ordinal` is due: `due` of them, spread evenly. */
function isDue(population: Population, ordinal: number): boolean {
  const { due, participants } = population;
  return (
    Math.floor(((ordinal + 1) * due) / participants) > Math.floor((ordinal * due) / participants)
  );
}

interface LoadResult {
  rows: Record<string, number>;
  dueIds: string[];
  /** Participants with medical data, encrypted and plain, and a guardian, for the checks. */
  sampleKeyedId: string | undefined;
  samplePlainId: string | undefined;
  sampleGuardianId: string | undefined;
  keys: number;
}

/**
 * Inserts the people on a raw connection, `LOAD_BATCH` people per transaction, in the rows the use
 * cases write. Returns the due people's ids only when `collectDueIds` (the small check file).
 */
function loadPeople(
  file: string,
  organization: Organization,
  population: Population,
  encrypt: EncryptMode,
  key: { id: string; key: Buffer } | undefined,
  collectDueIds: boolean,
): LoadResult {
  const raw = new SqliteDatabase(file);
  // A throwaway bulk load: no journal, no fsync; WAL (the app's mode) again at the end.
  raw.pragma('journal_mode = OFF');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  raw.pragma('foreign_keys = ON');
  const { organizationId, policyVersionId, adminUserId, scope } = organization;
  const insertPerson = raw.prepare(
    'insert into people (organization_id, id, subject_kind, external_reference, policy_version_id, created_at, created_by, last_enrollment_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertValue = raw.prepare(
    'insert into personal_data (organization_id, person_id, category_id, field, value, is_encrypted, policy_version_id, collected_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertLink = raw.prepare(
    "insert into guardian_links (organization_id, guardian_id, minor_id, relationship, created_at) values (?, ?, ?, 'parent', ?)",
  );
  const insertConsent = raw.prepare(
    "insert into consent_records (organization_id, id, person_id, consent_id, policy_version_id, channels, given_at, given_by, given_by_reference, recorded_by, method, evidence_reference, evidence, evidence_sha256, evidence_media_type, ip, user_agent, withdrawn_at, withdrawn_by, withdrawal_method) values (?, ?, ?, 'terms-and-data-authorisation', ?, null, ?, ?, ?, ?, 'api', null, null, null, null, null, null, null, null, null)",
  );
  const insertTerms = raw.prepare(
    "insert into terms_acceptances (organization_id, id, person_id, policy_version_id, accepted_at, accepted_by, accepted_by_reference, recorded_by, method, ip, user_agent) values (?, ?, ?, ?, ?, 'guardian', ?, ?, 'explicit', null, null)",
  );
  const insertEnrollment = raw.prepare(
    'insert into enrollments (organization_id, id, person_id, program_id, status, enrolled_at, updated_at, policy_version_id) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // One data key per person and encrypted category (migration 0010).
  const insertKey = raw.prepare(
    'insert into subject_keys (organization_id, subject_id, category_id, organization_key_id, wrapped_key, created_at, destroyed_at) values (?, ?, ?, ?, ?, ?, null)',
  );
  const rows: Record<string, number> = {
    people: 0,
    personal_data: 0,
    guardian_links: 0,
    consent_records: 0,
    terms_acceptances: 0,
    enrollments: 0,
    subject_keys: 0,
  };
  const count = (table: string, added = 1) => {
    rows[table] = (rows[table] ?? 0) + added;
  };
  const result: LoadResult = {
    rows,
    dueIds: [],
    sampleKeyedId: undefined,
    samplePlainId: undefined,
    sampleGuardianId: undefined,
    keys: 0,
  };
  const today = AS_OF.toISOString().slice(0, 10);

  /** One category's values; encrypted under a data key of their own when `isEncrypted`. */
  const storeCategory = (
    personId: string,
    category: string,
    fields: Record<string, string>,
    isEncrypted: boolean,
    at: string,
  ) => {
    let values = fields;
    if (isEncrypted && key !== undefined) {
      // As obtainSubjectDataKey makes it: a key per person and category, under the organisation key.
      const dataKey = generateKey();
      insertKey.run(
        organizationId,
        personId,
        category,
        key.id,
        wrapKey(key.key, key.id, dataKey, subjectKeyContext(organizationId, personId, category)),
        at,
      );
      count('subject_keys');
      result.keys += 1;
      // withFieldKey zeroes the key once the fields are sealed.
      values = withFieldKey(
        dataKey,
        scope,
        { subjectId: personId, category, fields },
        encryptValue,
      );
    }
    for (const [field, value] of Object.entries(values)) {
      insertValue.run(
        organizationId,
        personId,
        category,
        field,
        value,
        values === fields ? 0 : 1,
        policyVersionId,
        at,
        at,
      );
      count('personal_data');
    }
  };

  const loadGroup = (group: number) => {
    const first = group * GROUP;
    const children: {
      index: number;
      ordinal: number;
      due: boolean;
      enrolled: Date;
      created: Date;
    }[] = [];
    for (let index = first + 1; index < Math.min(first + GROUP, population.people); index += 1) {
      const ordinal = index - group - 1;
      const due = isDue(population, ordinal);
      const enrolled = due
        ? shifted(AS_OF, { years: -(RETENTION_YEARS + 1), days: -(ordinal % 300) })
        : shifted(AS_OF, { days: -(30 + ((ordinal * 7919) % 1400)) });
      const created = shifted(enrolled, { years: due ? -1 : 0, days: -(ordinal % 365) });
      children.push({ index, ordinal, due, enrolled, created });
    }
    // The guardian registered first: the family's earliest record.
    const guardianCreated = shifted(
      new Date(Math.min(...children.map((child) => child.created.getTime()), AS_OF.getTime())),
      { days: -1 },
    ).toISOString();
    const guardianId = randomUUID();
    result.sampleGuardianId ??= guardianId;
    insertPerson.run(
      organizationId,
      guardianId,
      'guardian',
      `K-${first}`,
      policyVersionId,
      guardianCreated,
      adminUserId,
      null,
    );
    count('people');
    storeCategory(
      guardianId,
      'contact-data',
      {
        email: `g${first}@example.org`,
        full_name: `Acudiente ${first}`,
        phone: `+57 300 ${1_000_000 + first}`,
      },
      false,
      guardianCreated,
    );
    insertConsent.run(
      organizationId,
      randomUUID(),
      guardianId,
      policyVersionId,
      guardianCreated,
      'subject',
      null,
      adminUserId,
    );
    count('consent_records');

    for (const child of children) {
      const personId = randomUUID();
      const created = child.created.toISOString();
      const enrolled = child.enrolled.toISOString();
      insertPerson.run(
        organizationId,
        personId,
        'participant',
        `K-${child.index}`,
        policyVersionId,
        created,
        adminUserId,
        enrolled,
      );
      count('people');
      insertLink.run(organizationId, guardianId, personId, created);
      count('guardian_links');
      insertConsent.run(
        organizationId,
        randomUUID(),
        personId,
        policyVersionId,
        created,
        'guardian',
        guardianId,
        adminUserId,
      );
      count('consent_records');
      insertTerms.run(
        organizationId,
        randomUUID(),
        personId,
        policyVersionId,
        created,
        guardianId,
        adminUserId,
      );
      count('terms_acceptances');
      const isKeyed = key !== undefined && (encrypt === 'all' || (encrypt === 'due' && child.due));
      const hasMedical = child.ordinal % 3 !== 0;
      if (hasMedical) {
        if (isKeyed) {
          result.sampleKeyedId ??= personId;
        } else {
          result.samplePlainId ??= personId;
        }
      }
      const born = `${child.created.getUTCFullYear() - 7 - (child.ordinal % 9)}-${String((child.ordinal % 12) + 1).padStart(2, '0')}-${String((child.ordinal % 28) + 1).padStart(2, '0')}`;
      storeCategory(
        personId,
        PARTICIPANT_CATEGORY,
        {
          date_of_birth: born,
          emergency_contact: JSON.stringify({
            name: `Rosa ${child.index}`,
            phone: `+57 301 ${child.index}`,
          }),
          full_name: `Participante ${child.index}`,
        },
        isKeyed,
        created,
      );
      if (hasMedical) {
        storeCategory(
          personId,
          MEDICAL_CATEGORY,
          { allergies: 'peanuts, pollen' },
          isKeyed,
          created,
        );
      }
      const year = child.enrolled.getUTCFullYear();
      const program = organization.programs.get(year);
      if (program === undefined) {
        throw new Error(`no program for ${year}`);
      }
      insertEnrollment.run(
        organizationId,
        randomUUID(),
        personId,
        program.id,
        program.endsOn < today ? 'completed' : 'active',
        enrolled,
        enrolled,
        policyVersionId,
      );
      count('enrollments');
      if (child.due && collectDueIds) {
        result.dueIds.push(personId);
      }
    }
  };

  const groups = Math.ceil(population.people / GROUP);
  const groupsPerBatch = LOAD_BATCH / GROUP;
  const loadBatch = raw.transaction((from: number) => {
    for (let group = from; group < Math.min(from + groupsPerBatch, groups); group += 1) {
      loadGroup(group);
    }
  });
  for (let from = 0; from < groups; from += groupsPerBatch) {
    loadBatch(from);
    if (population.people >= 200_000 && (from / groupsPerBatch) % 20 === 19) {
      process.stdout.write(
        `  loaded ${Math.min((from + groupsPerBatch) * GROUP, population.people)} people\n`,
      );
    }
  }
  raw.pragma('journal_mode = WAL');
  raw.close();
  return result;
}

/** Sets up the organisation through the use cases and bulk-loads the people into `file`. */
async function buildFile(
  file: string,
  masterKeys: MasterKeyProvider,
  population: Population,
  encrypt: EncryptMode,
  collectDueIds: boolean,
  beforeLoad?: (organization: Organization) => Promise<void>,
): Promise<{ organization: Organization; load: LoadResult }> {
  const store = openStore({ url: `sqlite:${file}` });
  const organization = await setUpOrganization(store, masterKeys);
  await beforeLoad?.(organization);
  const seedSubjectId = randomUUID();
  const key = encrypt === 'none' ? undefined : await organizationKey(organization, seedSubjectId);
  await store.close();
  if (key !== undefined) {
    const raw = new SqliteDatabase(file);
    raw
      .prepare('delete from subject_keys where organization_id = ? and subject_id = ?')
      .run(organization.organizationId, seedSubjectId);
    raw.close();
  }
  try {
    const load = loadPeople(file, organization, population, encrypt, key, collectDueIds);
    return { organization, load };
  } finally {
    key?.key.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The small check: the bulk rows look like the app's, and the app plans what the generator meant.

/** Columns whose value (not only whether it is NULL) must match the app's rows. */
const COMPARED_VALUES: Record<string, readonly string[]> = {
  people: ['subject_kind', 'policy_version_id', 'created_by'],
  personal_data: ['category_id', 'field', 'is_encrypted', 'policy_version_id'],
  guardian_links: ['relationship'],
  consent_records: ['consent_id', 'given_by', 'method', 'recorded_by', 'policy_version_id'],
  terms_acceptances: ['accepted_by', 'method', 'recorded_by', 'policy_version_id'],
  enrollments: ['policy_version_id'],
  subject_keys: ['category_id', 'destroyed_at'],
};
const PERSON_COLUMN: Record<string, string> = {
  people: 'id',
  personal_data: 'person_id',
  guardian_links: 'minor_id',
  consent_records: 'person_id',
  terms_acceptances: 'person_id',
  enrollments: 'person_id',
  subject_keys: 'subject_id',
};

function shapeOf(
  raw: SqliteDatabase.Database,
  table: string,
  personId: string,
  skipEncryption: boolean,
): string[] {
  const compared = COMPARED_VALUES[table] ?? [];
  const rows = raw
    .prepare(`select * from ${table} where ${PERSON_COLUMN[table] ?? 'id'} = ?`)
    .all(personId) as Record<string, unknown>[];
  return rows
    .map((row) =>
      JSON.stringify(
        Object.entries(row).map(([column, value]) =>
          skipEncryption && column === 'is_encrypted'
            ? [column, '(plain by choice)']
            : compared.includes(column)
              ? [column, value]
              : [column, value === null ? null : typeof value],
        ),
      ),
    )
    .sort();
}

async function checkSmallFile(
  directory: string,
  masterKeys: MasterKeyProvider,
): Promise<Record<string, unknown>> {
  const file = join(directory, 'check.db');
  const population = populationOf(CHECK_PEOPLE);
  let appChildId = '';
  let appGuardianId = '';
  const { organization, load } = await buildFile(
    file,
    masterKeys,
    population,
    ENCRYPT,
    true,
    async (organization) => {
      // One family through the use cases, as staff would record it.
      const { deps, principal, organizationId } = organization;
      const guardian = await createPerson(
        deps,
        principal,
        organizationId,
        CreatePersonRequest.parse({
          subjectKind: 'guardian',
          externalReference: 'app-guardian',
          data: {
            'contact-data': {
              full_name: 'Acudiente App',
              email: 'app@example.org',
              phone: '+57 300 1234567',
            },
          },
          consents: [{ consent: 'terms-and-data-authorisation', givenBy: 'subject' }],
        }),
        { origin: undefined },
      );
      const child = await createPerson(
        deps,
        principal,
        organizationId,
        CreatePersonRequest.parse({
          subjectKind: 'participant',
          externalReference: 'app-child',
          data: {
            [PARTICIPANT_CATEGORY]: {
              full_name: 'Participante App',
              date_of_birth: `${AS_OF.getUTCFullYear() - 10}-03-14`,
              emergency_contact: { name: 'Rosa App', phone: '+57 301 1' },
            },
            [MEDICAL_CATEGORY]: { allergies: 'peanuts, pollen' },
          },
          guardians: [{ guardianId: guardian.id }],
          consents: [
            {
              consent: 'terms-and-data-authorisation',
              givenBy: 'guardian',
              guardianId: guardian.id,
            },
          ],
        }),
        { origin: undefined },
      );
      await acceptTerms(
        deps,
        principal,
        organizationId,
        child.id,
        AcceptTermsRequest.parse({ acceptedBy: 'guardian', guardianId: guardian.id }),
        undefined,
      );
      const program = organization.programs.get(AS_OF.getUTCFullYear());
      if (program === undefined) {
        throw new Error('no program this year');
      }
      await enrollPerson(
        deps,
        principal,
        organizationId,
        program.id,
        EnrollPersonRequest.parse({ personId: child.id }),
        undefined,
      );
      appChildId = child.id;
      appGuardianId = guardian.id;
    },
  );
  const raw = new SqliteDatabase(file, { readonly: true });
  const mismatches: string[] = [];
  const pairs: [string, string | undefined, boolean][] = [
    // A keyed bulk participant against the app's child (whose categories the app encrypted).
    [appChildId, load.sampleKeyedId ?? load.samplePlainId, load.sampleKeyedId === undefined],
    [appGuardianId, load.sampleGuardianId, false],
  ];
  for (const [appId, bulkId, skipEncryption] of pairs) {
    for (const table of Object.keys(COMPARED_VALUES)) {
      if (bulkId === undefined) {
        throw new Error('no bulk person to compare');
      }
      const app = shapeOf(raw, table, appId, skipEncryption);
      const bulk = shapeOf(raw, table, bulkId, skipEncryption);
      if (table === 'subject_keys' && ENCRYPT === 'none') {
        continue;
      }
      if (JSON.stringify(app) !== JSON.stringify(bulk)) {
        mismatches.push(`${table}: app ${JSON.stringify(app)}\n   bulk ${JSON.stringify(bulk)}`);
      }
    }
  }
  raw.close();
  if (mismatches.length > 0) {
    throw new Error(`bulk rows differ from the app's:\n${mismatches.join('\n')}`);
  }

  // The ciphertexts and keys are valid: the key hierarchy decrypts a bulk person's medical data.
  const store = openStore({ url: `sqlite:${file}` });
  const deps = appDeps(store, masterKeys);
  let decrypted: string | undefined;
  if (load.sampleKeyedId !== undefined) {
    const stored = await store.db
      .selectFrom('personal_data')
      .select(['field', 'value'])
      .where('organization_id', '=', organization.organizationId)
      .where('person_id', '=', load.sampleKeyedId)
      .where('category_id', '=', PARTICIPANT_CATEGORY)
      .execute();
    const plain = await decryptSubjectFields(
      { masterKeys, dialect: 'sqlite' },
      store.db,
      organization.scope,
      {
        subjectId: load.sampleKeyedId,
        category: PARTICIPANT_CATEGORY,
        fields: Object.fromEntries(stored.map((row) => [row.field, row.value])),
      },
    );
    decrypted = plain.full_name;
    if (decrypted?.startsWith('Participante ') !== true) {
      throw new Error(`decryption gave ${JSON.stringify(plain)}`);
    }
  }

  // The app's reading of the rules: exactly the generated due people are due, all of them whole.
  const plan = await planRetention(
    deps,
    systemActor(organization.organizationId),
    organization.organizationId,
    { asOf: AS_OF, includeWaiting: true },
  );
  await store.close();
  const byPerson = new Map<string, typeof plan.entries>();
  for (const entry of plan.entries) {
    byPerson.set(entry.personId, [...(byPerson.get(entry.personId) ?? []), entry]);
  }
  const duePlanned = [...byPerson].filter(([, entries]) =>
    entries.some((entry) => entry.status === 'due'),
  );
  const expected = new Set(load.dueIds);
  const problems: string[] = [];
  for (const [personId, entries] of duePlanned) {
    if (!expected.has(personId)) {
      problems.push(`${personId} is due but was not meant to be`);
    }
    if (!entries.every((entry) => entry.status === 'due' && entry.action === 'delete')) {
      problems.push(`${personId} is not due whole: ${JSON.stringify(entries)}`);
    }
  }
  if (duePlanned.length !== expected.size) {
    problems.push(`${duePlanned.length} people due, ${expected.size} meant`);
  }
  if (plan.counts.held > 0) {
    problems.push(`${plan.counts.held} held entries`);
  }
  if (problems.length > 0) {
    throw new Error(
      `planRetention disagrees with the generator:\n${problems.slice(0, 10).join('\n')}`,
    );
  }
  rmSync(file, { force: true });
  return {
    people: population.people + 2,
    dueByGenerator: expected.size,
    dueByPlanRetention: duePlanned.length,
    planCounts: plan.counts,
    rowsLikeTheApp: true,
    decryptedSample: decrypted !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Counting and comparing the end states.

/** Tables whose rows reference a person, and the column that does (from the foreign keys). */
function personReferences(raw: SqliteDatabase.Database): { table: string; column: string }[] {
  const tables = raw
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .pluck()
    .all() as string[];
  const references: { table: string; column: string }[] = [];
  for (const table of tables.sort()) {
    const keys = raw.pragma(`foreign_key_list(${table})`) as {
      id: number;
      table: string;
      from: string;
      to: string;
    }[];
    for (const key of keys) {
      if (key.table === 'people' && key.to === 'id') {
        references.push({ table, column: key.from });
      }
    }
  }
  return references;
}

const COUNTED_TABLES = [
  'people',
  'personal_data',
  'guardian_links',
  'consent_records',
  'terms_acceptances',
  'enrollments',
  'subject_keys',
  'organization_keys',
  'audit_events',
] as const;

function countRows(file: string): Record<string, number> {
  const raw = new SqliteDatabase(file, { readonly: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of COUNTED_TABLES) {
      counts[table] = raw.prepare(`select count(*) from ${table}`).pluck().get() as number;
    }
    counts.live_subject_keys = raw
      .prepare('select count(*) from subject_keys where wrapped_key is not null')
      .pluck()
      .get() as number;
    return counts;
  } finally {
    raw.close();
  }
}

/** Rows of each person-data table that one file has and the other does not (by primary key). */
function differences(custodiaFile: string, baselineFile: string): Record<string, number> {
  const raw = new SqliteDatabase(custodiaFile, { readonly: true });
  raw.prepare('attach database ? as baseline').run(baselineFile);
  const keys: Record<string, string[]> = {
    people: ['organization_id', 'id'],
    personal_data: ['organization_id', 'person_id', 'category_id', 'field'],
    guardian_links: ['organization_id', 'guardian_id', 'minor_id'],
    consent_records: ['organization_id', 'id'],
    terms_acceptances: ['organization_id', 'id'],
    enrollments: ['organization_id', 'id'],
  };
  const result: Record<string, number> = {};
  try {
    for (const [table, columns] of Object.entries(keys)) {
      const match = columns.map((column) => `b.${column} = a.${column}`).join(' and ');
      const oneWay = (from: string, to: string) =>
        raw
          .prepare(
            `select count(*) from ${from}.${table} a where not exists (select 1 from ${to}.${table} b where ${match})`,
          )
          .pluck()
          .get() as number;
      result[table] = oneWay('main', 'baseline') + oneWay('baseline', 'main');
    }
    // Key material: a due person's key must be gone in both; everyone else's kept in both.
    result.subject_keys_live = oneKeyDifference(raw);
    return result;
  } finally {
    raw.close();
  }
}

function oneKeyDifference(raw: SqliteDatabase.Database): number {
  return raw
    .prepare(
      `select count(*) from main.subject_keys a join baseline.subject_keys b
         on b.organization_id = a.organization_id and b.subject_id = a.subject_id
           and b.category_id = a.category_id
       where (a.wrapped_key is null) <> (b.wrapped_key is null)`,
    )
    .pluck()
    .get() as number;
}

/**
 * Foreign keys to `people` whose columns no index leads with: deleting a person makes SQLite
 * (and PostgreSQL) look for the rows to cascade to by scanning the organisation's rows of that
 * table. With `--what-if-index`, such an index is added to the file before it is copied (both
 * runs get it), to show what it would save; the product's schema is measured without it.
 */
function personIndexes(
  file: string,
  addMissing: boolean,
): { unindexed: string[]; added: string[] } {
  const raw = new SqliteDatabase(file);
  try {
    const unindexed: string[] = [];
    const added: string[] = [];
    for (const { table, column } of personReferences(raw)) {
      const indexes = raw.pragma(`index_list(${table})`) as { name: string }[];
      const isLed = indexes.some((index) => {
        const columns = (raw.pragma(`index_info(${index.name})`) as { name: string }[]).map(
          (info) => info.name,
        );
        return columns[0] === 'organization_id' && columns[1] === column;
      });
      if (isLed) {
        continue;
      }
      unindexed.push(`${table}.${column}`);
      if (addMissing) {
        raw.exec(`create index bench_${table}_${column} on ${table} (organization_id, ${column})`);
        added.push(`${table} (organization_id, ${column})`);
      }
    }
    return { unindexed, added };
  } finally {
    raw.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The two measured runs.

async function runCustodia(
  file: string,
  masterKeys: MasterKeyProvider,
  organizationId: string,
  people: number,
): Promise<{
  report: RetentionRunReport;
  milliseconds: number;
  /** From the last person checked to the end: the run's closing work (key rotation, purge, audit). */
  afterLastPersonMilliseconds: number;
  memory: MemoryFigures;
}> {
  const store = openStore({ url: `sqlite:${file}` });
  const deps = appDeps(store, masterKeys);
  const step = Math.max(1000, Math.round(people / 20));
  const start = performance.now();
  let lastPersonAt = start;
  try {
    const { result, memory } = await withPeakMemory(() =>
      runRetention(deps, systemActor(organizationId), organizationId, {
        asOf: AS_OF,
        // A count, or { checked, total }: runRetention's progress changed shape once already.
        onProgress: (progress: number | { checked: number }) => {
          const checked = typeof progress === 'number' ? progress : progress.checked;
          lastPersonAt = performance.now();
          if (checked % step === 0) {
            const elapsed = (performance.now() - start) / 1000;
            process.stdout.write(
              `  checked ${checked} people in ${elapsed.toFixed(0)} s (${Math.round(checked / elapsed)}/s), rss ${megabytes(process.memoryUsage.rss())} MiB\n`,
            );
          }
        },
      }),
    );
    const end = performance.now();
    return {
      report: result,
      milliseconds: end - start,
      afterLastPersonMilliseconds: end - lastPersonAt,
      memory,
    };
  } finally {
    await store.close();
  }
}

function runBaseline(
  file: string,
  organizationId: string,
): { milliseconds: number; deletedPeople: number; tables: string[] } {
  const raw = new SqliteDatabase(file);
  // The app's connection settings (store/db.ts).
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('secure_delete = ON');
  raw.pragma('synchronous = FULL');
  const references = personReferences(raw);
  const cutoff = shifted(AS_OF, { years: -RETENTION_YEARS }).toISOString();
  const now = new Date().toISOString();
  raw.exec('create temp table due_people (id text primary key)');
  const fill = raw.prepare('insert into temp.due_people (id) values (?)');
  const deletions = references.map((reference) =>
    raw.prepare(
      `delete from ${reference.table} where organization_id = ? and ${reference.column} in (select id from temp.due_people)`,
    ),
  );
  const shred = raw.prepare(
    'update subject_keys set wrapped_key = null, destroyed_at = ? where organization_id = ? and subject_id in (select id from temp.due_people) and destroyed_at is null',
  );
  const deletePeople = raw.prepare(
    'delete from people where organization_id = ? and id in (select id from temp.due_people)',
  );
  const batch = raw.transaction((ids: readonly string[]) => {
    raw.exec('delete from temp.due_people');
    for (const id of ids) {
      fill.run(id);
    }
    for (const deletion of deletions) {
      deletion.run(organizationId);
    }
    shred.run(now, organizationId);
    return deletePeople.run(organizationId).changes;
  });
  const start = performance.now();
  // The hand-written job knows the rule: participants last enrolled 5 years ago or more.
  const dueIds = raw
    .prepare(
      "select id from people where organization_id = ? and subject_kind = 'participant' and last_enrollment_at <= ? order by id",
    )
    .pluck()
    .all(organizationId, cutoff) as string[];
  let deletedPeople = 0;
  for (let from = 0; from < dueIds.length; from += BASELINE_BATCH) {
    deletedPeople += batch(dueIds.slice(from, from + BASELINE_BATCH));
  }
  // As the app does after erasures (store/key-store.ts): the freed pages out of the WAL.
  raw.pragma('wal_checkpoint(TRUNCATE)');
  const milliseconds = performance.now() - start;
  raw.close();
  return {
    milliseconds,
    deletedPeople,
    tables: [...references.map((reference) => `${reference.table}.${reference.column}`), 'people'],
  };
}

// ---------------------------------------------------------------------------------------------

/** What the building child process hands the measuring one. */
interface Built {
  masterKey: string;
  organizationId: string;
  keys: number;
  buildMilliseconds: number;
  check: Record<string, unknown>;
}

/**
 * The child process: checks the generator on a small file, then builds the big one. Building in
 * a process of its own keeps the bulk load's memory (SQLite's page cache, the encryption's
 * buffers) out of the measuring process, whose resident set is the figure reported.
 */
async function build(file: string): Promise<void> {
  const masterKey = generateKey();
  const masterKeys = createLocalMasterKeyProvider([{ id: 'bench', key: masterKey }]);
  process.stdout.write(
    `Checking the generator on ${CHECK_PEOPLE} people against the use cases and planRetention…\n`,
  );
  const check = await checkSmallFile(dirname(file), masterKeys);
  process.stdout.write(`  ${JSON.stringify(check)}\n`);
  const population = populationOf(PEOPLE);
  process.stdout.write(
    `Building ${PEOPLE} people, ${population.due} due (--encrypt ${ENCRYPT})…\n`,
  );
  const start = performance.now();
  const { organization, load } = await buildFile(file, masterKeys, population, ENCRYPT, false);
  const built: Built = {
    // The master key crosses to the parent over the IPC channel, never on a command line.
    masterKey: masterKey.toString('base64'),
    organizationId: organization.organizationId,
    keys: load.keys,
    buildMilliseconds: performance.now() - start,
    check,
  };
  await new Promise<void>((resolve, reject) => {
    process.send?.(built, undefined, {}, (error) => {
      if (error === null) {
        resolve();
      } else {
        reject(error);
      }
    });
  });
  process.disconnect();
}

function buildInChild(file: string): Promise<Built> {
  const child = fork(fileURLToPath(import.meta.url), [
    ...process.argv.slice(2),
    '--build-into',
    file,
  ]);
  return new Promise<Built>((resolve, reject) => {
    let built: Built | undefined;
    child.once('message', (message) => {
      built = message as Built;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && built !== undefined) {
        resolve(built);
      } else {
        reject(new Error(`the build process failed (exit code ${String(code)})`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

async function measure(directory: string): Promise<void> {
  const population = populationOf(PEOPLE);
  const custodiaFile = join(directory, 'custodia.db');
  const baselineFile = join(directory, 'baseline.db');
  const built = await buildInChild(custodiaFile);
  const { check, buildMilliseconds, organizationId } = built;
  const masterKeys = createLocalMasterKeyProvider([
    { id: 'bench', key: Buffer.from(built.masterKey, 'base64') },
  ]);
  const indexes = personIndexes(custodiaFile, options['what-if-index']);
  copyFileSync(custodiaFile, baselineFile);
  const fileBytes = statSync(custodiaFile).size;
  const before = countRows(custodiaFile);
  process.stdout.write(
    `  built in ${seconds(buildMilliseconds)} s: ${megabytes(fileBytes)} MiB, ${JSON.stringify(before)}\n` +
      `  person foreign keys no index leads with: ${indexes.unindexed.join(', ') || 'none'}${indexes.added.length > 0 ? ` (added for this run: ${indexes.added.join(', ')})` : ''}\n`,
  );

  process.stdout.write('Sweeping with Custodia (runRetention)…\n');
  const custodia = await runCustodia(custodiaFile, masterKeys, organizationId, PEOPLE);
  process.stdout.write(
    `  ${JSON.stringify(custodia.report)}\n  ${seconds(custodia.afterLastPersonMilliseconds)} s of it after the last person was checked (the run's closing key rotation, page purge and audit entry)\n`,
  );
  if (custodia.report.peopleErased !== population.due) {
    throw new Error(`runRetention erased ${custodia.report.peopleErased}, not ${population.due}`);
  }

  process.stdout.write('Deleting the same people by hand…\n');
  const baseline = await withPeakMemory(() =>
    Promise.resolve(runBaseline(baselineFile, organizationId)),
  );
  if (baseline.result.deletedPeople !== population.due) {
    throw new Error(`the baseline deleted ${baseline.result.deletedPeople}, not ${population.due}`);
  }

  const custodiaAfter = countRows(custodiaFile);
  const baselineAfter = countRows(baselineFile);
  const difference = differences(custodiaFile, baselineFile);
  const differing = Object.entries(difference).filter(([, rows]) => rows > 0);
  if (differing.length > 0) {
    throw new Error(`the end states differ: ${JSON.stringify(difference)}`);
  }

  const custodiaSeconds = custodia.milliseconds / 1000;
  const baselineSeconds = baseline.result.milliseconds / 1000;
  const memory = (figures: MemoryFigures) => ({
    peakRssMiB: megabytes(figures.peakRss),
    rssBeforeMiB: megabytes(figures.rssBefore),
    highWaterMarkMiB: megabytes(figures.highWaterMark),
    highWaterMarkResetBeforeRun: figures.highWaterMarkWasReset,
    samples: figures.samples,
    mainThreadTimerTicks: figures.mainThreadTimerTicks,
    writtenMiB: figures.writtenBytes === undefined ? null : megabytes(figures.writtenBytes),
    writeCalls: figures.writeCalls ?? null,
  });
  const results = {
    custodia: {
      seconds: Number(custodiaSeconds.toFixed(1)),
      secondsAfterLastPerson: seconds(custodia.afterLastPersonMilliseconds),
      peopleCheckedPerSecond: Math.round(PEOPLE / custodiaSeconds),
      duePeopleErasedPerSecond: Number((population.due / custodiaSeconds).toFixed(1)),
      ...memory(custodia.memory),
      report: custodia.report,
    },
    baseline: {
      seconds: Number(baselineSeconds.toFixed(2)),
      duePeopleDeletedPerSecond: Math.round(population.due / baselineSeconds),
      ...memory(baseline.memory),
      tablesDeletedFrom: baseline.result.tables,
    },
    slowdown: Number((custodiaSeconds / baselineSeconds).toFixed(1)),
    ratioOfThroughput: Number((baselineSeconds / custodiaSeconds).toFixed(4)),
    rowsBefore: before,
    rowsRemoved: Object.fromEntries(
      Object.entries(before).map(([table, rows]) => [table, rows - (baselineAfter[table] ?? 0)]),
    ),
    rowsAfter: { custodia: custodiaAfter, baseline: baselineAfter },
    rowsDifferingBetweenEndStates: difference,
  };
  process.stdout.write(
    `\nretention sweep benchmark: ${PEOPLE} people, ${population.due} due (${DUE_PERCENT} %), --encrypt ${ENCRYPT}, ${built.keys} data keys, ${megabytes(fileBytes)} MiB file (node ${process.version})\n` +
      `Custodia runRetention  ${results.custodia.seconds} s  ${results.custodia.peopleCheckedPerSecond} people checked/s  ${results.custodia.duePeopleErasedPerSecond} erased/s  peak RSS ${results.custodia.peakRssMiB} MiB (high-water ${results.custodia.highWaterMarkMiB} MiB, ${results.custodia.rssBeforeMiB} MiB before)  wrote ${String(results.custodia.writtenMiB)} MiB\n` +
      `hand-written DELETE    ${results.baseline.seconds} s  ${results.baseline.duePeopleDeletedPerSecond} erased/s  peak RSS ${results.baseline.peakRssMiB} MiB (high-water ${results.baseline.highWaterMarkMiB} MiB)  wrote ${String(results.baseline.writtenMiB)} MiB\n` +
      `ratio: ${results.slowdown}× the time of the hand-written DELETE (${results.ratioOfThroughput} of its throughput); end states equal (rows removed: ${JSON.stringify(results.rowsRemoved)})\n`,
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        benchmark: 'retention-sweep',
        measuredAt: new Date().toISOString(),
        machine: describeMachine(),
        code: codeVersion(),
        settings: {
          people: PEOPLE,
          duePercent: DUE_PERCENT,
          duePeople: population.due,
          encrypt: ENCRYPT,
          dataKeys: built.keys,
          asOf: AS_OF.toISOString(),
          policy: 'examples/policies/kajuyali.yaml',
          fileMiB: megabytes(fileBytes),
          buildSeconds: seconds(buildMilliseconds),
          baselinePeoplePerTransaction: BASELINE_BATCH,
          personForeignKeysWithoutIndex: indexes.unindexed,
          whatIfIndexesAdded: indexes.added,
          loadAverageAtStart: LOAD_AT_START,
          loadAverageAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
          sqliteSynchronous: 'full',
        },
        check,
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);
}

if (options['build-into'] !== undefined) {
  await build(options['build-into']);
} else {
  const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-retention-'));
  try {
    await measure(directory);
  } finally {
    if (options.keep) {
      process.stdout.write(`Kept ${directory}\n`);
    } else {
      rmSync(directory, { recursive: true, force: true });
    }
  }
}

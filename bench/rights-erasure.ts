/**
 * Benchmark: erasures per minute on SQLite (issue 8, "Must show"): data subject requests of kind
 * `erasure` carried out end to end by the real use cases, one after another, beside a raw DELETE
 * of the same rows in the same run.
 *
 * Run with `npx tsx bench/rights-erasure.ts [--people 2000] [--erasures 500]
 * [--policy kexara|careerexplorer]` (SQLite only).
 *
 * The organisation: initializeOrganization, uploadPolicyVersion and activatePolicyVersion of an
 * example policy (as bench/import.ts does), then `--people` people bulk-imported by `importPeople`
 * as the system actor from a generated CSV:
 * - kexara (PIPEDA, every category encrypted at rest, one data key per person and category):
 *   customers with account (name, email), payment-records (billing address, payment method,
 *   amount, a transaction date within the last year) and travel-preferences. An erasure deletes
 *   account and travel-preferences and crypto-shreds their keys; payment-records are kept under
 *   the protected tax purpose (Income Tax Act s. 230) until 7 years after the transaction.
 * - careerexplorer (PIPEDA, nothing encrypted): users with account (email, name, password hash),
 *   assessment-and-career-history and public-posts. An erasure erases the person whole (the
 *   policy's deletion-requested rules) and keeps the assessments anonymised.
 *
 * Custodia, per erasure, timed: `submitRightsRequestBySelfService` with the person's own
 * self-service link (verified at once: holding the link proves the mailbox; the links are issued
 * beforehand with `issueSelfServiceLink`, untimed, as the invitation email would have carried
 * them), then `completeRightsRequest` as the system actor. Mail goes to `disabledMailer`: every
 * email fails with EMAIL_UNAVAILABLE, which the use cases tolerate; anything thrown stops the run
 * and is reported with the erasure's number and stage. Every answer is checked (completed, what
 * was deleted, kept and anonymised), and afterwards the file is checked too.
 *
 * The organisation-key rotation: each erasure of encrypted data shreds keys with a deferred
 * rotation and pays it once (`completePendingShreds`), re-wrapping every live data key of the
 * organisation — so an erasure's cost grows with the size of the organisation. The run reports
 * the people and live data keys before and after, the rotations the audit log records and the
 * keys they re-wrapped, and afterwards times three explicit `rotateOrganizationKey` calls on the
 * final organisation, so the rotation's share of an erasure can be read off.
 *
 * The baseline, on copies of the file taken after the import: per erased person, in its own
 * transaction, prepared DELETEs on a raw better-sqlite3 connection of the same rows Custodia
 * removes from personal_data (kexara: all but payment-records; careerexplorer: all) and, where the
 * person is erased whole, of the people row (the other tables cascade). Run once before Custodia
 * and once after, on two copies; the ratio uses their mean. Afterwards personal_data and people
 * must hold the same rows in the baseline files as in Custodia's. Both sides with the app's
 * connection settings (WAL, `synchronous=FULL`, foreign keys, `secure_delete`).
 *
 * Peak memory: resident set size sampled every 50 ms from a worker thread (a run of awaits on
 * synchronous SQLite calls can keep a main-thread timer from ever running; the run counts how often
 * one did) and the OS's high-water mark, reset before the erasures. Writes
 * bench/results/rights-erasure.json, one entry per policy (a run replaces its own policy's).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { systemActor, type AppDeps } from '../src/app/context.js';
import { rotateOrganizationKey } from '../src/app/keys/rotate-organization-key.js';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { importPeople, ImportPeopleRequest } from '../src/app/people/import-people.js';
import { activatePolicyVersion } from '../src/app/policy/activate-policy-version.js';
import { createPolicyRegistry } from '../src/app/policy/policy-registry.js';
import { uploadPolicyVersion } from '../src/app/policy/upload-policy-version.js';
import { completePendingShredsEverywhere } from '../src/app/keys/complete-pending-shreds-everywhere.js';
import { completeRightsRequest } from '../src/app/rights/complete-rights-request.js';
import type { ErasureOutcome } from '../src/app/rights/erase-for-request.js';
import { submitRightsRequestBySelfService } from '../src/app/rights/submit-rights-request.js';
import { issueSelfServiceLink } from '../src/app/self-service/invite-self-service.js';
import { randomIds, systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { generateKey } from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider, type MasterKeyProvider } from '../src/crypto/master-key.js';
import { argon2Passwords } from '../src/crypto/passwords.js';
import { isAppError } from '../src/errors.js';
import { disabledMailer, type Mailer } from '../src/mail/mailer.js';
import { inTransaction, openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { scopeOf } from '../src/store/scope.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: {
    people: { type: 'string', default: '2000' },
    erasures: { type: 'string', default: '500' },
    policy: { type: 'string', default: 'kexara' },
  },
});

/** What each example policy measured here imports, and what an erasure must leave. */
interface Scenario {
  policy: 'kexara' | 'careerexplorer';
  subjectKind: string;
  /** The policy role given to the organisation's administrator at activation. */
  adminRole: string;
  header: string[];
  row: (index: number) => string[];
  expected: Pick<ErasureOutcome, 'erasedWhole' | 'deleted' | 'anonymised'> & {
    kept: string[];
  };
}

const DAY_MS = 86_400_000;
const dateDaysAgo = (days: number) =>
  new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

const SCENARIOS: Record<Scenario['policy'], Scenario> = {
  kexara: {
    policy: 'kexara',
    subjectKind: 'customer',
    adminRole: 'administrator',
    header: [
      'external_reference',
      'account.full_name',
      'account.email',
      'payment-records.billing_address',
      'payment-records.payment_method_reference',
      'payment-records.amount',
      'payment-records.transaction_date',
      'travel-preferences.travel_preferences',
    ],
    row: (index) => [
      `C-${index}`,
      `"Customer ${index}, Ana"`,
      `c${index}@example.org`,
      `"${index} Main St, Toronto ON"`,
      `pm_${100_000 + index}`,
      // The money field takes a plain number.
      `${100 + (index % 50)}.00`,
      // Within the last year: the payment records are kept 7 years from it.
      dateDaysAgo(1 + (index % 360)),
      `"Window seat, vegetarian meals ${index}"`,
    ],
    expected: {
      erasedWhole: false,
      deleted: ['account', 'travel-preferences'],
      anonymised: [],
      kept: ['payment-records'],
    },
  },
  careerexplorer: {
    policy: 'careerexplorer',
    subjectKind: 'user',
    adminRole: 'administrator',
    header: [
      'external_reference',
      'account.email',
      'account.name',
      'account.password_hash',
      'assessment-and-career-history.assessment_responses',
      'assessment-and-career-history.career_history',
      'public-posts.content',
      'public-posts.posted_at',
    ],
    row: (index) => [
      `U-${index}`,
      `u${index}@example.org`,
      `"User ${index}"`,
      `argon2id$bench$${index}`,
      `"{""q1"":${index % 5},""q2"":${(index * 7) % 5}}"`,
      `"[{""role"":""Analyst"",""years"":${index % 10}}]"`,
      `"Looking for advice on career change, post ${index}"`,
      `${dateDaysAgo(1 + (index % 360))}T12:00:00Z`,
    ],
    expected: {
      erasedWhole: true,
      deleted: ['account', 'public-posts'],
      anonymised: ['assessment-and-career-history'],
      kept: [],
    },
  },
};

function scenarioOf(name: string): Scenario {
  if (name !== 'kexara' && name !== 'careerexplorer') {
    throw new Error('usage: --people N --erasures K --policy kexara|careerexplorer');
  }
  return SCENARIOS[name];
}

const SCENARIO = scenarioOf(options.policy);
const PEOPLE = Math.min(Math.max(Math.round(Number(options.people)), 10), 200_000);
const ERASURES = Math.min(Math.max(Math.round(Number(options.erasures)), 1), PEOPLE);
if (Number.isNaN(PEOPLE) || Number.isNaN(ERASURES)) {
  throw new Error('usage: --people N --erasures K --policy kexara|careerexplorer');
}
const RESULTS_FILE = fileURLToPath(new URL('./results/rights-erasure.json', import.meta.url));
const POLICY = readFileSync(
  fileURLToPath(new URL(`../examples/policies/${SCENARIO.policy}.yaml`, import.meta.url)),
  'utf8',
);
const LOAD_AT_START = loadavg().map((load) => Number(load.toFixed(2)));
const ROTATION_SAMPLES = 3;

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
const rounded = (value: number, digits = 2) => Number(value.toFixed(digits));

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

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
}

async function withPeakMemory<T>(
  work: () => Promise<T>,
): Promise<{ result: T; memory: MemoryFigures }> {
  const rssBefore = process.memoryUsage.rss();
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
    return {
      result,
      memory: {
        rssBefore,
        peakRss: peak,
        samples,
        highWaterMark: highWaterMark(),
        highWaterMarkWasReset: wasReset,
        mainThreadTimerTicks: ticks,
      },
    };
  } finally {
    clearInterval(ticker);
    await sampler.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The organisation, through the use cases.

/** Emails the use cases tried to send; each was refused by `disabledMailer`. */
const emailAttempts = { count: 0 };

/** `disabledMailer`, counting: every email still fails with EMAIL_UNAVAILABLE. */
const countingDisabledMailer: Mailer = {
  send: (email) => {
    emailAttempts.count += 1;
    return disabledMailer.send(email);
  },
  close: () => disabledMailer.close(),
};

function appDeps(store: Store, masterKeys: MasterKeyProvider): AppDeps {
  const config = loadConfig({ env: {} });
  return {
    store,
    clock: systemClock,
    ids: randomIds,
    passwords: argon2Passwords,
    masterKeys,
    policies: createPolicyRegistry(),
    auth: config.auth,
    // Every email fails with EMAIL_UNAVAILABLE; the rights use cases must carry on regardless.
    mailer: countingDisabledMailer,
    publicBaseUrl: config.mail.publicBaseUrl,
  };
}

function csvText(): string {
  const lines = [SCENARIO.header.join(',')];
  for (let index = 1; index <= PEOPLE; index += 1) {
    lines.push(SCENARIO.row(index).join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function setUpOrganization(deps: AppDeps): Promise<{ organizationId: string }> {
  await migrateToLatest(deps.store);
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
    { source: POLICY, fileName: `${SCENARIO.policy}.yaml` },
    undefined,
  );
  await activatePolicyVersion(
    deps,
    operator,
    organizationId,
    draft.id,
    { assignRoles: { [created.adminUserId]: SCENARIO.adminRole } },
    undefined,
  );
  const csv = csvText();
  const imported = await importPeople(
    deps,
    operator,
    organizationId,
    { open: () => Readable.from([csv]) },
    ImportPeopleRequest.parse({ subjectKind: SCENARIO.subjectKind, batchSize: 500 }),
  );
  if (imported.outcome !== 'imported' || imported.rows !== PEOPLE) {
    throw new Error(`the import did not complete: ${JSON.stringify(imported)}`);
  }
  return { organizationId };
}

// ---------------------------------------------------------------------------------------------
// Reading the file directly: ids, sizes, and what the audit log says about rotations.

interface FileFacts {
  people: number;
  personalDataRows: number;
  liveDataKeys: number;
  destroyedDataKeys: number;
  anonymisedRecords: number;
  rightsRequests: Record<string, number>;
  shredRotations: number;
  rewrappedByShredRotations: number;
}

function readOnly(file: string): SqliteDatabase.Database {
  return new SqliteDatabase(file, { readonly: true, fileMustExist: true });
}

function factsOf(file: string, organizationId: string): FileFacts {
  const db = readOnly(file);
  try {
    const count = (query: string) => (db.prepare(query).get(organizationId) as { n: number }).n;
    const requests = db
      .prepare(
        'select status, count(*) as n from rights_requests where organization_id = ? group by status',
      )
      .all(organizationId) as { status: string; n: number }[];
    const rotations = db
      .prepare(
        "select details from audit_events where organization_id = ? and action = 'key.shred-rotation'",
      )
      .all(organizationId) as { details: string }[];
    return {
      people: count('select count(*) as n from people where organization_id = ?'),
      personalDataRows: count('select count(*) as n from personal_data where organization_id = ?'),
      liveDataKeys: count(
        'select count(*) as n from subject_keys where organization_id = ? and wrapped_key is not null',
      ),
      destroyedDataKeys: count(
        'select count(*) as n from subject_keys where organization_id = ? and wrapped_key is null',
      ),
      anonymisedRecords: count(
        'select count(*) as n from anonymised_records where organization_id = ?',
      ),
      rightsRequests: Object.fromEntries(requests.map((row) => [row.status, row.n])),
      shredRotations: rotations.length,
      rewrappedByShredRotations: rotations.reduce((sum, row) => {
        const details = JSON.parse(row.details) as { rewrappedSubjectKeys?: unknown };
        return (
          sum +
          (typeof details.rewrappedSubjectKeys === 'number' ? details.rewrappedSubjectKeys : 0)
        );
      }, 0),
    };
  } finally {
    db.close();
  }
}

/** `K` people spread evenly over the organisation, by external reference. */
function peopleToErase(file: string, organizationId: string): string[] {
  const db = readOnly(file);
  try {
    const ids = (
      db
        .prepare(
          'select id, external_reference from people where organization_id = ? order by length(external_reference), external_reference',
        )
        .all(organizationId) as { id: string }[]
    ).map((row) => row.id);
    const chosen: string[] = [];
    for (let index = 0; index < ERASURES; index += 1) {
      const id = ids[Math.floor((index * ids.length) / ERASURES)];
      if (id !== undefined) {
        chosen.push(id);
      }
    }
    return chosen;
  } finally {
    db.close();
  }
}

/** personal_data (person, category, field) and people ids: what both sides must agree on. */
function contentOf(file: string, organizationId: string): string[] {
  const db = readOnly(file);
  try {
    const values = db
      .prepare(
        'select person_id, category_id, field from personal_data where organization_id = ? order by 1, 2, 3',
      )
      .all(organizationId) as { person_id: string; category_id: string; field: string }[];
    const people = db
      .prepare('select id from people where organization_id = ? order by id')
      .all(organizationId) as { id: string }[];
    return [
      ...values.map((row) => `v ${row.person_id} ${row.category_id} ${row.field}`),
      ...people.map((row) => `p ${row.id}`),
    ];
  } finally {
    db.close();
  }
}

/** The entries of the results file for each policy, as the last runs left them. */
function earlierRuns(): Record<string, unknown> {
  try {
    const earlier = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { byPolicy?: unknown };
    return typeof earlier.byPolicy === 'object' && earlier.byPolicy !== null
      ? (earlier.byPolicy as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------
// Custodia: one erasure request after another.

interface ErasureTimings {
  /** Per erasure, ms: submit, complete, both. */
  submit: number[];
  complete: number[];
  total: number[];
  wallMs: number;
  /** Emails the use cases tried to send (all refused by the disabled mailer), per stage. */
  emailsBySubmit: number;
  emailsByComplete: number;
}

function checkOutcome(index: number, outcome: Record<string, unknown> | null): void {
  const erasure = outcome?.erasure as ErasureOutcome | undefined;
  const expected = SCENARIO.expected;
  const same = (left: readonly string[], right: readonly string[]) =>
    JSON.stringify([...left].sort()) === JSON.stringify([...right].sort());
  if (
    erasure === undefined ||
    erasure.erasedWhole !== expected.erasedWhole ||
    !same(erasure.deleted, expected.deleted) ||
    !same(erasure.anonymised, expected.anonymised) ||
    !same(
      erasure.kept.map((entry) => entry.category),
      expected.kept,
    )
  ) {
    throw new Error(
      `erasure ${index}: unexpected outcome ${JSON.stringify(outcome)}; expected ${JSON.stringify(expected)}`,
    );
  }
}

/** Runs `work`, and rethrows what it throws with the erasure's number and stage. */
async function stage<T>(index: number, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const detail = isAppError(error)
      ? `AppError ${error.code}: ${error.message} ${JSON.stringify(error.details ?? {})}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
    throw new Error(`erasure ${index} threw in ${name}: ${detail}`, { cause: error });
  }
}

async function eraseAll(
  deps: AppDeps,
  organizationId: string,
  tokens: readonly string[],
): Promise<ErasureTimings> {
  const timings: ErasureTimings = {
    submit: [],
    complete: [],
    total: [],
    wallMs: 0,
    emailsBySubmit: 0,
    emailsByComplete: 0,
  };
  const system = systemActor(organizationId);
  const start = performance.now();
  let lastTick = start;
  for (const [index, token] of tokens.entries()) {
    const emailsBefore = emailAttempts.count;
    const t0 = performance.now();
    const request = await stage(index, 'submitRightsRequestBySelfService', () =>
      submitRightsRequestBySelfService(deps, token, { kind: 'erasure', details: {} }, undefined),
    );
    if (request.status !== 'verified') {
      throw new Error(`erasure ${index}: the self-service request is ${request.status}`);
    }
    const t1 = performance.now();
    const emailsSubmitted = emailAttempts.count;
    const completed = await stage(index, 'completeRightsRequest', () =>
      completeRightsRequest(deps, system, organizationId, request.id, {}, undefined),
    );
    const t2 = performance.now();
    if (completed.status !== 'completed') {
      throw new Error(`erasure ${index}: the request is ${completed.status}`);
    }
    checkOutcome(index, completed.outcome);
    timings.emailsBySubmit += emailsSubmitted - emailsBefore;
    timings.emailsByComplete += emailAttempts.count - emailsSubmitted;
    timings.submit.push(t1 - t0);
    timings.complete.push(t2 - t1);
    timings.total.push(t2 - t0);
    if (performance.now() - lastTick >= 60_000) {
      await completePendingShredsEverywhere(deps);
      lastTick = performance.now();
    }
    if ((index + 1) % 50 === 0) {
      process.stdout.write(
        `  ${index + 1}/${tokens.length} erasures, last 50: ${mean(timings.total.slice(-50)).toFixed(0)} ms each\n`,
      );
    }
  }
  // What serve's minute tick does: one organisation-key rotation for every key shredded since the
  // last one. Timed with the erasures, so the figure includes what they owe.
  await completePendingShredsEverywhere(deps);
  timings.wallMs = performance.now() - start;
  return timings;
}

// ---------------------------------------------------------------------------------------------
// The raw baseline.

function rawErase(
  file: string,
  organizationId: string,
  personIds: readonly string[],
): { wallMs: number; perErasure: number[] } {
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('secure_delete = ON');
  raw.pragma('synchronous = FULL');
  try {
    const kept = SCENARIO.expected.kept;
    const deleteValues = raw.prepare(
      `delete from personal_data where organization_id = ? and person_id = ?${
        kept.length === 0 ? '' : ` and category_id not in (${kept.map(() => '?').join(', ')})`
      }`,
    );
    const deletePerson = raw.prepare('delete from people where organization_id = ? and id = ?');
    const erase = raw.transaction((personId: string) => {
      deleteValues.run(organizationId, personId, ...kept);
      if (SCENARIO.expected.erasedWhole) {
        deletePerson.run(organizationId, personId);
      }
    });
    const perErasure: number[] = [];
    const start = performance.now();
    for (const personId of personIds) {
      const t0 = performance.now();
      erase(personId);
      perErasure.push(performance.now() - t0);
    }
    return { wallMs: performance.now() - start, perErasure };
  } finally {
    raw.close();
  }
}

function summary(perErasure: readonly number[], wallMs: number) {
  const sorted = [...perErasure].sort((left, right) => left - right);
  return {
    seconds: rounded(wallMs / 1000),
    erasuresPerMinute: Math.round((perErasure.length / wallMs) * 60_000),
    meanMs: rounded(mean(perErasure), 3),
    p50Ms: rounded(percentile(sorted, 0.5), 3),
    p95Ms: rounded(percentile(sorted, 0.95), 3),
    maxMs: rounded(sorted.at(-1) ?? Number.NaN, 3),
  };
}

// ---------------------------------------------------------------------------------------------

const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-erasure-'));
try {
  const file = join(directory, 'custodia.db');
  const masterKeys = createLocalMasterKeyProvider([{ id: 'bench', key: generateKey() }]);
  process.stdout.write(
    `Setting up ${SCENARIO.policy} and importing ${PEOPLE} ${SCENARIO.subjectKind}s…\n`,
  );
  const setUpStart = performance.now();
  const setUpStore = openStore({ url: `sqlite:${file}` });
  const { organizationId } = await setUpOrganization(appDeps(setUpStore, masterKeys));
  // Closing in WAL mode checkpoints into the main file, so the file can be copied.
  await setUpStore.close();
  const setUpSeconds = (performance.now() - setUpStart) / 1000;
  const rawFiles = [join(directory, 'raw-before.db'), join(directory, 'raw-after.db')] as const;
  for (const copy of rawFiles) {
    copyFileSync(file, copy);
  }
  const before = factsOf(file, organizationId);
  const personIds = peopleToErase(file, organizationId);

  // Raw baseline, first pass.
  process.stdout.write(`Raw DELETE of ${personIds.length} people (first pass)…\n`);
  const rawBefore = rawErase(rawFiles[0], organizationId, personIds);

  // Custodia.
  const store = openStore({ url: `sqlite:${file}` });
  const deps = appDeps(store, masterKeys);
  const scope = scopeOf(organizationId);
  const tokens: string[] = [];
  for (const personId of personIds) {
    const link = await inTransaction(store, (trx) =>
      issueSelfServiceLink({ ...deps, dialect: store.dialect }, trx, scope, personId),
    );
    tokens.push(link.token);
  }
  process.stdout.write(`Erasing ${tokens.length} people through the use cases…\n`);
  const custodia = await withPeakMemory(() => eraseAll(deps, organizationId, tokens));

  // One explicit rotation of the final organisation's key, timed: the share of an erasure it is.
  const rotationMs: number[] = [];
  let rotatedKeys = 0;
  let rotationOutcome = 'no-key';
  for (let sample = 0; sample < ROTATION_SAMPLES; sample += 1) {
    const t0 = performance.now();
    const rotation = await rotateOrganizationKey(deps, scope, {
      actor: { actorType: 'system', actorId: null },
    });
    rotationMs.push(performance.now() - t0);
    rotationOutcome = rotation.outcome;
    rotatedKeys = rotation.outcome === 'rotated' ? rotation.rewrappedSubjectKeys : 0;
  }
  await store.close();
  const after = factsOf(file, organizationId);

  // Raw baseline, second pass.
  process.stdout.write(`Raw DELETE of ${personIds.length} people (second pass)…\n`);
  const rawAfter = rawErase(rawFiles[1], organizationId, personIds);

  // Both sides must have removed the same rows.
  const custodiaContent = contentOf(file, organizationId);
  for (const copy of rawFiles) {
    const rawContent = contentOf(copy, organizationId);
    if (JSON.stringify(rawContent) !== JSON.stringify(custodiaContent)) {
      throw new Error(
        `personal_data/people differ between Custodia (${custodiaContent.length} rows) and ${copy} (${rawContent.length} rows)`,
      );
    }
  }
  const expectedPeopleAfter = SCENARIO.expected.erasedWhole ? PEOPLE - ERASURES : PEOPLE;
  if (
    after.people !== expectedPeopleAfter ||
    after.rightsRequests.completed !== ERASURES ||
    Object.keys(after.rightsRequests).length !== 1
  ) {
    throw new Error(`unexpected state after the erasures: ${JSON.stringify(after)}`);
  }

  const custodiaSummary = summary(custodia.result.total, custodia.result.wallMs);
  const rawSummaries = [
    summary(rawBefore.perErasure, rawBefore.wallMs),
    summary(rawAfter.perErasure, rawAfter.wallMs),
  ];
  const rawMeanMs = mean([rawSummaries[0]?.meanMs ?? 0, rawSummaries[1]?.meanMs ?? 0]);
  const tenth = Math.max(1, Math.floor(ERASURES / 10));
  const sortedRotation = [...rotationMs].sort((left, right) => left - right);
  const rotationMedianMs = percentile(sortedRotation, 0.5);
  const results = {
    organization: {
      policy: SCENARIO.policy,
      peopleBefore: before.people,
      peopleAfter: after.people,
      personalDataRowsBefore: before.personalDataRows,
      personalDataRowsAfter: after.personalDataRows,
      liveDataKeysBefore: before.liveDataKeys,
      liveDataKeysAfter: after.liveDataKeys,
      destroyedDataKeysAfter: after.destroyedDataKeys,
      anonymisedRecordsAfter: after.anonymisedRecords,
      setUpSeconds: rounded(setUpSeconds, 1),
    },
    custodia: {
      ...custodiaSummary,
      submitMeanMs: rounded(mean(custodia.result.submit), 3),
      completeMeanMs: rounded(mean(custodia.result.complete), 3),
      completeP95Ms: rounded(
        percentile(
          [...custodia.result.complete].sort((left, right) => left - right),
          0.95,
        ),
        3,
      ),
      firstTenthMeanMs: rounded(mean(custodia.result.total.slice(0, tenth)), 3),
      lastTenthMeanMs: rounded(mean(custodia.result.total.slice(-tenth)), 3),
      emailsAttemptedBySubmit: custodia.result.emailsBySubmit,
      emailsAttemptedByComplete: custodia.result.emailsByComplete,
      shredRotations: after.shredRotations - before.shredRotations,
      rewrappedByShredRotations: after.rewrappedByShredRotations - before.rewrappedByShredRotations,
      peakRssMiB: megabytes(custodia.memory.peakRss),
      rssBeforeMiB: megabytes(custodia.memory.rssBefore),
      highWaterMarkMiB: megabytes(custodia.memory.highWaterMark),
      highWaterMarkWasReset: custodia.memory.highWaterMarkWasReset,
      memorySamples: custodia.memory.samples,
      mainThreadTimerTicks: custodia.memory.mainThreadTimerTicks,
    },
    organizationKeyRotationAfterwards: {
      outcome: rotationOutcome,
      rewrappedDataKeys: rotatedKeys,
      medianMs: rounded(rotationMedianMs, 1),
      samplesMs: rotationMs.map((value) => rounded(value, 1)),
      shareOfMeanErasure:
        rotationOutcome === 'rotated' ? rounded(rotationMedianMs / custodiaSummary.meanMs, 3) : 0,
    },
    raw: {
      firstPass: rawSummaries[0],
      secondPass: rawSummaries[1],
      meanMs: rounded(rawMeanMs, 3),
    },
    timeRatio: rounded(custodiaSummary.meanMs / rawMeanMs, 1),
  };
  process.stdout.write(
    `\nerasure benchmark: ${SCENARIO.policy}, ${PEOPLE} people, ${ERASURES} erasures (node ${process.version})\n` +
      `organisation: ${before.people} → ${after.people} people, ${before.liveDataKeys} → ${after.liveDataKeys} live data keys\n` +
      `Custodia  ${custodiaSummary.erasuresPerMinute} erasures/min  mean ${custodiaSummary.meanMs} ms (submit ${results.custodia.submitMeanMs}, complete ${results.custodia.completeMeanMs})  p95 ${custodiaSummary.p95Ms} ms  first/last tenth ${results.custodia.firstTenthMeanMs}/${results.custodia.lastTenthMeanMs} ms\n` +
      `          ${results.custodia.shredRotations} shred rotations re-wrapped ${results.custodia.rewrappedByShredRotations} keys; a rotation afterwards (${rotatedKeys} keys): ${results.organizationKeyRotationAfterwards.medianMs} ms\n` +
      `          emails tried (all refused, EMAIL_UNAVAILABLE): ${results.custodia.emailsAttemptedBySubmit} on submission, ${results.custodia.emailsAttemptedByComplete} on completion\n` +
      `          peak RSS ${results.custodia.peakRssMiB} MiB (${results.custodia.rssBeforeMiB} before; high-water mark ${results.custodia.highWaterMarkMiB})\n` +
      `raw       ${rawSummaries[0]?.erasuresPerMinute} / ${rawSummaries[1]?.erasuresPerMinute} erasures/min  mean ${rawSummaries[0]?.meanMs} / ${rawSummaries[1]?.meanMs} ms  p95 ${rawSummaries[0]?.p95Ms} / ${rawSummaries[1]?.p95Ms} ms\n` +
      `ratio: an erasure takes ${results.timeRatio}× the raw DELETE's time\n`,
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        benchmark: 'rights-erasure',
        // One entry per policy: a run replaces its own policy's entry and keeps the other's.
        byPolicy: {
          ...earlierRuns(),
          [SCENARIO.policy]: {
            measuredAt: new Date().toISOString(),
            code: codeVersion(),
            machine: describeMachine(),
            settings: {
              policy: SCENARIO.policy,
              people: PEOPLE,
              erasures: ERASURES,
              path: 'submitRightsRequestBySelfService + completeRightsRequest (system actor)',
              mailer: 'disabledMailer',
              sqliteSynchronous: 'full',
              loadAverageAtStart: LOAD_AT_START,
              loadAverageAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
            },
            results,
          },
        },
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

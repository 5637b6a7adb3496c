/**
 * Benchmark: importing 100,000 participants from CSV (issue 5, "Must show"): time, rows/s and
 * peak memory, beside a raw INSERT of the same rows in the same run.
 *
 * Run with `npx tsx bench/import.ts [--rows 100000] [--batch-size 500]` (SQLite only).
 *
 * The file: one row per participant of the Kajuyalí policy, 8 columns — an external reference,
 * contact-data (full name, e-mail, phone), participant-data (full name, date of birth, emergency
 * contact as JSON; encrypted, as the policy's participant data is about children) and medical-data
 * (allergies; encrypted, special category). Custodia: `importPeople` as the system actor — the
 * check pass (every row validated, external references checked against the file and the database)
 * and the import pass (every row re-validated; per person: the row, a data key wrapped under the
 * organisation key, two encrypted and one plain category, one hash-chained audit entry), in
 * transactions of `--batch-size` rows. The baseline: the same file parsed by the same CSV parser
 * and its rows inserted as they are (people + personal_data, plaintext, no checks, no keys, no
 * audit) with prepared statements on a raw better-sqlite3 connection, in transactions of the same
 * size. Both with `synchronous=FULL`. Peak memory is the process's resident set size sampled every
 * 50 ms during each run (and the OS's high-water mark), so it shows that the import streams.
 * Writes bench/results/import.json.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { parse } from 'csv-parse';
import { systemActor, type AppDeps } from '../src/app/context.js';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { importPeople, ImportPeopleRequest } from '../src/app/people/import-people.js';
import { activatePolicyVersion } from '../src/app/policy/activate-policy-version.js';
import { createPolicyRegistry } from '../src/app/policy/policy-registry.js';
import { uploadPolicyVersion } from '../src/app/policy/upload-policy-version.js';
import { randomIds, systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { disabledMailer } from '../src/mail/mailer.js';
import { generateKey } from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider } from '../src/crypto/master-key.js';
import { argon2Passwords } from '../src/crypto/passwords.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'batch-size': { type: 'string', default: '500' },
  },
});
const ROWS = Math.min(Math.max(Math.round(Number(options.rows)), 100), 1_000_000);
const BATCH = Math.min(Math.max(Math.round(Number(options['batch-size'])), 1), 5000);
const RESULTS_FILE = fileURLToPath(new URL('./results/import.json', import.meta.url));
const POLICY = readFileSync(
  fileURLToPath(new URL('../examples/policies/kajuyali.yaml', import.meta.url)),
  'utf8',
);
const HEADER = [
  'external_reference',
  'contact-data.full_name',
  'contact-data.email',
  'contact-data.phone',
  'participant-data.full_name',
  'participant-data.date_of_birth',
  'participant-data.emergency_contact',
  'medical-data.allergies',
  // kajuyali §5.2: the signed paper form behind each child's data (their lawful basis).
  'consent.terms-and-data-authorisation',
];

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER.join(',')}\n`);
  for (let index = 1; index <= ROWS; index += 1) {
    const day = String((index % 28) + 1).padStart(2, '0');
    const line = [
      `K-${index}`,
      `"Participante ${index}, Ana"`,
      `p${index}@example.org`,
      `+57 300 ${1_000_000 + index}`,
      `"Participante ${index}, Ana"`,
      `2014-03-${day}`,
      `"{""name"":""Rosa ${index}"",""phone"":""+57 301 ${index}""}"`,
      index % 3 === 0 ? '' : '"peanuts, pollen"',
      `KCTGMPDATAFORM22-${index}`,
    ].join(',');
    if (!out.write(`${line}\n`)) {
      await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

/** Samples resident memory every 50 ms while `work` runs; returns its result and the peak. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await work();
    return { result, peakRss: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-import-'));
try {
  const csv = join(directory, 'participants.csv');
  process.stdout.write(`Writing ${ROWS} rows of CSV…\n`);
  await writeCsv(csv);
  const csvBytes = statSync(csv).size;

  // Custodia.
  const store = openStore({ url: `sqlite:${join(directory, 'custodia.db')}` });
  await migrateToLatest(store);
  const deps: AppDeps = {
    store,
    clock: systemClock,
    ids: randomIds,
    passwords: argon2Passwords,
    masterKeys: createLocalMasterKeyProvider([{ id: 'bench', key: generateKey() }]),
    policies: createPolicyRegistry(),
    auth: loadConfig({ env: {} }).auth,
    mailer: disabledMailer,
    publicBaseUrl: loadConfig({ env: {} }).mail.publicBaseUrl,
  };
  const created = await initializeOrganization(deps, {
    name: 'Bench',
    slug: 'bench',
    adminEmail: 'admin@bench.example',
    adminName: 'Admin',
    adminPassword: 'a long benchmark password',
  });
  const operator = systemActor(created.organizationId);
  const draft = await uploadPolicyVersion(
    deps,
    operator,
    created.organizationId,
    { source: POLICY, fileName: 'kajuyali.yaml' },
    undefined,
  );
  await activatePolicyVersion(
    deps,
    operator,
    created.organizationId,
    draft.id,
    { assignRoles: { [created.adminUserId]: 'level-a' } },
    undefined,
  );
  const rssBefore = process.memoryUsage().rss;
  process.stdout.write(`Importing with Custodia (batches of ${BATCH})…\n`);
  let checkSeconds = 0;
  const custodiaStart = performance.now();
  const custodia = await withPeakMemory(() =>
    importPeople(
      deps,
      operator,
      created.organizationId,
      { open: () => createReadStream(csv) },
      ImportPeopleRequest.parse({ batchSize: BATCH }),
      (progress) => {
        if (progress.phase === 'importing' && checkSeconds === 0) {
          checkSeconds = (performance.now() - custodiaStart) / 1000;
        }
      },
    ),
  );
  const custodiaSeconds = (performance.now() - custodiaStart) / 1000;
  if (custodia.result.outcome !== 'imported' || custodia.result.rows !== ROWS) {
    throw new Error(`the import did not complete: ${JSON.stringify(custodia.result)}`);
  }
  await store.close();
  const maxRssAfterCustodia = process.resourceUsage().maxRSS * 1024;

  // Raw baseline: the same parser, the same rows, plain INSERTs.
  const rawFile = join(directory, 'raw.db');
  const rawStore = openStore({ url: `sqlite:${rawFile}` });
  await migrateToLatest(rawStore);
  await rawStore.close();
  const raw = new SqliteDatabase(rawFile);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  const organizationId = randomUUID();
  const versionId = randomUUID();
  const now = new Date().toISOString();
  raw
    .prepare('insert into organizations (id, slug, name, created_at) values (?, ?, ?, ?)')
    .run(organizationId, 'raw', 'Raw', now);
  raw
    .prepare(
      "insert into policy_versions (organization_id, id, version, status, source, source_sha256, uploaded_by, uploaded_at) values (?, ?, '1', 'active', ?, '', null, ?)",
    )
    .run(organizationId, versionId, POLICY, now);
  const insertPerson = raw.prepare(
    "insert into people (organization_id, id, subject_kind, external_reference, policy_version_id, created_at, created_by) values (?, ?, 'participant', ?, ?, ?, null)",
  );
  const insertValue = raw.prepare(
    'insert into personal_data (organization_id, person_id, category_id, field, value, is_encrypted, policy_version_id, collected_at, updated_at) values (?, ?, ?, ?, ?, 0, ?, ?, ?)',
  );
  const insertConsent = raw.prepare(
    "insert into consent_records (organization_id, id, person_id, consent_id, policy_version_id, given_at, given_by, method, evidence_reference) values (?, ?, ?, 'terms-and-data-authorisation', ?, ?, 'staff-paper-form', 'import', ?)",
  );
  const columns = HEADER.map((name) => {
    const dot = name.indexOf('.');
    return { category: name.slice(0, dot), field: name.slice(dot + 1) };
  });
  const insertBatch = raw.transaction((records: string[][]) => {
    for (const record of records) {
      const personId = randomUUID();
      insertPerson.run(organizationId, personId, record[0], versionId, now);
      record.forEach((cell, index) => {
        const column = columns[index];
        if (column?.category === 'consent') {
          insertConsent.run(organizationId, randomUUID(), personId, versionId, now, cell);
        } else if (index > 0 && cell !== '' && column !== undefined) {
          insertValue.run(
            organizationId,
            personId,
            column.category,
            column.field,
            cell,
            versionId,
            now,
            now,
          );
        }
      });
    }
  });
  process.stdout.write('Inserting the same rows raw…\n');
  const rawStart = performance.now();
  const rawRun = await withPeakMemory(async () => {
    let batch: string[][] = [];
    let count = 0;
    const parser = createReadStream(csv).pipe(parse({ from_line: 2 }));
    for await (const record of parser as AsyncIterable<string[]>) {
      batch.push(record);
      count += 1;
      if (batch.length >= BATCH) {
        insertBatch(batch);
        batch = [];
      }
    }
    insertBatch(batch);
    return count;
  });
  const rawSeconds = (performance.now() - rawStart) / 1000;
  raw.close();
  if (rawRun.result !== ROWS) {
    throw new Error(`the raw baseline inserted ${rawRun.result} rows, not ${ROWS}`);
  }

  const results = {
    custodia: {
      seconds: Number(custodiaSeconds.toFixed(1)),
      checkPassSeconds: Number(checkSeconds.toFixed(1)),
      rowsPerSecond: Math.round(ROWS / custodiaSeconds),
      peakRssMiB: megabytes(custodia.peakRss),
      rssBeforeMiB: megabytes(rssBefore),
      processMaxRssMiB: megabytes(maxRssAfterCustodia),
    },
    raw: {
      seconds: Number(rawSeconds.toFixed(1)),
      rowsPerSecond: Math.round(ROWS / rawSeconds),
      peakRssMiB: megabytes(rawRun.peakRss),
    },
    ratioOfRowsPerSecond: Number((rawSeconds / custodiaSeconds).toFixed(3)),
    slowdown: Number((custodiaSeconds / rawSeconds).toFixed(1)),
  };
  process.stdout.write(
    `\nimport benchmark: ${ROWS} rows, ${megabytes(csvBytes)} MiB of CSV, batches of ${BATCH} (node ${process.version})\n` +
      `Custodia importPeople  ${results.custodia.seconds} s (check pass ${results.custodia.checkPassSeconds} s)  ${results.custodia.rowsPerSecond} rows/s  peak RSS ${results.custodia.peakRssMiB} MiB (${results.custodia.rssBeforeMiB} MiB before)\n` +
      `raw INSERT             ${results.raw.seconds} s  ${results.raw.rowsPerSecond} rows/s  peak RSS ${results.raw.peakRssMiB} MiB\n` +
      `ratio: ${results.ratioOfRowsPerSecond} of raw throughput (${results.slowdown}× the time)\n`,
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        benchmark: 'import',
        measuredAt: new Date().toISOString(),
        machine: describeMachine(),
        settings: {
          rows: ROWS,
          csvMiB: megabytes(csvBytes),
          batchSize: BATCH,
          sqliteSynchronous: 'full',
        },
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

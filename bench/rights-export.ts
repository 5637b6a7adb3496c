/**
 * Benchmark: the data export of issue 8 ("exporting a person with 10,000 records and 50,000 audit
 * entries (time and peak memory)"), beside a raw-SQL dump of the same rows in the same run.
 *
 * Run with `npx tsx bench/rights-export.ts [--records 10000] [--audit 50000] [--noise 10000]
 * [--runs 3]` (SQLite only).
 *
 * The data, on a fresh SQLite file (`synchronous=NORMAL` for the set-up; the export only reads):
 * the Kajuyalí policy, one participant with a value in every field of all seven categories the
 * policy keeps about participants (27 values; participant, medical and behavioural data
 * encrypted), imported by `importPeople` with the two paper-form consents. A person holds one
 * value per category × field, so the 10,000 *records* are enrolments: `--records` programs and
 * the person enrolled in each (inserted through the program store in transactions of 1,000; the
 * enrol use case takes a staff principal and would add an audit entry each, which the audit
 * figure below already covers). `--audit` hash-chained audit entries about the person (reads,
 * writes and enrolments by 25 staff ids), written through `writeAuditEvent`, the real append path,
 * 1,000 per transaction, and `--noise` entries about 1,000 other subjects interleaved with them,
 * so the export's query by subject has something to skip.
 *
 * Custodia: `writePersonExport` to a file — decryption, person.json, seven category CSVs,
 * enrollments and the access log as JSON and CSV (each read twice, a page of 1,000 rows at a
 * time), consents, index.html, all deflated into a zip. The baseline: the same rows (the person,
 * their 27 stored values as stored — ciphertext, not decrypted — enrolments joined to programs,
 * consents, audit entries by subject) selected with prepared statements on a raw better-sqlite3
 * connection, iterated and written as JSON lines to a file, once. Each is run `--runs` times,
 * alternating; the figures are medians, and peak memory is the process's resident set size
 * sampled every 50 ms during each run (the highest of the runs), beside the OS's high-water mark.
 * Writes bench/results/rights-export.json.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import yauzl from 'yauzl';
import { writeAuditEvent } from '../src/app/audit/write-audit-event.js';
import { systemActor, type AppDeps } from '../src/app/context.js';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { importPeople } from '../src/app/people/import-people.js';
import { activatePolicyVersion } from '../src/app/policy/activate-policy-version.js';
import { createPolicyRegistry } from '../src/app/policy/policy-registry.js';
import { uploadPolicyVersion } from '../src/app/policy/upload-policy-version.js';
import { writePersonExport } from '../src/app/rights/person-export.js';
import { randomIds, systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { generateKey } from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider } from '../src/crypto/master-key.js';
import { argon2Passwords } from '../src/crypto/passwords.js';
import { disabledMailer } from '../src/mail/mailer.js';
import { inTransaction, openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createPersonStore } from '../src/store/person-store.js';
import { createProgramStore } from '../src/store/program-store.js';
import { scopeOf } from '../src/store/scope.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    audit: { type: 'string', default: '50000' },
    noise: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
  },
});
const bounded = (text: string, low: number, high: number) =>
  Math.min(Math.max(Math.round(Number(text)), low), high);
const RECORDS = bounded(options.records, 1, 1_000_000);
const AUDIT = bounded(options.audit, 1, 5_000_000);
const NOISE = bounded(options.noise, 0, 5_000_000);
const RUNS = bounded(options.runs, 1, 20);
const BATCH = 1000;
const RESULTS_FILE = fileURLToPath(new URL('./results/rights-export.json', import.meta.url));
const POLICY = readFileSync(
  fileURLToPath(new URL('../examples/policies/kajuyali.yaml', import.meta.url)),
  'utf8',
);

/** One participant with a value in every field of every category Kajuyalí keeps about them. */
const PARTICIPANT: Record<string, string> = {
  external_reference: 'BENCH-1',
  subject_kind: 'participant',
  'contact-data.full_name': 'Ana María Rodríguez',
  'contact-data.email': 'ana@example.org',
  'contact-data.phone': '+57 300 555 0101',
  'contact-data.address': 'Calle 45 # 12-34, Bogotá',
  'contact-data.identity_document': 'CC 1.020.304.050',
  'participant-data.full_name': 'Ana María Rodríguez',
  'participant-data.date_of_birth': '2001-06-15',
  'participant-data.identity_document': 'CC 1.020.304.050',
  'participant-data.school': 'Universidad Nacional',
  'participant-data.emergency_contact': '{"name":"Rosa Rodríguez","phone":"+57 301 555 0102"}',
  'medical-data.conditions': 'asthma',
  'medical-data.allergies': 'peanuts, pollen',
  'medical-data.medication': 'salbutamol inhaler',
  'medical-data.health_insurance': 'EPS Sanitas',
  'behavioural-data.observations': 'Prefers working in small groups.',
  'enrollments.program': 'Campamento de verano',
  'enrollments.program_type': 'camp',
  'enrollments.enrolled_on': '2026-01-10',
  'enrollments.starts_on': '2026-06-20',
  'enrollments.ends_on': '2026-07-05',
  'invoices.invoice_number': 'FV-2026-0001',
  'invoices.amount': '1250000.00',
  'invoices.issued_on': '2026-01-10',
  'promotions-authorisation.authorised': 'true',
  'promotions-authorisation.authorised_at': '2026-01-10T15:00:00Z',
  'promotions-authorisation.evidence': 'KCTGMPDATAFORM22-0001',
  // kajuyali §5.2: the signed paper form behind the data and the promotions opt-in.
  'consent.terms-and-data-authorisation': 'KCTGMPDATAFORM22-0001',
  'consent.promotions': 'KCTGMPDATAFORM22-0001',
  'consent.promotions.channels': 'email',
};

const ACTIONS = [
  {
    action: 'person.read',
    details: { categories: ['contact-data', 'medical-data'], purpose: null },
  },
  { action: 'person.write', details: { categories: ['contact-data'] } },
  { action: 'enrollment.create', details: { enrollmentId: 'e', programId: 'p', status: 'active' } },
] as const;

/**
 * Samples resident memory and the V8 heap every 50 ms while `work` runs; returns its result and
 * the peaks. The heap shows what the export itself holds; resident memory also keeps what earlier
 * work (the set-up) freed but the allocator has not given back.
 */
async function withPeakMemory<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakRss: number; peakHeap: number }> {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    return { result, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const seconds = (milliseconds: number) => Number((milliseconds / 1000).toFixed(2));
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-export-'));
try {
  const file = join(directory, 'custodia.db');
  const store = openStore({ url: `sqlite:${file}`, sqliteSynchronous: 'normal' });
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
    slug: 'bench',
    adminEmail: 'admin@bench.example',
    adminName: 'Admin',
    adminPassword: 'a long benchmark password',
  });
  const organizationId = created.organizationId;
  const scope = scopeOf(organizationId);
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
  const active = await deps.policies.active(store.db, scope);
  if (active === undefined) {
    throw new Error('no active policy');
  }

  process.stdout.write('Importing the participant…\n');
  const header = Object.keys(PARTICIPANT);
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  const csv = `${header.map(quote).join(',')}\n${header.map((name) => quote(PARTICIPANT[name] ?? '')).join(',')}\n`;
  const imported = await importPeople(
    deps,
    operator,
    organizationId,
    { open: () => Readable.from([csv]) },
    { subjectKind: 'participant', dryRun: false, batchSize: 500 },
  );
  if (imported.outcome !== 'imported') {
    throw new Error(`the import failed: ${JSON.stringify(imported)}`);
  }
  const person = await createPersonStore(store.db).findByExternalReference(scope, 'BENCH-1');
  if (person === undefined) {
    throw new Error('the participant was not imported');
  }

  process.stdout.write(`Enrolling the participant in ${RECORDS} programs…\n`);
  const start = Date.parse('2020-01-01T00:00:00.000Z');
  for (let first = 0; first < RECORDS; first += BATCH) {
    await inTransaction(store, async (trx) => {
      const programs = createProgramStore(trx);
      for (let index = first; index < Math.min(first + BATCH, RECORDS); index += 1) {
        const programId = randomUUID();
        const at = new Date(start + index * 3_600_000).toISOString();
        await programs.insertProgram(scope, {
          id: programId,
          name: `Programa ${index + 1}`,
          kind: index % 2 === 0 ? 'camp' : 'course',
          startsOn: null,
          endsOn: null,
          createdAt: at,
        });
        await programs.insertEnrollment(scope, {
          id: randomUUID(),
          personId: person.id,
          programId,
          status: 'active',
          enrolledAt: at,
          updatedAt: at,
          policyVersionId: active.versionId,
        });
      }
    });
  }

  process.stdout.write(
    `Appending ${AUDIT} audit entries about the participant and ${NOISE} about others…\n`,
  );
  const staff = Array.from({ length: 25 }, () => randomUUID());
  const others = Array.from({ length: 1000 }, () => randomUUID());
  const total = AUDIT + NOISE;
  const auditDeps = { clock: systemClock, ids: randomIds, dialect: store.dialect };
  const auditStart = performance.now();
  for (let first = 0; first < total; first += BATCH) {
    await inTransaction(store, async (trx) => {
      for (let index = first; index < Math.min(first + BATCH, total); index += 1) {
        // Spread the noise evenly through the chain: every (total / NOISE)-th entry is someone else.
        const isNoise =
          NOISE > 0 &&
          Math.floor(((index + 1) * NOISE) / total) > Math.floor((index * NOISE) / total);
        const kind = ACTIONS[index % ACTIONS.length] ?? ACTIONS[0];
        await writeAuditEvent(
          auditDeps,
          trx,
          scope,
          { ip: '192.0.2.10', userAgent: 'bench', requestId: randomUUID() },
          {
            actorType: 'staff',
            actorId: staff[index % staff.length] ?? null,
            action: kind.action,
            outcome: 'success',
            subjectId: isNoise ? (others[index % others.length] ?? null) : person.id,
            details: kind.details,
          },
        );
      }
    });
  }
  const auditSeconds = (performance.now() - auditStart) / 1000;
  const dbBytes = statSync(file).size;

  // Raw baseline: the same rows through prepared statements, as JSON lines.
  const raw = new SqliteDatabase(file, { readonly: true });
  const rawQueries = [
    raw.prepare('select * from people where organization_id = ? and id = ?'),
    raw.prepare(
      'select * from personal_data where organization_id = ? and person_id = ? order by category_id, field',
    ),
    raw.prepare(
      'select e.*, p.name as program_name, p.kind as program_kind from enrollments e join programs p on p.organization_id = e.organization_id and p.id = e.program_id where e.organization_id = ? and e.person_id = ? order by e.enrolled_at, e.id',
    ),
    raw.prepare(
      'select id, consent_id, given_at, given_by, method, evidence_reference, withdrawn_at from consent_records where organization_id = ? and person_id = ? order by given_at',
    ),
    raw.prepare(
      'select sequence, occurred_at, actor_type, actor_id, action, outcome, request_id, details from audit_events where organization_id = ? and subject_id = ? order by sequence',
    ),
  ];
  const rawDump = async (path: string): Promise<{ rows: number; bytes: number }> => {
    const out = createWriteStream(path);
    let rows = 0;
    for (const statement of rawQueries) {
      for (const row of statement.iterate(organizationId, person.id)) {
        rows += 1;
        if (!out.write(`${JSON.stringify(row)}\n`)) {
          await once(out, 'drain');
        }
      }
    }
    out.end();
    await finished(out);
    return { rows, bytes: statSync(path).size };
  };
  const exportOnce = async (path: string) => {
    const out = createWriteStream(path);
    return writePersonExport(deps, scope, active, person.id, out, { generatedAt: new Date() });
  };

  /** Reads the archive back (yauzl checks every entry's CRC): the entries it names, in order. */
  const entriesOf = (path: string) =>
    new Promise<string[]>((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true }, (error, zip) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const names: string[] = [];
        zip.on('error', reject);
        zip.on('end', () => {
          resolve(names);
        });
        zip.on('entry', (entry: yauzl.Entry) => {
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError !== null) {
              reject(streamError);
              return;
            }
            stream.on('error', reject);
            stream.on('end', () => {
              names.push(entry.fileName);
              zip.readEntry();
            });
            stream.resume();
          });
        });
        zip.readEntry();
      });
    });

  // Where the engine lets us (node --expose-gc), start each run from a collected heap.
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  collect();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  type Run = { milliseconds: number; peakRss: number; peakHeap: number };
  const custodiaRuns: Run[] = [];
  const rawRuns: Run[] = [];
  let exported: Awaited<ReturnType<typeof exportOnce>> | undefined;
  let dumped: { rows: number; bytes: number } | undefined;
  for (let run = 1; run <= RUNS; run += 1) {
    process.stdout.write(`Run ${run} of ${RUNS}: writePersonExport…\n`);
    collect();
    let began = performance.now();
    const custodia = await withPeakMemory(() => exportOnce(join(directory, 'export.zip')));
    custodiaRuns.push({ milliseconds: performance.now() - began, ...custodia });
    exported = custodia.result;
    process.stdout.write(`Run ${run} of ${RUNS}: raw select to JSON lines…\n`);
    collect();
    began = performance.now();
    const baseline = await withPeakMemory(() => rawDump(join(directory, 'raw.jsonl')));
    rawRuns.push({ milliseconds: performance.now() - began, ...baseline });
    dumped = baseline.result;
  }
  raw.close();
  const names = await entriesOf(join(directory, 'export.zip'));
  if (exported !== undefined && names.join('\n') !== exported.files.join('\n')) {
    throw new Error(`the archive holds ${names.join(', ')}, not ${exported.files.join(', ')}`);
  }
  await store.close();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  if (exported === undefined || dumped === undefined) {
    throw new Error('nothing was measured');
  }
  if (exported.enrollments !== RECORDS || exported.accessEntries < AUDIT) {
    throw new Error(`the export is incomplete: ${JSON.stringify(exported)}`);
  }

  const custodiaMilliseconds = median(custodiaRuns.map((run) => run.milliseconds));
  const rawMilliseconds = median(rawRuns.map((run) => run.milliseconds));
  const results = {
    custodia: {
      seconds: seconds(custodiaMilliseconds),
      runsSeconds: custodiaRuns.map((run) => seconds(run.milliseconds)),
      zipMiB: megabytes(exported.bytes),
      files: exported.files.length,
      enrollments: exported.enrollments,
      accessEntries: exported.accessEntries,
      peakRssMiB: megabytes(Math.max(...custodiaRuns.map((run) => run.peakRss))),
      peakHeapMiB: megabytes(Math.max(...custodiaRuns.map((run) => run.peakHeap))),
    },
    raw: {
      seconds: seconds(rawMilliseconds),
      runsSeconds: rawRuns.map((run) => seconds(run.milliseconds)),
      rows: dumped.rows,
      jsonLinesMiB: megabytes(dumped.bytes),
      peakRssMiB: megabytes(Math.max(...rawRuns.map((run) => run.peakRss))),
      peakHeapMiB: megabytes(Math.max(...rawRuns.map((run) => run.peakHeap))),
    },
    rssBeforeMiB: megabytes(rssBefore),
    heapBeforeMiB: megabytes(heapBefore),
    isHeapCollectedBeforeRuns: typeof (globalThis as { gc?: unknown }).gc === 'function',
    processMaxRssMiB: megabytes(maxRss),
    slowdown: Number((custodiaMilliseconds / rawMilliseconds).toFixed(1)),
    ratioOfThroughput: Number((rawMilliseconds / custodiaMilliseconds).toFixed(3)),
  };
  process.stdout.write(
    `\nrights export benchmark: 1 person, ${RECORDS} enrolments, ${AUDIT} audit entries about them (+${NOISE} about others), ${RUNS} runs (node ${process.version})\n` +
      `set-up: audit appends ${(total / auditSeconds).toFixed(0)}/s; database ${megabytes(dbBytes)} MiB\n` +
      `Custodia writePersonExport  ${results.custodia.seconds} s (runs ${results.custodia.runsSeconds.join(', ')})  zip ${results.custodia.zipMiB} MiB, ${results.custodia.files} files  peak RSS ${results.custodia.peakRssMiB} MiB (${results.rssBeforeMiB} MiB before), heap ${results.custodia.peakHeapMiB} MiB (${results.heapBeforeMiB} MiB before)\n` +
      `raw select → JSON lines      ${results.raw.seconds} s (runs ${results.raw.runsSeconds.join(', ')})  ${results.raw.rows} rows, ${results.raw.jsonLinesMiB} MiB  peak RSS ${results.raw.peakRssMiB} MiB, heap ${results.raw.peakHeapMiB} MiB\n` +
      `ratio: ${results.slowdown}× the time of the raw dump; process high-water mark ${results.processMaxRssMiB} MiB\n`,
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        benchmark: 'rights-export',
        measuredAt: new Date().toISOString(),
        machine: describeMachine(),
        settings: {
          records: RECORDS,
          auditEntries: AUDIT,
          noiseEntries: NOISE,
          runs: RUNS,
          databaseMiB: megabytes(dbBytes),
          auditAppendsPerSecondInSetUp: Math.round(total / auditSeconds),
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

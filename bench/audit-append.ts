/**
 * Benchmark: audit appends per second with hash chaining, as a ratio to a raw INSERT of the same
 * row in the same run (issue 5, "Must show").
 *
 * Run with `npx tsx bench/audit-append.ts [--appends 3000] [--pg postgres://…]`.
 *
 * Custodia: `writeAuditEvent` — read the chain's head, SHA-256 of the details and of the entry
 * with the previous hash, insert (on PostgreSQL the organisation row is locked first) — once in its
 * own transaction per entry, and 100 entries per transaction. The baseline: a prepared INSERT of
 * an equally sized row (precomputed sequence and hashes) through the raw driver, one per
 * transaction and 100 per transaction, into another organisation so the chains do not mix. SQLite
 * runs with `synchronous=FULL`, Custodia's default, on both sides, so single appends wait for the
 * disk on both. On PostgreSQL the raw connection binds itself once to its organisation's tenant
 * (`set_config('custodia.tenant', …)`): for a role that is not a superuser, row-level security
 * refuses an insert of another tenant's row. Writes bench/results/audit-append.json.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { writeAuditEvent } from '../src/app/audit/write-audit-event.js';
import { randomIds, systemClock } from '../src/clock.js';
import { inTransaction, openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createOrganizationStore } from '../src/store/organization-store.js';
import { scopeOf } from '../src/store/scope.js';
import { TENANT_SETTING } from '../src/store/tenant.js';
import { describeMachine } from './machine.js';

const { values: options } = parseArgs({
  options: { appends: { type: 'string', default: '3000' }, pg: { type: 'string' } },
});
const APPENDS = Math.min(Math.max(Math.round(Number(options.appends) / 100) * 100, 100), 200_000);
const BATCH = 100;
const RESULTS_FILE = fileURLToPath(new URL('./results/audit-append.json', import.meta.url));

const DETAILS = {
  categories: ['contact-data', 'medical-data'],
  withheld: [],
  purpose: null,
};

interface RawAppender {
  /** Inserts `count` rows in one transaction. */
  insert(count: number): Promise<void>;
}

const INSERT_SQL =
  'insert into audit_events (organization_id, id, sequence, occurred_at, actor_type, actor_id, action, outcome, subject_id, ip, user_agent, request_id, details, details_digest, previous_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)';

function rawValues(organizationId: string, sequence: number): unknown[] {
  const details = JSON.stringify(DETAILS);
  const digest = createHash('sha256').update(details).digest('hex');
  return [
    organizationId,
    randomUUID(),
    sequence,
    new Date().toISOString(),
    'staff',
    randomUUID(),
    'person.read',
    'success',
    randomUUID(),
    null,
    null,
    null,
    details,
    digest,
    '0'.repeat(64),
    digest,
  ];
}

async function createOrganization(store: Store, slug: string): Promise<string> {
  const id = randomIds.next();
  await createOrganizationStore(store.db).insert({
    id,
    slug: `${slug}-${id.slice(0, 8)}`,
    name: slug,
    createdAt: new Date().toISOString(),
  });
  return id;
}

interface Row {
  database: string;
  scenario: string;
  appendsPerSecond: number;
  ratioToRaw: number;
}

async function benchmark(label: string, store: Store, raw: RawAppender): Promise<Row[]> {
  await migrateToLatest(store);
  const scope = scopeOf(await createOrganization(store, 'bench-audit'));
  const deps = { clock: systemClock, ids: randomIds, dialect: store.dialect };
  const append = (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) =>
    writeAuditEvent(deps, trx, scope, undefined, {
      actorType: 'staff',
      actorId: randomIds.next(),
      action: 'person.read',
      outcome: 'success',
      subjectId: randomIds.next(),
      details: DETAILS,
    });
  const rate = async (work: () => Promise<void>, count: number): Promise<number> => {
    const start = performance.now();
    await work();
    return (count * 1000) / (performance.now() - start);
  };
  // Warm up both paths (JIT, prepared statements, the file's first pages).
  for (let index = 0; index < 50; index += 1) {
    await inTransaction(store, append);
    await raw.insert(1);
  }
  const singles = APPENDS / 10;
  const rawSingle = await rate(async () => {
    for (let index = 0; index < singles; index += 1) {
      await raw.insert(1);
    }
  }, singles);
  const custodiaSingle = await rate(async () => {
    for (let index = 0; index < singles; index += 1) {
      await inTransaction(store, append);
    }
  }, singles);
  const rawBatched = await rate(async () => {
    for (let index = 0; index < APPENDS / BATCH; index += 1) {
      await raw.insert(BATCH);
    }
  }, APPENDS);
  const custodiaBatched = await rate(async () => {
    for (let index = 0; index < APPENDS / BATCH; index += 1) {
      await inTransaction(store, async (trx) => {
        for (let entry = 0; entry < BATCH; entry += 1) {
          await append(trx);
        }
      });
    }
  }, APPENDS);
  const row = (scenario: string, perSecond: number, rawPerSecond: number): Row => ({
    database: label,
    scenario,
    appendsPerSecond: Math.round(perSecond),
    ratioToRaw: Number((perSecond / rawPerSecond).toFixed(2)),
  });
  return [
    row('raw INSERT, one per transaction', rawSingle, rawSingle),
    row('writeAuditEvent, one per transaction', custodiaSingle, rawSingle),
    row(`raw INSERT, ${BATCH} per transaction`, rawBatched, rawBatched),
    row(`writeAuditEvent, ${BATCH} per transaction`, custodiaBatched, rawBatched),
  ];
}

const rows: Row[] = [];
const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-audit-'));
try {
  const file = join(directory, 'bench.db');
  const store = openStore({ url: `sqlite:${file}` });
  await migrateToLatest(store);
  const organizationId = await createOrganization(store, 'bench-raw');
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('busy_timeout = 5000');
  const statement = connection.prepare(INSERT_SQL.replaceAll(/\$\d+/g, '?'));
  let sequence = 0;
  const insertMany = connection.transaction((count: number) => {
    for (let index = 0; index < count; index += 1) {
      sequence += 1;
      statement.run(...rawValues(organizationId, sequence));
    }
  });
  try {
    rows.push(
      ...(await benchmark('SQLite', store, {
        insert: (count) => {
          insertMany(count);
          return Promise.resolve();
        },
      })),
    );
  } finally {
    connection.close();
    await store.close();
  }
  if (options.pg !== undefined) {
    const pgStore = openStore({ url: options.pg, poolSize: 5 });
    await migrateToLatest(pgStore);
    const pgOrganizationId = await createOrganization(pgStore, 'bench-raw');
    const client = new pg.Client({ connectionString: options.pg });
    await client.connect();
    // Row-level security's WITH CHECK refuses rows of any tenant but the connection's: bind this
    // raw connection to its organisation once, session-wide.
    await client.query('select set_config($1, $2, false)', [TENANT_SETTING, pgOrganizationId]);
    let pgSequence = 0;
    try {
      rows.push(
        ...(await benchmark('PostgreSQL', pgStore, {
          insert: async (count) => {
            await client.query('begin');
            for (let index = 0; index < count; index += 1) {
              pgSequence += 1;
              await client.query({
                name: 'audit-insert',
                text: INSERT_SQL,
                values: rawValues(pgOrganizationId, pgSequence),
              });
            }
            await client.query('commit');
          },
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

process.stdout.write(`\naudit append benchmark (node ${process.version})\n`);
for (const row of rows) {
  process.stdout.write(
    `${row.database.padEnd(11)} ${row.scenario.padEnd(42)} ${String(row.appendsPerSecond).padStart(8)}/s  ${row.ratioToRaw.toFixed(2)} of raw\n`,
  );
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      benchmark: 'audit-append',
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      settings: {
        batchedAppends: APPENDS,
        singleAppends: APPENDS / 10,
        batch: BATCH,
        sqliteSynchronous: 'full',
      },
      results: rows,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);

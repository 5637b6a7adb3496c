import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createManualClock, randomIds, type ManualClock } from '../../src/clock.js';
import { generateKey } from '../../src/crypto/envelope.js';
import {
  createLocalMasterKeyProvider,
  type MasterKey,
  type MasterKeyProvider,
} from '../../src/crypto/master-key.js';
import { openStore, type Executor, type Store } from '../../src/store/db.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { scopeOf, type OrganizationScope } from '../../src/store/scope.js';
import { createTestDatabase, type DialectContext } from '../support/databases.js';

/** Master keys by generation: tests rotate from m1 to m2 and then retire m1. */
export const M1: MasterKey = { id: 'm1', key: generateKey() };
export const M2: MasterKey = { id: 'm2', key: generateKey() };

export function provider(...keys: MasterKey[]): MasterKeyProvider {
  return createLocalMasterKeyProvider(keys);
}

export interface KeyTestDeps {
  store: Store;
  masterKeys: MasterKeyProvider;
  clock: ManualClock;
  ids: typeof randomIds;
  dialect: Store['dialect'];
}

export function keyDeps(store: Store, masterKeys: MasterKeyProvider): KeyTestDeps {
  return {
    store,
    masterKeys,
    clock: createManualClock('2025-06-01T09:00:00Z'),
    ids: randomIds,
    dialect: store.dialect,
  };
}

/** A fresh organisation (only its row: the key tables need nothing else). */
export async function newOrganization(store: Store): Promise<OrganizationScope> {
  const id = randomIds.next();
  await createOrganizationStore(store.db).insert({
    id,
    slug: `org-${id.slice(0, 8)}`,
    name: 'Kindergarten Sunflower',
    createdAt: '2025-06-01T09:00:00.000Z',
  });
  return scopeOf(id);
}

/**
 * Where these tests keep ciphertexts: a stand-in for the personal-data table of issue 5, so that
 * raw reads and copies of the database hold real encrypted fields.
 */
export async function createFieldTable(store: Store): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS fixture_fields (
    organization_id text NOT NULL, subject_id text NOT NULL, field text NOT NULL,
    ciphertext text NOT NULL, PRIMARY KEY (organization_id, subject_id, field))`.execute(store.db);
}

export async function saveFields(
  db: Executor,
  scope: OrganizationScope,
  subjectId: string,
  fields: Record<string, string>,
): Promise<void> {
  for (const [field, ciphertext] of Object.entries(fields)) {
    await sql`INSERT INTO fixture_fields VALUES (${scope.organizationId}, ${subjectId}, ${field}, ${ciphertext})`.execute(
      db,
    );
  }
}

export async function loadFields(
  db: Executor,
  scope: OrganizationScope,
  subjectId: string,
): Promise<Record<string, string>> {
  const result = await sql<{ field: string; ciphertext: string }>`SELECT field, ciphertext
    FROM fixture_fields WHERE organization_id = ${scope.organizationId} AND subject_id = ${subjectId}`.execute(
    db,
  );
  return Object.fromEntries(result.rows.map((row) => [row.field, row.ciphertext]));
}

/**
 * Everything the database holds, as bytes to grep: on SQLite the database file and its WAL (after
 * the checkpoint a shred runs), on PostgreSQL every row of every table as text.
 */
export async function rawDatabaseBytes(context: DialectContext): Promise<Buffer> {
  if (context.dialect === 'sqlite') {
    const file = context.database().url.slice('sqlite:'.length);
    const parts = [readFileSync(file)];
    if (existsSync(`${file}-wal`)) {
      parts.push(readFileSync(`${file}-wal`));
    }
    return Buffer.concat(parts);
  }
  const privileged = context.database().openPrivileged();
  try {
    return Buffer.from(await dumpPostgres(privileged), 'utf8');
  } finally {
    await privileged.close();
  }
}

/** Every row of every table as text; `store` must be privileged, or row-level security hides rows. */
async function dumpPostgres(store: Store): Promise<string> {
  const tables = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables
    WHERE schemaname = 'public'`.execute(store.db);
  const lines: string[] = [];
  for (const table of tables.rows) {
    const rows = await sql<{
      row: string;
    }>`SELECT t::text AS row FROM ${sql.table(table.name)} t`.execute(store.db);
    lines.push(...rows.rows.map((row) => `${table.name}: ${row.row}`));
  }
  return lines.join('\n');
}

/** A copy of the database as a backup would hold it, openable as a store, and its bytes. */
export interface DatabaseCopy {
  store: Store;
  bytes(): Buffer;
  drop(): Promise<void>;
}

/**
 * SQLite: the database file copied after a checkpoint (what a file backup holds). PostgreSQL: a
 * logical dump of the key and field tables restored into a fresh migrated database (what
 * pg_dump/pg_restore would give), plus the dump's text as its bytes.
 */
export async function copyDatabase(
  context: DialectContext,
  scope: OrganizationScope,
): Promise<DatabaseCopy> {
  const source = context.store();
  if (context.dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(source.db);
    const directory = mkdtempSync(join(tmpdir(), 'custodia-backup-'));
    const file = join(directory, 'backup.db');
    copyFileSync(context.database().url.slice('sqlite:'.length), file);
    const store = openStore({ url: `sqlite:${file}` });
    return {
      store,
      bytes: () => readFileSync(file),
      drop: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  // A backup is taken and restored with full rights: row-level security does not apply to it.
  const privilegedSource = context.database().openPrivileged();
  const dump = await dumpPostgres(privilegedSource);
  const database = await createTestDatabase('postgres');
  const store = database.open();
  const restorer = database.openPrivileged();
  const organization = await createOrganizationStore(source.db).findById(scope.organizationId);
  if (organization !== undefined) {
    await createOrganizationStore(store.db).insert(organization);
  }
  await createFieldTable(store);
  for (const table of ['organization_keys', 'subject_keys', 'fixture_fields']) {
    await sql`INSERT INTO ${sql.table(table)} SELECT * FROM json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(
      (
        await sql`SELECT * FROM ${sql.table(table)} WHERE organization_id = ${scope.organizationId}`.execute(
          privilegedSource.db,
        )
      ).rows,
    )}::json)`.execute(restorer.db);
  }
  await privilegedSource.close();
  await restorer.close();
  return {
    store,
    bytes: () => Buffer.from(dump, 'utf8'),
    drop: async () => {
      await store.close();
      await database.drop();
    },
  };
}

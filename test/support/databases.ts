import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openStore, type Dialect, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import {
  APPLICATION_ROLE,
  TEMPLATE_DATABASE,
  asApplicationRole,
  withDatabase,
} from './global-setup.js';

/** The dialects this run covers: both unless DIALECTS narrows it (e.g. DIALECTS=sqlite). */
export const DIALECTS: readonly Dialect[] = inject('dialects');

/** A fresh, migrated database of its own: a temp file on SQLite, a copy of the template on PostgreSQL. */
export interface TestDatabase {
  /** What the application connects with (on PostgreSQL, a role row-level security holds). */
  url: string;
  dialect: Dialect;
  /** Opens a new connection (pool) to this database; the caller closes it. */
  open: () => Store;
  /**
   * Opens it with every right (the PostgreSQL superuser, which row-level security does not hold):
   * for tests that play an attacker or an operator with direct database access.
   */
  openPrivileged: () => Store;
  drop: () => Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'custodia-sqlite-'));
    const url = `sqlite:${join(directory, 'test.db')}`;
    const store = openStore({ url, sqliteSynchronous: 'normal' });
    await migrateToLatest(store);
    await store.close();
    return {
      url,
      dialect,
      open: () => openStore({ url, sqliteSynchronous: 'normal' }),
      openPrivileged: () => openStore({ url, sqliteSynchronous: 'normal' }),
      drop: () => {
        rmSync(directory, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(
    `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE} OWNER ${APPLICATION_ROLE}`,
  );
  await admin.end();
  const privilegedUrl = withDatabase(adminUrl, name);
  const url = asApplicationRole(privilegedUrl);
  return {
    url,
    dialect,
    open: () => openStore({ url, poolSize: 5 }),
    openPrivileged: () => openStore({ url: privilegedUrl, poolSize: 2 }),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface DialectContext {
  dialect: Dialect;
  /** The database of this describe block, created before its tests and dropped after. */
  database: () => TestDatabase;
  /** An open store on that database. */
  store: () => Store;
}

/**
 * Runs the same block once per dialect, each against its own fresh database. The dialect is part
 * of the describe name, so the output shows which tests ran on which database.
 */
export function describeEachDialect(name: string, body: (context: DialectContext) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      let store: Store | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(dialect);
        store = database.open();
      });
      afterAll(async () => {
        await store?.close();
        await database?.drop();
      });
      body({
        dialect,
        database: () => {
          if (database === undefined) {
            throw new Error('database used outside a test');
          }
          return database;
        },
        store: () => {
          if (store === undefined) {
            throw new Error('store used outside a test');
          }
          return store;
        },
      });
    });
  }
}

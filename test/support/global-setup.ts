import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import {
  findPostgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from './postgres-cluster.js';

export const TEMPLATE_DATABASE = 'custodia_template';

/**
 * The application connects as this role, as it must in production: it owns the tables but is
 * neither a superuser nor BYPASSRLS, so row-level security holds it. Tests that play an attacker
 * with full database rights (tampering with the audit log, dumping raw bytes) use the superuser.
 */
export const APPLICATION_ROLE = 'custodia_app';

declare module 'vitest' {
  export interface ProvidedContext {
    dialects: ('sqlite' | 'postgres')[];
    postgresAdminUrl: string;
  }
}

function requestedDialects(): ('sqlite' | 'postgres')[] {
  const raw = process.env.DIALECTS ?? 'sqlite,postgres';
  const dialects = raw.split(',').map((item) => item.trim());
  for (const dialect of dialects) {
    if (dialect !== 'sqlite' && dialect !== 'postgres') {
      throw new Error(`DIALECTS may list sqlite and postgres, not "${dialect}"`);
    }
  }
  return dialects as ('sqlite' | 'postgres')[];
}

function shout(lines: string[]): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((line) => `!! ${line}`).join('\n')}\n${bar}\n\n`);
}

/** Runs once per test run: starts the PostgreSQL cluster and migrates the template database. */
export default async function setup(project: TestProject): Promise<() => void> {
  const isCi = process.env.CI === 'true';
  let dialects = requestedDialects();
  if (isCi && !dialects.includes('postgres')) {
    throw new Error(
      'CI must run the PostgreSQL half of the database matrix; DIALECTS excludes it.',
    );
  }
  let cluster: PostgresCluster | undefined;
  let adminUrl = process.env.CUSTODIA_TEST_PG_URL ?? '';
  if (dialects.includes('postgres') && adminUrl === '') {
    const binaries = findPostgresBinaries();
    if (binaries === undefined) {
      const message = [
        'PostgreSQL binaries (initdb, pg_ctl) are not on PATH: the PostgreSQL half of the',
        'database matrix CANNOT RUN. Install PostgreSQL 15 (apt-get install postgresql-15)',
        'or set CUSTODIA_TEST_PG_URL to a superuser URL of a server you run yourself.',
      ];
      shout(message);
      if (isCi) {
        throw new Error(message.join(' '));
      }
      dialects = dialects.filter((dialect) => dialect !== 'postgres');
    } else {
      cluster = await startPostgresCluster(binaries);
      adminUrl = cluster.adminUrl;
    }
  }
  if (dialects.includes('postgres')) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APPLICATION_ROLE]);
    if (role.rowCount === 0) {
      await admin.query(
        `CREATE ROLE ${APPLICATION_ROLE} LOGIN PASSWORD '${APPLICATION_ROLE}' NOSUPERUSER NOBYPASSRLS`,
      );
    }
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE} OWNER ${APPLICATION_ROLE}`);
    await admin.end();
    const store = openStore({
      url: asApplicationRole(withDatabase(adminUrl, TEMPLATE_DATABASE)),
    });
    await migrateToLatest(store);
    await store.close();
  }
  project.provide('dialects', dialects);
  project.provide('postgresAdminUrl', adminUrl);
  return () => {
    cluster?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The same server and database, as the application role instead of the superuser. */
export function asApplicationRole(url: string): string {
  const parsed = new URL(url);
  parsed.username = APPLICATION_ROLE;
  parsed.password = APPLICATION_ROLE;
  return parsed.toString();
}

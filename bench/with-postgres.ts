/**
 * Runs one benchmark with `--pg URL` pointing at a throwaway PostgreSQL cluster, so the `--pg`
 * figures need no database of your own:
 *
 *   npx tsx bench/with-postgres.ts bench/person-read.ts [its other options…]
 *
 * It starts a cluster from the machine's own `initdb` and `pg_ctl` with the test suite's helper
 * (test/support/postgres-cluster.ts: a temp directory, a free loopback port, trust authentication,
 * run as the `postgres` user when we are root), creates a login role `bench_app` (NOSUPERUSER
 * NOBYPASSRLS, password `bench_app`) and a database `bench` owned by it, runs the benchmark in a
 * child process with `--pg postgres://bench_app:bench_app@…/bench` appended, and stops the cluster
 * and deletes its files afterwards, also when the benchmark fails or the run is interrupted.
 *
 * The benchmark connects as that role, not as the superuser, because superusers pass row-level
 * security: the tenant tables are FORCEd (migration 0005), so `bench_app`, although it owns them,
 * sees and writes only the rows of the tenant its connection is bound to — the application's path
 * as in production, per-connection tenant binding included (src/store/tenant.ts). Each
 * benchmark's raw pg baseline binds its own connection to the benchmark's organisation once.
 *
 * The cluster runs with `fsync=off`, `synchronous_commit=off` and `full_page_writes=off` (it is a
 * test cluster), so its commits do not wait for the disk while SQLite's do (`synchronous=FULL`):
 * compare the two databases with that in mind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import {
  findPostgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from '../test/support/postgres-cluster.js';

const [script, ...rest] = process.argv.slice(2);
if (script === undefined || !existsSync(script)) {
  process.stderr.write('usage: npx tsx bench/with-postgres.ts bench/<benchmark>.ts [options…]\n');
  process.exit(2);
}
if (rest.includes('--pg')) {
  process.stderr.write('with-postgres supplies --pg itself; leave it out\n');
  process.exit(2);
}
/**
 * The role the benchmark connects as: it owns the database but is neither a superuser nor
 * BYPASSRLS, so row-level security holds it (as test/support/global-setup.ts's custodia_app).
 */
const BENCH_ROLE = 'bench_app';
const BENCH_DATABASE = 'bench';

const binaries = findPostgresBinaries();
if (binaries === undefined) {
  process.stderr.write(
    'initdb and pg_ctl are not on the PATH; cannot start a PostgreSQL cluster\n',
  );
  process.exit(2);
}

/** Runs the benchmark under tsx in a child process; resolves with its exit code. */
function runBenchmark(url: string): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(script ?? ''), ...rest, '--pg', url],
      { stdio: 'inherit' },
    );
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveExit(code ?? (signal === null ? 1 : 128));
    });
  });
}

let cluster: PostgresCluster | undefined;
let exitCode: number;
try {
  process.stderr.write('Starting a throwaway PostgreSQL cluster (fsync=off)…\n');
  cluster = await startPostgresCluster(binaries);
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    await admin.query(
      `CREATE ROLE ${BENCH_ROLE} LOGIN PASSWORD '${BENCH_ROLE}' NOSUPERUSER NOBYPASSRLS`,
    );
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE} OWNER ${BENCH_ROLE}`);
    const version = await admin.query<{ server_version: string }>('SHOW server_version');
    process.stderr.write(
      `PostgreSQL ${version.rows[0]?.server_version ?? '?'} on 127.0.0.1:${cluster.port}, ` +
        `as ${BENCH_ROLE} (NOSUPERUSER NOBYPASSRLS: row-level security applies)\n`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.adminUrl);
  url.username = BENCH_ROLE;
  url.password = BENCH_ROLE;
  url.pathname = `/${BENCH_DATABASE}`;
  exitCode = await runBenchmark(url.toString());
} finally {
  cluster?.stop();
  process.stderr.write('PostgreSQL cluster stopped and removed.\n');
}
process.exit(exitCode);

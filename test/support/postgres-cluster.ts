import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster from the machine's own binaries: initdb and pg_ctl, run as the
 * `postgres` user when we are root (PostgreSQL refuses to run as root), with the data directory
 * and socket directory under a fresh temp dir and a free port. Nothing is shared with any other
 * cluster on the machine, and stop() removes every file.
 */
export interface PostgresCluster {
  /** Superuser URL to the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): void;
}

export function findPostgresBinaries(): { initdb: string; pgCtl: string } | undefined {
  const locate = (name: string): string | undefined => {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    const path = found.stdout.trim();
    return found.status === 0 && path !== '' ? path : undefined;
  };
  const initdb = locate('initdb');
  const pgCtl = locate('pg_ctl');
  return initdb !== undefined && pgCtl !== undefined ? { initdb, pgCtl } : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) {
          resolve(address.port);
        } else {
          reject(new Error('could not find a free port'));
        }
      });
    });
  });
}

export async function startPostgresCluster(binaries: {
  initdb: string;
  pgCtl: string;
}): Promise<PostgresCluster> {
  const root = mkdtempSync(join(tmpdir(), 'custodia-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  mkdirSync(socketDir);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
    chownSync(socketDir, uid, gid);
    chmodSync(root, 0o700);
  }
  const run = (command: string, args: string[]): void => {
    const [file, fileArgs] = isRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    const result = spawnSync(file, fileArgs, { encoding: 'utf8', cwd: root });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`,
      );
    }
  };
  const port = await freePort();
  run(binaries.initdb, [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  // Durability settings are off: this cluster lives for one test run and is deleted after.
  const serverOptions = [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  run(binaries.pgCtl, [
    '-D',
    dataDir,
    '-l',
    join(root, 'server.log'),
    '-o',
    serverOptions,
    '-w',
    'start',
  ]);
  let stopped = false;
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      if (stopped) {
        return;
      }
      stopped = true;
      try {
        run(binaries.pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

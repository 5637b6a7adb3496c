import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { LongRunningContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { openStore } from '../../src/store/db.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { describeEachDialect } from '../support/databases.js';

const MASTER_KEY = `cli-test:${randomBytes(32).toString('base64')}`;

interface Captured {
  context: LongRunningContext;
  stdout(): string;
  stderr(): string;
  stop(): void;
}

function capture(options: { stdin?: string; env?: Record<string, string> } = {}): Captured {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  return {
    context: {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
      readStdin: () => Promise.resolve(options.stdin ?? ''),
      env: { CUSTODIA_LOG_LEVEL: 'silent', CUSTODIA_CRYPTO_MASTER_KEY: MASTER_KEY, ...options.env },
      setExitCode: () => undefined,
      untilShutdown: () => stopped,
    },
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      stop('SIGTERM');
    },
  };
}

describeEachDialect('custodia init', ({ database }) => {
  it('creates an organisation and an administrator whose password comes from stdin', async () => {
    const io = capture({ stdin: 'a very long admin password\n' });
    const code = await runCli(
      [
        'init',
        '--db',
        database().url,
        '--org-name',
        'Kajuyalí',
        '--slug',
        'kajuyali',
        '--admin-email',
        'Gerente@Kajuyali.example',
        '--password-stdin',
      ],
      io.context,
    );
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(io.stdout()).toContain('Created organisation kajuyali');
    expect(io.stdout()).not.toContain('password');
    const store = database().open();
    const organization = await createOrganizationStore(store.db).findBySlug('kajuyali');
    await store.close();
    expect(organization?.name).toBe('Kajuyalí');
  });

  it('prints a generated password once when none is piped in', async () => {
    const io = capture();
    const code = await runCli(
      [
        'init',
        '--db',
        database().url,
        '--org-name',
        'Kexara',
        '--slug',
        'kexara',
        '--admin-email',
        'a@kexara.example',
      ],
      io.context,
    );
    expect(code).toBe(0);
    expect(io.stdout()).toMatch(/Administrator password \(shown once, store it now\): \S{43}/);
  });

  it('audit verify: ok for the untouched log, exit 1 naming the entry once it is altered', async () => {
    const seal = capture();
    expect(await runCli(['audit', 'seal', '--db', database().url], seal.context)).toBe(0);
    expect(seal.stdout()).toMatch(/Sealed \d+ audit log/);
    const clean = capture();
    expect(await runCli(['audit', 'verify', '--db', database().url], clean.context)).toBe(0);
    expect(clean.stdout()).toMatch(/kajuyali: ok \(\d+ entries, 1 signed checkpoints\)/);

    const store = database().openPrivileged();
    if (store.dialect === 'postgres') {
      await sql`alter table audit_events disable trigger user`.execute(store.db);
    } else {
      await sql`drop trigger audit_events_no_update`.execute(store.db);
    }
    await sql`update audit_events set outcome = 'failure' where sequence = 1`.execute(store.db);
    await store.close();
    const tampered = capture();
    expect(
      await runCli(
        ['audit', 'verify', '--org', 'kajuyali', '--db', database().url],
        tampered.context,
      ),
    ).toBe(1);
    expect(tampered.stdout()).toContain('kajuyali: TAMPERED');
    expect(tampered.stdout()).toMatch(
      /#1 content-changed: entry #1 \(.+\) was changed after it was written/,
    );
  });

  it('refuses to start without a master key, naming the setting', async () => {
    const io = capture({ env: { CUSTODIA_CRYPTO_MASTER_KEY: '' } });
    const code = await runCli(['audit', 'seal', '--db', database().url], io.context);
    expect(code).toBe(2);
    expect(io.stderr()).toContain('crypto.masterKeyFile');
  });

  it('refuses a slug that is taken, changing nothing', async () => {
    const io = capture();
    const code = await runCli(
      [
        'init',
        '--db',
        database().url,
        '--org-name',
        'Again',
        '--slug',
        'kexara',
        '--admin-email',
        'b@kexara.example',
      ],
      io.context,
    );
    expect(code).toBe(1);
    expect(io.stderr()).toContain('already exists');
  });
});

describe('custodia command line errors', () => {
  const directory = mkdtempSync(join(tmpdir(), 'custodia-cli-'));
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  const db = `sqlite:${join(directory, 'cli.db')}`;

  it('names the flag at fault for bad input, with exit code 2', async () => {
    const io = capture({ stdin: 'short' });
    const code = await runCli(
      [
        'init',
        '--db',
        db,
        '--org-name',
        'X',
        '--slug',
        'Bad Slug',
        '--admin-email',
        'nope',
        '--password-stdin',
      ],
      io.context,
    );
    expect(code).toBe(2);
    expect(io.stderr()).toContain('--slug:');
    expect(io.stderr()).toContain('--admin-email:');
    expect(io.stderr()).toContain('password (stdin):');
    expect(io.stderr()).not.toMatch(/\n\s+at /);
  });

  it('reports bad configuration by key and source with exit code 2, never a stack trace', async () => {
    const io = capture({ env: { CUSTODIA_DATABASE_URL: 'mysql://nope' } });
    const code = await runCli(['serve', '--port', 'eighty'], io.context);
    expect(code).toBe(2);
    expect(io.stderr()).toContain('http.port (flag for http.port)');
    expect(io.stderr()).toContain('database.url (CUSTODIA_DATABASE_URL)');
    expect(io.stderr()).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command or flag with exit code 2', async () => {
    expect(await runCli(['frobnicate'], capture().context)).toBe(2);
    expect(await runCli(['serve', '--no-such-flag'], capture().context)).toBe(2);
  });

  it('migrates, and says so when there is nothing to do', async () => {
    const first = capture();
    expect(await runCli(['migrate', '--db', db], first.context)).toBe(0);
    expect(first.stdout()).toContain('Applied 0001-foundation');
    const second = capture();
    expect(await runCli(['migrate', '--db', db], second.context)).toBe(0);
    expect(second.stdout()).toContain('Schema is up to date');
  });

  it('demo: serves /healthz on SQLite with a demo organisation, and stops cleanly on SIGTERM', async () => {
    const io = capture({ env: { CUSTODIA_CRYPTO_MASTER_KEY: '' } });
    const keyFile = join(directory, 'demo-data', 'master.key');
    const running = runCli(
      [
        'demo',
        '--port',
        '0',
        '--db',
        `sqlite:${join(directory, 'demo.db')}`,
        '--master-key-file',
        keyFile,
      ],
      io.context,
    );
    let address: string | undefined;
    for (let attempt = 0; attempt < 200 && address === undefined; attempt += 1) {
      address = /listening on (\S+)/.exec(io.stdout())?.[1];
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(address).toBeDefined();
    const health = await fetch(`${address ?? ''}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { dialect: 'sqlite' } });
    // The demo enforces an example policy and publishes the notice rendered from it.
    const notice = await fetch(`${address ?? ''}/api/v1/privacy-notices/demo?lang=es&format=html`);
    expect(notice.status).toBe(200);
    expect(notice.headers.get('content-type')).toContain('text/html');
    expect(await notice.text()).toContain('Kajuyalí');
    expect(io.stdout()).toContain('with 3 fictional participants');
    expect(io.stdout()).toMatch(/password:\s+\S{43}/);
    expect(io.stdout()).toContain(`Created a demo master key in ${keyFile}`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    io.stop();
    expect(await running).toBe(0);
    expect(io.stdout()).toContain('Custodia stopped.');
    const store = openStore({ url: `sqlite:${join(directory, 'demo.db')}` });
    expect(await createOrganizationStore(store.db).findBySlug('demo')).toBeDefined();
    await store.close();
  });
});

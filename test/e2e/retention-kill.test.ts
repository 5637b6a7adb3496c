import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import type { LongRunningContext } from '../../src/cli/context.js';
import { runCli as runInProcess } from '../../src/cli/program.js';
import type { Executor, Store } from '../../src/store/db.js';
import { createKeyStore } from '../../src/store/key-store.js';
import { scopeOf } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';
import { runCli, startCli, type StartedCli } from '../support/spawn-server.js';

/**
 * Issue 7, "Must show": a `custodia retention run` killed with SIGKILL in the middle of a sweep
 * leaves nothing half-deleted, and the next run completes it.
 *
 * The sweep runs as a real child process over kexara's example policy and a few hundred imported
 * customers. Every customer has two categories due at AS_OF (support messages, 3 years after
 * collection; travel preferences, 1 year after): most also have an account, which waits for the
 * account to be closed, so their two due categories are deleted and the account stays; every
 * ERASED_EVERY-th has no account, so everything they have is due and they are erased whole (their
 * key crypto-shredded). While the child sweeps, the test process reads consistent snapshots of the
 * database and checks every person in each; it kills the child once some but not all people are
 * done, and checks every person again. The keys the killed run destroyed still await the one
 * organisation-key rotation a run makes at its end; the next run must pay it.
 *
 * Why this fails for a non-atomic sweep. runRetention's promise is one transaction per person, the
 * audit entry inside it, so every committed state shows each person either untouched or done
 * (outcomeOf). Were it changed to delete across people non-atomically — the due rows of everyone
 * first and the audit entries after, or the audit entries first, or one transaction per category
 * instead of per person — committed states would show people with one due category gone and the
 * other there, rows gone without their audit entry, or an entry for rows still there:
 * - the snapshots taken while the child runs see such states directly (they last as long as the
 *   steps in between, and the test polls every few milliseconds for seconds);
 * - the kill freezes one for good where it lands between those steps. On SQLite where it lands is
 *   left to chance (one writer: the test cannot hold the child still inside a transaction). On
 *   PostgreSQL it is certain: the test holds a row lock on one partly-deleted customer's travel
 *   preferences, so the child blocks inside that customer's transaction after deleting their
 *   support messages and writing that audit entry (its backend has a transaction id: it has
 *   written), and is killed right there. With a transaction per category the support deletion
 *   would be committed already and that customer half-deleted; in one transaction per person
 *   PostgreSQL rolls it back when the client is gone.
 * Checked by hand against a copy of run-retention.ts with one transaction per category: the
 * snapshots caught it on both databases in every try, the held customer on PostgreSQL too, while
 * the kill alone caught it on SQLite about one time in three.
 */

const ORGANIZATION = 'kexara';
const ADMIN_EMAIL = 'privacy@kexara.example';
/** Enough people that the sweep takes seconds, so the kill lands midway (no sleeps in src/). */
const PEOPLE = 300;
/** Every ERASED_EVERY-th customer has no account: all their data is due, and they are erased. */
const ERASED_EVERY = 15;
/** Years after the import, when both support messages (3 years) and travel data (1 year) are due. */
const AS_OF = '2035-01-01';
/** The kill goes out once at least this many people are done (and the sweep has not finished). */
const DONE_BEFORE_KILL = 40;
const DELETION_ACTIONS = ['retention.person-erased', 'retention.category-deleted'] as const;
const ENV = {
  CUSTODIA_LOG_LEVEL: 'silent',
  CUSTODIA_CRYPTO_MASTER_KEY: `retention-kill:${randomBytes(32).toString('base64')}`,
};

const directory = mkdtempSync(join(tmpdir(), 'custodia-retention-kill-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Runs a command in this process (quicker than a child for the setup) and returns its output. */
async function custodia(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context: LongRunningContext = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(''),
    env: ENV,
    setExitCode: () => undefined,
    untilShutdown: () => new Promise(() => undefined),
  };
  const code = await runInProcess(argv, context);
  return { code, stdout, stderr };
}

function customersCsv(): string {
  const header =
    'external_reference,subject_kind,account.full_name,account.email,support-interactions.channel,support-interactions.messages,travel-preferences.travel_preferences';
  const rows = Array.from({ length: PEOPLE }, (_, index) => {
    const hasAccount = index % ERASED_EVERY !== 0;
    return [
      `K-${index}`,
      'customer',
      hasAccount ? `Customer ${index}` : '',
      hasAccount ? `customer${index}@example.org` : '',
      'email',
      `"Where is my certificate, number ${index}?"`,
      `"Window seat, vegetarian meals (#${index})"`,
    ].join(',');
  });
  const file = join(directory, `customers-${randomBytes(4).toString('hex')}.csv`);
  writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
  return file;
}

const RetentionPlanJson = z.object({
  entries: z.array(
    z.object({
      personId: z.string(),
      category: z.string(),
      status: z.string(),
      action: z.string().nullable(),
    }),
  ),
});

/** What a person holds before the sweep and what of it the plan says is due for deletion. */
interface Expected {
  /** Rows per category before the sweep. */
  rows: ReadonlyMap<string, number>;
  due: ReadonlySet<string>;
  /** Every category is due: the person is erased whole, not category by category. */
  isErasedWhole: boolean;
}

const Details = z.record(z.string(), z.unknown());

interface DeletionEntry {
  action: string;
  subjectId: string | null;
  details: Record<string, unknown>;
}

/** Everything the checks read, read directly (as an operator would), not through the product. */
interface DatabaseState {
  people: Set<string>;
  /** person → category → rows. */
  rows: Map<string, Map<string, number>>;
  deletions: DeletionEntry[];
  /** The same entries by the person they name. */
  deletionsOf: Map<string, DeletionEntry[]>;
  /** Summary entries of finished runs. */
  runs: number;
  shredded: Set<string>;
}

/**
 * One consistent snapshot (a single transaction, repeatable read on PostgreSQL; a SQLite read
 * transaction sees one state of the WAL), so a commit between two of its queries cannot show a
 * person half-done who is not.
 */
function readState(store: Store, organizationId: string): Promise<DatabaseState> {
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => readStateIn(trx, organizationId));
}

async function readStateIn(db: Executor, organizationId: string): Promise<DatabaseState> {
  const people = await db
    .selectFrom('people')
    .select('id')
    .where('organization_id', '=', organizationId)
    .execute();
  const rows = await db
    .selectFrom('personal_data')
    .select(['person_id', 'category_id'])
    .where('organization_id', '=', organizationId)
    .execute();
  const audit = await db
    .selectFrom('audit_events')
    .select(['action', 'subject_id', 'details'])
    .where('organization_id', '=', organizationId)
    .where('action', 'in', [...DELETION_ACTIONS, 'retention.run'])
    .orderBy('sequence')
    .execute();
  const shredded = await db
    .selectFrom('subject_keys')
    .select('subject_id')
    .where('organization_id', '=', organizationId)
    .where('destroyed_at', 'is not', null)
    .execute();
  const byPerson = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const categories = byPerson.get(row.person_id) ?? new Map<string, number>();
    categories.set(row.category_id, (categories.get(row.category_id) ?? 0) + 1);
    byPerson.set(row.person_id, categories);
  }
  const deletions = audit
    .filter((entry) => entry.action !== 'retention.run')
    .map((entry) => ({
      action: entry.action,
      subjectId: entry.subject_id,
      details: Details.parse(JSON.parse(entry.details)),
    }));
  const deletionsOf = new Map<string, DeletionEntry[]>();
  for (const entry of deletions) {
    const key = entry.subjectId ?? '';
    deletionsOf.set(key, [...(deletionsOf.get(key) ?? []), entry]);
  }
  return {
    people: new Set(people.map((person) => person.id)),
    rows: byPerson,
    deletions,
    deletionsOf,
    runs: audit.filter((entry) => entry.action === 'retention.run').length,
    shredded: new Set(shredded.map((key) => key.subject_id)),
  };
}

type PersonOutcome = 'untouched' | 'done';

/**
 * One person's state against what was due: `untouched` (every row there, no deletion entry, no
 * key destroyed) or `done` (every due category gone with one audit entry each and the rest
 * untouched; or, for someone all of whose data was due, no person left, their key destroyed and
 * one erasure entry naming every due category). Anything else is a half-deleted person and
 * throws, naming them and what was found.
 */
function outcomeOf(personId: string, expected: Expected, state: DatabaseState): PersonOutcome {
  const entries = state.deletionsOf.get(personId) ?? [];
  const rows = state.rows.get(personId) ?? new Map<string, number>();
  const found = {
    personId,
    isErasedWhole: expected.isErasedWhole,
    personRow: state.people.has(personId),
    rows: Object.fromEntries(rows),
    entries: entries.map((entry) => ({ action: entry.action, details: entry.details })),
    shredded: state.shredded.has(personId),
  };
  const isUntouched =
    state.people.has(personId) &&
    [...expected.rows].every(([category, count]) => rows.get(category) === count) &&
    rows.size === expected.rows.size &&
    entries.length === 0 &&
    !state.shredded.has(personId);
  if (isUntouched) {
    return 'untouched';
  }
  if (expected.isErasedWhole) {
    const [erasure] = entries;
    const isErased =
      !state.people.has(personId) &&
      rows.size === 0 &&
      entries.length === 1 &&
      erasure?.action === 'retention.person-erased' &&
      Object.keys(Details.parse(erasure.details.rules ?? {}))
        .sort()
        .join() === [...expected.due].sort().join() &&
      state.shredded.has(personId);
    if (isErased) {
      return 'done';
    }
  } else {
    const deleted = entries
      .filter((entry) => entry.action === 'retention.category-deleted')
      .map((entry) => String(entry.details.category));
    const isSwept =
      state.people.has(personId) &&
      [...expected.rows].every(([category, count]) =>
        expected.due.has(category) ? !rows.has(category) : rows.get(category) === count,
      ) &&
      entries.length === expected.due.size &&
      deleted.length === expected.due.size &&
      deleted.sort().join() === [...expected.due].sort().join();
    if (isSwept) {
      return 'done';
    }
  }
  throw new Error(`half-deleted or mis-audited person: ${JSON.stringify(found)}`);
}

/** Checks every person; returns how many are done and how many untouched. */
function checkEveryPerson(
  expected: ReadonlyMap<string, Expected>,
  state: DatabaseState,
): Record<PersonOutcome, number> {
  for (const entry of state.deletions) {
    // An entry about someone the sweep never had (or about no one) would be an audit without
    // its deletion: fail on it as well.
    if (entry.subjectId === null || !expected.has(entry.subjectId)) {
      throw new Error(`deletion entry about an unknown person: ${JSON.stringify(entry)}`);
    }
  }
  const counts: Record<PersonOutcome, number> = { untouched: 0, done: 0 };
  for (const [personId, person] of expected) {
    counts[outcomeOf(personId, person, state)] += 1;
  }
  return counts;
}

describeEachDialect('retention run killed midway', ({ dialect, database }) => {
  const db = () => ['--db', database().url];
  const sweep = () => ['retention', 'run', '--org', ORGANIZATION, '--as-of', AS_OF, ...db()];
  let organizationId = '';
  /** The observer: privileged on PostgreSQL, so row-level security hides nothing from it. */
  let observer: Store | undefined;
  const expected = new Map<string, Expected>();
  const watch = () => {
    if (observer === undefined) {
      throw new Error('no observer');
    }
    return observer;
  };

  beforeAll(async () => {
    observer = database().openPrivileged();
    const init = await custodia([
      'init',
      ...db(),
      '--org-name',
      'Kexara',
      '--slug',
      ORGANIZATION,
      '--admin-email',
      ADMIN_EMAIL,
    ]);
    expect(init.code, init.stderr).toBe(0);
    const upload = await custodia([
      'policy',
      'upload',
      'examples/policies/kexara.yaml',
      '--org',
      ORGANIZATION,
      ...db(),
    ]);
    const versionId = /as draft (\S+) /.exec(upload.stdout)?.[1] ?? '';
    const activate = await custodia([
      'policy',
      'activate',
      versionId,
      '--org',
      ORGANIZATION,
      '--assign',
      `${ADMIN_EMAIL}=administrator`,
      ...db(),
    ]);
    expect(activate.code, activate.stderr).toBe(0);
    const imported = await custodia([
      'import',
      'participants',
      customersCsv(),
      '--org',
      ORGANIZATION,
      '--batch-size',
      '500',
      ...db(),
    ]);
    expect(imported.code, imported.stderr).toBe(0);

    const organization = await watch()
      .db.selectFrom('organizations')
      .select('id')
      .where('slug', '=', ORGANIZATION)
      .executeTakeFirstOrThrow();
    organizationId = organization.id;
    const plan = await custodia([
      'retention',
      'plan',
      '--org',
      ORGANIZATION,
      '--as-of',
      AS_OF,
      '--json',
      ...db(),
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    const before = await readState(watch(), organizationId);
    const due = new Map<string, Set<string>>();
    for (const entry of RetentionPlanJson.parse(JSON.parse(plan.stdout)).entries) {
      if (entry.status === 'due' && entry.action === 'delete') {
        due.set(entry.personId, (due.get(entry.personId) ?? new Set()).add(entry.category));
      }
    }
    for (const personId of before.people) {
      const rows = before.rows.get(personId) ?? new Map<string, number>();
      const dueCategories = due.get(personId) ?? new Set<string>();
      expected.set(personId, {
        rows,
        due: dueCategories,
        isErasedWhole: dueCategories.size === rows.size,
      });
    }
    // The plan is the product's; this pins it to what the data was built for, so a policy change
    // cannot quietly leave the sweep nothing (or only erasures) to do.
    expect(expected.size).toBe(PEOPLE);
    expect([...expected.values()].every((person) => person.due.size === 2)).toBe(true);
    expect([...expected.values()].filter((person) => person.isErasedWhole)).toHaveLength(
      PEOPLE / ERASED_EVERY,
    );
  });

  afterAll(async () => {
    await observer?.close();
  });

  /** The sweep as a child process, and whether it is still running. */
  interface Sweep {
    child: StartedCli;
    isRunning: () => boolean;
  }

  function startSweep(): Sweep {
    const child = startCli(sweep(), { env: ENV });
    let hasExited = false;
    void child.exited.then(() => {
      hasExited = true;
    });
    return { child, isRunning: () => !hasExited };
  }

  /**
   * Reads snapshots while the child sweeps, checking every person in each (checkEveryPerson throws
   * on anyone half-done), until `isReady` says what the caller waits for is there.
   */
  async function watchSweep(
    { child, isRunning }: Sweep,
    isReady: (done: number) => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { done } = checkEveryPerson(expected, await readState(watch(), organizationId));
      if (await isReady(done)) {
        return;
      }
      if (!isRunning() || Date.now() > deadline) {
        throw new Error(
          `the sweep ended (or stalled) before it could be killed midway (raise PEOPLE)\n${child.stdout()}${child.stderr()}`,
        );
      }
      await sleep(2);
    }
  }

  /** SQLite: start the sweep and kill it once DONE_BEFORE_KILL people are done. */
  async function killAfterSomeProgress(running: (sweep: Sweep) => void): Promise<void> {
    const started = startSweep();
    running(started);
    await watchSweep(started, (done) => Promise.resolve(done >= DONE_BEFORE_KILL));
    started.child.signal('SIGKILL');
  }

  /**
   * PostgreSQL: hold a row lock on the travel preferences of a partly-deleted customer a third of
   * the way down the sweep's order (people by id), then start the sweep. It deletes a person's due
   * categories in category order, so it deletes that customer's support messages, writes their
   * audit entry and blocks on the travel preferences, inside the customer's transaction. Kill it
   * there, once its backend is seen waiting for the lock having written. Returns the customer.
   */
  async function killInsideAPersonTransaction(running: (sweep: Sweep) => void): Promise<string> {
    const order = await watch()
      .db.selectFrom('people')
      .select('id')
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute();
    const target = order
      .map((person) => person.id)
      .filter((id) => expected.get(id)?.isErasedWhole === false)
      .at(Math.floor(order.length / 3));
    if (target === undefined) {
      throw new Error('no customer to hold');
    }
    const locker = database().openPrivileged();
    try {
      const blocked = await locker.db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('personal_data')
          .select('field')
          .where('organization_id', '=', organizationId)
          .where('person_id', '=', target)
          .where('category_id', '=', 'travel-preferences')
          .forUpdate()
          .execute();
        const started = startSweep();
        running(started);
        let backend: { pid: number; hasWritten: boolean } | undefined;
        await watchSweep(started, async (done) => {
          backend = await blockedBackend();
          return backend !== undefined && done > 0;
        });
        if (backend === undefined) {
          throw new Error('no blocked backend');
        }
        // It has written in this transaction (the support messages and their audit entry)…
        expect(backend.hasWritten).toBe(true);
        // …and dies before it can commit. Its backend stays blocked on the lock until this
        // transaction ends; then it finds its client gone and rolls back.
        started.child.signal('SIGKILL');
        await started.child.exited;
        return backend;
      });
      const deadline = Date.now() + 20_000;
      while (await isBackendAlive(blocked.pid)) {
        if (Date.now() > deadline) {
          throw new Error(`backend ${blocked.pid} lived on after its client was killed`);
        }
        await sleep(20);
      }
    } finally {
      await locker.close();
    }
    return target;
  }

  function keysAwaitingRotation(): Promise<number> {
    return createKeyStore(watch().db, dialect).countKeysAwaitingRotation(scopeOf(organizationId));
  }

  /** A backend of this database waiting for a lock (the sweep's), and whether it has written. */
  async function blockedBackend(): Promise<{ pid: number; hasWritten: boolean } | undefined> {
    const { rows } = await sql<{ pid: number; xid: string | null }>`
      select pid, backend_xid::text as xid from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend'
        and wait_event_type = 'Lock'`.execute(watch().db);
    const [row] = rows;
    return row === undefined ? undefined : { pid: row.pid, hasWritten: row.xid !== null };
  }

  async function isBackendAlive(pid: number): Promise<boolean> {
    const { rows } = await sql<{
      alive: boolean;
    }>`select exists (select 1 from pg_stat_activity where pid = ${pid}) as alive`.execute(
      watch().db,
    );
    return rows[0]?.alive === true;
  }

  it('SIGKILL in the middle of a sweep leaves every person either untouched or done, each deletion with its audit entry, and the audit chain verifies', async () => {
    let child: StartedCli | undefined;
    const running = (started: Sweep) => {
      child = started.child;
    };
    let held: string | undefined;
    try {
      if (dialect === 'postgres') {
        held = await killInsideAPersonTransaction(running);
      } else {
        await killAfterSomeProgress(running);
      }
    } finally {
      child?.signal('SIGKILL');
    }
    // Killed, not finished.
    expect(await child?.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const state = await readState(watch(), organizationId);
    const counts = checkEveryPerson(expected, state);
    expect(counts.done).toBeGreaterThanOrEqual(dialect === 'postgres' ? 1 : DONE_BEFORE_KILL);
    expect(counts.untouched).toBeGreaterThan(0);
    // The keys it destroyed wait for the organisation-key rotation the run makes once, at its
    // end: owed now, so the next run's paying it is checked below.
    expect(await keysAwaitingRotation()).toBeGreaterThan(0);
    // The run never got to its summary entry.
    expect(state.runs).toBe(0);
    if (held !== undefined) {
      const person = expected.get(held);
      if (person === undefined) {
        throw new Error('held customer unknown');
      }
      // The customer the child was killed on, mid-transaction: rolled back whole.
      expect(outcomeOf(held, person, state)).toBe('untouched');
    }
    const verified = await custodia(['audit', 'verify', '--org', ORGANIZATION, ...db()]);
    expect(verified.code, `${verified.stdout}${verified.stderr}`).toBe(0);
  }, 120_000);

  it('the next run completes the sweep: everything due is gone, with exactly one deletion audit entry per person and category', async () => {
    const before = await readState(watch(), organizationId);
    const remaining = [...expected].filter(
      ([personId, person]) => outcomeOf(personId, person, before) === 'untouched',
    );
    const rerun = await runCli(sweep(), { env: ENV, timeoutMs: 120_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(summaryOf(rerun.stdout)).toEqual({
      // Those erased before the kill are no longer there to check.
      checked: PEOPLE - before.deletions.filter(isErasure).length,
      deleted: remaining.reduce((sum, [, person]) => sum + person.due.size, 0),
      erased: remaining.filter(([, person]) => person.isErasedWhole).length,
    });
    const after = await readState(watch(), organizationId);
    expect(checkEveryPerson(expected, after)).toEqual({ untouched: 0, done: PEOPLE });
    const perCategory = new Map<string, number>();
    for (const entry of after.deletions) {
      const categories = isErasure(entry)
        ? Object.keys(Details.parse(entry.details.rules))
        : [String(entry.details.category)];
      for (const category of categories) {
        const key = `${entry.subjectId ?? ''}/${category}`;
        perCategory.set(key, (perCategory.get(key) ?? 0) + 1);
      }
    }
    const dueCount = [...expected.values()].reduce((sum, person) => sum + person.due.size, 0);
    expect(perCategory.size).toBe(dueCount);
    expect([...perCategory.values()].every((count) => count === 1)).toBe(true);
    expect(after.runs).toBe(1);
    // The killed run destroyed keys and died before the one organisation-key rotation that makes
    // them final; the next run owes it and pays it (store/key-store.ts, the deferred window).
    expect(await keysAwaitingRotation()).toBe(0);
    const verified = await custodia(['audit', 'verify', '--org', ORGANIZATION, ...db()]);
    expect(verified.code, `${verified.stdout}${verified.stderr}`).toBe(0);
  }, 120_000);

  it('a third run changes nothing', async () => {
    const before = await readState(watch(), organizationId);
    // In this process: the same command, without a child's start-up time.
    const third = await custodia(sweep());
    expect(third.code, third.stderr).toBe(0);
    expect(summaryOf(third.stdout)).toEqual({
      checked: PEOPLE - PEOPLE / ERASED_EVERY,
      deleted: 0,
      erased: 0,
    });
    const after = await readState(watch(), organizationId);
    expect({ ...after, runs: 0 }).toEqual({ ...before, runs: 0 });
    expect(after.runs).toBe(before.runs + 1);
  }, 120_000);
});

function isErasure(entry: DeletionEntry): boolean {
  return entry.action === 'retention.person-erased';
}

/** The counts in `retention run`'s summary line. */
function summaryOf(stdout: string): { checked: number; deleted: number; erased: number } {
  const match =
    /retention run as of \S+: (\d+) people checked, (\d+) categories deleted\b.*\((\d+) people erased whole\)/.exec(
      stdout,
    );
  if (match === null) {
    throw new Error(`no summary in: ${stdout}`);
  }
  return { checked: Number(match[1]), deleted: Number(match[2]), erased: Number(match[3]) };
}

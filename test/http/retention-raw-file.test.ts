import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/app/context.js';
import { runRetention } from '../../src/app/retention/run-retention.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';
import { rawDatabaseBytes } from '../keys/support.js';

/**
 * Issue 7: after retention deletes something, no plaintext of it remains in the database — not in
 * a live row, and on SQLite not in the bytes of the database file or its WAL either.
 *
 * career-masterclass's example policy has both plain categories (contact details,
 * communications, purchase history) and encrypted ones (payment details are sensitive, so
 * encrypted at rest), with rules that make some due two years on: contact details and
 * communications go 12 months after the account is closed (or after collection, for someone with
 * no account); payment details 12 months after the closing only; purchases 6 years after the
 * transaction. (kexara, the policy retention-run.test.ts uses, encrypts every category, so it has
 * no plain kept value to prove the grep finds what is there.)
 *
 * - Erased whole: a learner whose account closing is on record, so all they have is due.
 * - Swept: a learner with no account: their communications go; their purchase (plain) and payment
 *   details (encrypted) stay.
 * Every value holds a random canary; the test greps the raw bytes for them.
 */

const AS_OF = new Date('2028-06-01T00:00:00.000Z');
const tag = randomBytes(6).toString('hex');
const canary = (what: string) => `CANARY-${tag}-${what}`;

const ERASED = {
  contact: canary('ERASED-CONTACT'),
  message: canary('ERASED-MESSAGE'),
  payment: canary('ERASED-PAYMENT'),
};
const SWEPT = {
  message: canary('SWEPT-MESSAGE'),
  purchase: canary('KEPT-PURCHASE'),
  payment: canary('KEPT-PAYMENT'),
};

describeEachDialect('retention: nothing deleted survives in the raw database', (context) => {
  const { store, database, dialect } = context;
  let app: TestApp;
  let organization: TestOrganization;
  let administrator: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  async function learner(data: object): Promise<string> {
    const created = await administrator.request('POST', url('/people'), {
      payload: { subjectKind: 'learner', data },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<{ id: string }>().id;
  }

  /** The encrypted values and wrapped keys stored for a person, read as an operator would. */
  async function ciphertextsOf(personId: string): Promise<string[]> {
    const privileged = database().openPrivileged();
    try {
      const values = await privileged.db
        .selectFrom('personal_data')
        .select('value')
        .where('person_id', '=', personId)
        .where('is_encrypted', '=', 1)
        .execute();
      const keys = await privileged.db
        .selectFrom('subject_keys')
        .select('wrapped_key')
        .where('subject_id', '=', personId)
        .execute();
      return [
        ...values.map((row) => row.value),
        ...keys.flatMap((row) => (row.wrapped_key === null ? [] : [row.wrapped_key])),
      ];
    } finally {
      await privileged.close();
    }
  }

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin: administrator } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'career-masterclass',
      'administrator',
    ));
  });

  // Runs first: the next test closes the store. A sweep ends with a WAL checkpoint even when it
  // erased no one (completePendingShreds purges freed pages). Without one, the values inserted
  // earlier stay in plaintext in the WAL's frames after their rows are deleted, until some later
  // checkpoint truncates it or the last connection closes, and whatever copies the files of a
  // running server (a file backup, a replica) copies them too. An earlier runRetention, which
  // checkpointed only when it had erased someone, failed this test.
  it.runIf(dialect === 'sqlite')(
    'SQLite: a sweep that only deletes categories leaves no plaintext of them in the live database file or its WAL',
    async () => {
      const deleted = canary('LIVE-DELETED-MESSAGE');
      const kept = canary('LIVE-KEPT-PURCHASE');
      await learner({
        communications: { channel: 'email', content: deleted },
        'purchase-history': { item: kept, transaction_date: '2026-02-01' },
      });
      const report = await runRetention(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { asOf: AS_OF },
      );
      expect(report).toMatchObject({ peopleErased: 0, categoriesDeleted: 1 });
      // The server is still running: the store stays open, as it would.
      const live = await rawBytes();
      expect(live.includes(kept)).toBe(true);
      expect(live.includes(deleted), 'deleted plaintext in the live database files').toBe(false);
    },
  );

  it('after a sweep that erases one person whole and deletes a category of another, the deleted canaries are nowhere in the raw database; the kept plain one is', async () => {
    const erased = await learner({
      'contact-details': { name: ERASED.contact, email: `erased-${tag}@example.org` },
      communications: { channel: 'email', content: ERASED.message },
      'payment-details': { card_or_bank_reference: ERASED.payment },
    });
    const closed = await administrator.request('POST', url('/retention/events'), {
      payload: { trigger: 'account-closed', personId: erased },
    });
    expect(closed.statusCode, closed.body).toBe(201);
    await learner({
      communications: { channel: 'phone', content: SWEPT.message },
      // Kept six years from the transaction: plain, and still there after the sweep.
      'purchase-history': { item: SWEPT.purchase, transaction_date: '2026-02-01' },
      'payment-details': { card_or_bank_reference: SWEPT.payment },
    });
    const erasedCiphertexts = await ciphertextsOf(erased);
    expect(erasedCiphertexts.length).toBeGreaterThanOrEqual(2);

    // The grep finds plain values that are there: every plain canary, before the sweep.
    const before = await rawBytes();
    for (const value of [ERASED.contact, ERASED.message, SWEPT.message, SWEPT.purchase]) {
      expect(before.includes(value), value).toBe(true);
    }
    // Encrypted values are never there as plaintext, not even before.
    expect(before.includes(ERASED.payment)).toBe(false);
    expect(before.includes(SWEPT.payment)).toBe(false);

    const report = await runRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: AS_OF },
    );
    expect(report).toMatchObject({ peopleErased: 1, categoriesDeleted: 4, held: 0 });

    if (dialect === 'sqlite') {
      // Closing the last connection checkpoints the WAL into the file and removes it.
      await store().close();
    } else {
      await vacuum();
    }
    const after = await rawBytes();
    for (const value of [
      ERASED.contact,
      ERASED.message,
      ERASED.payment,
      SWEPT.message,
      SWEPT.payment,
      // The erased person's ciphertexts and wrapped keys: not even those are left.
      ...erasedCiphertexts,
    ]) {
      expect(after.includes(value), value).toBe(false);
    }
    // What was kept is still there, so the grep reads the right bytes.
    expect(after.includes(SWEPT.purchase)).toBe(true);
  });

  /**
   * SQLite: the database file with its WAL (rawDatabaseBytes) and the shared-memory index, which
   * holds only page numbers but is read anyway since it is a file of the database.
   *
   * PostgreSQL: every row of every table as the superuser sees it (rawDatabaseBytes), after a
   * VACUUM. Its heap files are not grepped: a DELETE leaves the old tuple in the heap as a dead
   * row until VACUUM marks its space free, and even then the bytes stay in the page until a later
   * write reuses them (only VACUUM FULL rewrites the table, and the old file's disk blocks keep
   * them); the WAL and any WAL archive hold the inserted rows too. store/key-store.ts says as much:
   * on PostgreSQL the old row versions stay in the heap until VACUUM reuses them, and in WAL
   * archives, and stage 2 covers those — crypto-shredding (the person's key destroyed and the
   * organisation key rotated) makes the encrypted values unreadable at once, and retiring the
   * master key that wrapped the destroyed organisation key (`custodia keys rotate-master`, then
   * removing the old key everywhere) makes every earlier copy unreadable. Plain categories have no
   * such stage: on PostgreSQL their deleted bytes are gone only once the storage is reused.
   */
  async function rawBytes(): Promise<Buffer> {
    const bytes = await rawDatabaseBytes(context);
    const shm = `${database().url.slice('sqlite:'.length)}-shm`;
    return dialect === 'sqlite' && existsSync(shm)
      ? Buffer.concat([bytes, readFileSync(shm)])
      : bytes;
  }

  async function vacuum(): Promise<void> {
    const privileged = database().openPrivileged();
    try {
      await sql`VACUUM`.execute(privileged.db);
    } finally {
      await privileged.close();
    }
  }
});

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { sealAuditLog } from '../../src/app/audit/seal-audit-log.js';
import { verifyAuditLog } from '../../src/app/audit/verify-audit-log.js';
import { writeAuditEvent } from '../../src/app/audit/write-audit-event.js';
import { createManualClock, randomIds } from '../../src/clock.js';
import { createLocalMasterKeyProvider } from '../../src/crypto/master-key.js';
import { entryHash, REDACTED_DETAILS, type ChainProblem } from '../../src/domain/audit-chain.js';
import { inTransaction, type Store } from '../../src/store/db.js';
import {
  chainedFieldsOf,
  SQLITE_AUDIT_TRIGGERS,
  type AuditEventRawRow,
} from '../../src/store/migrations/0003-audit-chain.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { scopeOf } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';

const masterKeys = createLocalMasterKeyProvider([{ id: 'test', key: randomBytes(32) }]);

/** An attacker with database rights: triggers out of the way, then raw SQL. */
async function asDatabaseAdministrator(store: Store, work: () => Promise<void>): Promise<void> {
  if (store.dialect === 'postgres') {
    await sql`alter table audit_events disable trigger user`.execute(store.db);
    try {
      await work();
    } finally {
      await sql`alter table audit_events enable trigger user`.execute(store.db);
    }
  } else {
    await sql`drop trigger audit_events_no_update`.execute(store.db);
    await sql`drop trigger audit_events_no_delete`.execute(store.db);
    try {
      await work();
    } finally {
      for (const statement of SQLITE_AUDIT_TRIGGERS.slice(0, 2)) {
        await sql.raw(statement).execute(store.db);
      }
    }
  }
}

describeEachDialect('tamper-evident audit log', ({ database, dialect }) => {
  let store: Store;
  /** The attacker's connection: on PostgreSQL a superuser, whom row-level security does not hold. */
  let admin: Store;
  let organizationId: string;
  const clock = createManualClock('2026-05-01T08:00:00.000Z');

  beforeEach(async () => {
    // Each case tampers, so each gets a fresh database.
    store = database().open();
    admin = database().openPrivileged();
    organizationId = randomIds.next();
    await createOrganizationStore(store.db).insert({
      id: organizationId,
      slug: `audit-${organizationId.slice(0, 8)}`,
      name: 'Audit test',
      createdAt: clock.now().toISOString(),
    });
    for (let index = 1; index <= 6; index += 1) {
      clock.advance(1000);
      await inTransaction(store, (trx) =>
        writeAuditEvent(
          { clock, ids: randomIds, dialect: store.dialect },
          trx,
          scopeOf(organizationId),
          undefined,
          {
            actorType: 'staff',
            actorId: 'user-1',
            action: 'person.read',
            outcome: 'success',
            subjectId: `person-${index}`,
            details: { categories: ['health'], index },
          },
        ),
      );
    }
    await sealAuditLog({ store, clock, masterKeys }, scopeOf(organizationId));
    return async () => {
      await store.close();
      await admin.close();
    };
  });

  async function problems(): Promise<ChainProblem[]> {
    const [result] = await verifyAuditLog({ store, masterKeys }, { organization: organizationId });
    return result?.problems ?? [];
  }

  it('verifies an untouched log with its signed checkpoint', async () => {
    const [result] = await verifyAuditLog({ store, masterKeys }, { organization: organizationId });
    expect(result).toMatchObject({ entriesChecked: 6, checkpointsChecked: 1, problems: [] });
  });

  it('catches an entry updated directly in the database, and says which', async () => {
    await asDatabaseAdministrator(admin, async () => {
      await sql`update audit_events set actor_id = 'someone-else' where organization_id = ${organizationId} and sequence = 3`.execute(
        admin.db,
      );
    });
    const found = await problems();
    expect(found[0]).toMatchObject({ sequence: 3, kind: 'content-changed' });
  });

  it('catches changed details even when the rest of the row is intact', async () => {
    await asDatabaseAdministrator(admin, async () => {
      await sql`update audit_events set details = '{"categories":[],"index":2}' where organization_id = ${organizationId} and sequence = 2`.execute(
        admin.db,
      );
    });
    expect((await problems())[0]).toMatchObject({ sequence: 2, kind: 'details-changed' });
  });

  it('catches an entry deleted from the middle', async () => {
    await asDatabaseAdministrator(admin, async () => {
      await sql`delete from audit_events where organization_id = ${organizationId} and sequence = 4`.execute(
        admin.db,
      );
    });
    const kinds = (await problems()).map((problem) => problem.kind);
    expect(kinds).toContain('gap');
    expect(kinds).toContain('broken-link');
  });

  it('catches entries cut from the end, behind the last checkpoint', async () => {
    await asDatabaseAdministrator(admin, async () => {
      await sql`delete from audit_events where organization_id = ${organizationId} and sequence >= 5`.execute(
        admin.db,
      );
    });
    expect((await problems()).map((problem) => problem.kind)).toEqual(['truncated']);
  });

  it('catches two entries swapped', async () => {
    await asDatabaseAdministrator(admin, async () => {
      await sql`update audit_events set sequence = -1 where organization_id = ${organizationId} and sequence = 2`.execute(
        admin.db,
      );
      await sql`update audit_events set sequence = 2 where organization_id = ${organizationId} and sequence = 3`.execute(
        admin.db,
      );
      await sql`update audit_events set sequence = 3 where organization_id = ${organizationId} and sequence = -1`.execute(
        admin.db,
      );
    });
    const found = await problems();
    expect(found.map((problem) => problem.sequence)).toContain(2);
    expect(found.map((problem) => problem.kind)).toContain('broken-link');
  });

  it('catches an inserted entry even when the forger re-chains everything after it', async () => {
    const rows =
      await sql<AuditEventRawRow>`select * from audit_events where organization_id = ${organizationId} order by sequence`.execute(
        admin.db,
      );
    await asDatabaseAdministrator(admin, async () => {
      // Shift entries 4..6 up by one (from the top down, to keep sequences unique), insert a
      // forged #4, then recompute every hash from #4 on with the published algorithm.
      for (const sequence of [6, 5, 4]) {
        await sql`update audit_events set sequence = ${sequence + 1} where organization_id = ${organizationId} and sequence = ${sequence}`.execute(
          admin.db,
        );
      }
      const template = rows.rows[3];
      if (template === undefined) {
        throw new Error('fixture too short');
      }
      await sql`insert into audit_events (organization_id, id, sequence, occurred_at, actor_type, actor_id, action, outcome, subject_id, ip, user_agent, request_id, details, details_digest, previous_hash, hash)
        values (${organizationId}, ${'forged-entry'}, ${4}, ${new Date(template.occurred_at).toISOString()}, ${'staff'}, ${'user-1'}, ${'person.read'}, ${'success'}, ${'person-x'}, ${null}, ${null}, ${null}, ${template.details}, ${template.details_digest ?? ''}, ${''}, ${''})`.execute(
        admin.db,
      );
      const all =
        await sql<AuditEventRawRow>`select * from audit_events where organization_id = ${organizationId} order by sequence`.execute(
          admin.db,
        );
      let previous = all.rows[2]?.hash ?? '';
      for (const row of all.rows.slice(3)) {
        const hash = entryHash(chainedFieldsOf(row, row.details_digest ?? ''), previous);
        await sql`update audit_events set previous_hash = ${previous}, hash = ${hash} where organization_id = ${organizationId} and id = ${row.id}`.execute(
          admin.db,
        );
        previous = hash;
      }
    });
    // The chain itself is now consistent; only the signed checkpoint at #6 exposes the rewrite.
    expect((await problems()).map((problem) => problem.kind)).toEqual(['checkpoint-mismatch']);
  });

  it('does not trust a checkpoint signed with a key the master key never wrapped', async () => {
    await sql`insert into audit_checkpoints (organization_id, tree_size, head_hash, signed_at, key_id, signature)
      values (${organizationId}, ${5}, ${'0'.repeat(64)}, ${clock.now().toISOString()}, ${'0123456789abcdef'}, ${'AAAA'})`.execute(
      admin.db,
    );
    expect((await problems()).map((problem) => problem.kind)).toEqual(['checkpoint-signature']);
  });

  it(`refuses UPDATE and DELETE of entries in the database itself [${dialect}]`, async () => {
    await expect(
      sql`update audit_events set action = 'x' where organization_id = ${organizationId}`.execute(
        admin.db,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from audit_events where organization_id = ${organizationId}`.execute(admin.db),
    ).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') {
      await expect(sql`truncate audit_events`.execute(admin.db)).rejects.toThrow(/append-only/);
    }
    expect(await problems()).toEqual([]);
  });

  it('allows only redaction of details, and the chain still verifies after it', async () => {
    await sql`update audit_events set details = ${REDACTED_DETAILS} where organization_id = ${organizationId} and sequence = 2`.execute(
      admin.db,
    );
    expect(await problems()).toEqual([]);
  });
});

describe('audit chain hashing', () => {
  it('is deterministic and covers every field', () => {
    const fields = {
      organizationId: 'o',
      sequence: 1,
      id: 'i',
      occurredAt: '2026-01-01T00:00:00.000Z',
      actorType: 'staff',
      actorId: 'a',
      action: 'x',
      outcome: 'success',
      subjectId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      detailsDigest: 'd',
    };
    const base = entryHash(fields, 'p');
    expect(entryHash({ ...fields }, 'p')).toBe(base);
    for (const [key, value] of Object.entries(fields)) {
      const changed = {
        ...fields,
        [key]: typeof value === 'number' ? value + 1 : `${String(value)}!`,
      };
      expect(entryHash(changed, 'p'), key).not.toBe(base);
    }
    expect(entryHash(fields, 'q')).not.toBe(base);
  });
});

import { sql, type Kysely } from 'kysely';
import {
  detailsDigest,
  entryHash,
  GENESIS_HASH,
  REDACTED_DETAILS,
  type ChainedFields,
} from '../../domain/audit-chain.js';
import type { Dialect } from '../db.js';

/**
 * Makes the audit trail tamper-evident: a per-organisation hash chain over every entry, signed
 * checkpoints, and triggers on both databases that refuse to update or delete entries. The one
 * change allowed is redacting `details` to the redaction marker (erasure of personal content
 * inside an entry): the chain covers a digest of the details, which stays.
 */
/** An audit row as raw SQL returns it on either database (bigint and timestamptz not normalised). */
export interface AuditEventRawRow {
  organization_id: string;
  sequence: number | string;
  id: string;
  occurred_at: string | Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  outcome: string;
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string;
  details_digest: string | null;
  previous_hash: string | null;
  hash: string | null;
}

/** The fields the chain hashes, from a raw row and the digest of its details. */
export function chainedFieldsOf(row: AuditEventRawRow, digest: string): ChainedFields {
  return {
    organizationId: row.organization_id,
    sequence: Number(row.sequence),
    id: row.id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    outcome: row.outcome,
    subjectId: row.subject_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    detailsDigest: digest,
  };
}

const REDACTED_SQL = REDACTED_DETAILS.replaceAll("'", "''");

/** SQLite's append-only triggers (exported so a test playing a database administrator can restore them). */
export const SQLITE_AUDIT_TRIGGERS: readonly string[] = [
  `create trigger audit_events_no_delete before delete on audit_events
   begin select raise(abort, 'audit_events is append-only (DELETE refused)'); end`,
  `create trigger audit_events_no_update before update on audit_events
   when new.details is not '${REDACTED_SQL}'
     or new.organization_id is not old.organization_id or new.id is not old.id
     or new.sequence is not old.sequence or new.occurred_at is not old.occurred_at
     or new.actor_type is not old.actor_type or new.actor_id is not old.actor_id
     or new.action is not old.action or new.outcome is not old.outcome
     or new.subject_id is not old.subject_id or new.ip is not old.ip
     or new.user_agent is not old.user_agent or new.request_id is not old.request_id
     or new.details_digest is not old.details_digest
     or new.previous_hash is not old.previous_hash or new.hash is not old.hash
   begin select raise(abort, 'audit_events is append-only (UPDATE refused)'); end`,
  `create trigger audit_checkpoints_no_change before update on audit_checkpoints
   begin select raise(abort, 'audit_checkpoints is append-only'); end`,
  `create trigger audit_checkpoints_no_delete before delete on audit_checkpoints
   begin select raise(abort, 'audit_checkpoints is append-only'); end`,
];

export function auditChain(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('audit_events').addColumn('details_digest', 'text').execute();
      await db.schema.alterTable('audit_events').addColumn('previous_hash', 'text').execute();
      await db.schema.alterTable('audit_events').addColumn('hash', 'text').execute();

      // Entries written before the chain existed are chained now, in their recorded order.
      const rows =
        await sql<AuditEventRawRow>`select * from audit_events order by organization_id, sequence`.execute(
          db,
        );
      let organization = '';
      let previous = GENESIS_HASH;
      for (const row of rows.rows) {
        if (row.organization_id !== organization) {
          organization = row.organization_id;
          previous = GENESIS_HASH;
        }
        const digest = detailsDigest(row.details);
        const fields = chainedFieldsOf(row, digest);
        const hash = entryHash(fields, previous);
        await sql`update audit_events set details_digest = ${digest}, previous_hash = ${previous}, hash = ${hash}
          where organization_id = ${row.organization_id} and id = ${row.id}`.execute(db);
        previous = hash;
      }

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('tree_size', 'bigint', (column) => column.notNull())
        .addColumn('head_hash', 'text', (column) => column.notNull())
        .addColumn('signed_at', timestamp, (column) => column.notNull())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('signature', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('audit_checkpoints_pk', ['organization_id', 'tree_size'])
        .execute();

      // Checkpoint signing keys: the Ed25519 seed is stored only wrapped by the master key, so a
      // database-only attacker can neither sign nor plant a key that unwraps.
      await db.schema
        .createTable('audit_signing_keys')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('master_key_id', 'text', (column) => column.notNull())
        .addColumn('wrapped_seed', 'text', (column) => column.notNull())
        .addColumn('public_key_pem', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('audit_signing_keys_pk', ['organization_id', 'key_id'])
        .execute();

      if (dialect === 'postgres') {
        await sql
          .raw(
            `create function audit_events_append_only() returns trigger language plpgsql as $$
            begin
              if tg_op = 'UPDATE'
                 and new.details = '${REDACTED_SQL}'
                 and (new.organization_id, new.id, new.sequence, new.occurred_at, new.actor_type,
                      new.actor_id, new.action, new.outcome, new.subject_id, new.ip, new.user_agent,
                      new.request_id, new.details_digest, new.previous_hash, new.hash)
                     is not distinct from
                     (old.organization_id, old.id, old.sequence, old.occurred_at, old.actor_type,
                      old.actor_id, old.action, old.outcome, old.subject_id, old.ip, old.user_agent,
                      old.request_id, old.details_digest, old.previous_hash, old.hash)
              then
                return new;
              end if;
              raise exception 'audit_events is append-only (% refused)', tg_op
                using errcode = 'insufficient_privilege';
            end $$`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger audit_events_append_only before update or delete on audit_events
             for each row execute function audit_events_append_only()`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger audit_events_no_truncate before truncate on audit_events
             for each statement execute function audit_events_append_only()`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
             for each row execute function audit_events_append_only()`,
          )
          .execute(db);
      } else {
        for (const statement of SQLITE_AUDIT_TRIGGERS) {
          await sql.raw(statement).execute(db);
        }
      }
    },
  };
}

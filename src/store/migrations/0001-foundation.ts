import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Organisations, staff accounts, sessions, API tokens and the audit trail. Every tenant table
 * leads its primary key with organization_id so PostgreSQL/Citus can distribute it by tenant.
 */
export function foundation(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('staff_users')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('email', 'text', (column) => column.notNull())
        .addColumn('display_name', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('password_hash', 'text', (column) => column.notNull())
        .addColumn('mfa_required', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('totp_secret', 'text')
        .addColumn('totp_enabled_at', timestamp)
        .addColumn('totp_last_step', 'bigint')
        .addColumn('failed_login_count', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('last_failed_login_at', timestamp)
        .addColumn('locked_until', timestamp)
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('disabled_at', timestamp)
        .addPrimaryKeyConstraint('staff_users_pk', ['organization_id', 'id'])
        .addUniqueConstraint('staff_users_email_unique', ['organization_id', 'email'])
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('last_seen_at', timestamp, (column) => column.notNull())
        .addColumn('expires_at', timestamp, (column) => column.notNull())
        .addColumn('mfa_verified_at', timestamp)
        .addColumn('revoked_at', timestamp)
        .addColumn('ip', 'text', (column) => column.notNull())
        .addColumn('user_agent', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('sessions_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'sessions_user_fk',
          ['organization_id', 'user_id'],
          'staff_users',
          ['organization_id', 'id'],
        )
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('secret_hash', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('expires_at', timestamp)
        .addColumn('last_used_at', timestamp)
        .addColumn('revoked_at', timestamp)
        .addPrimaryKeyConstraint('api_tokens_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'api_tokens_creator_fk',
          ['organization_id', 'created_by'],
          'staff_users',
          ['organization_id', 'id'],
        )
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('sequence', 'bigint', (column) => column.notNull())
        .addColumn('occurred_at', timestamp, (column) => column.notNull())
        .addColumn('actor_type', 'text', (column) => column.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('outcome', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('request_id', 'text')
        .addColumn('details', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('audit_events_pk', ['organization_id', 'id'])
        .addUniqueConstraint('audit_events_sequence_unique', ['organization_id', 'sequence'])
        .execute();
      await db.schema
        .createIndex('audit_events_actor_index')
        .on('audit_events')
        .columns(['organization_id', 'actor_id', 'occurred_at'])
        .execute();
    },
  };
}

import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { isolateTenantTable } from './0005-tenant-row-security.js';

export const RETENTION_TABLES = ['retention_events', 'legal_holds'] as const;

/**
 * Retention inputs that only the outside world knows (issue 7): events a rule counts from that
 * are not otherwise on record — an account closed, a deletion requested, the client contract
 * terminated (for the whole organisation: person_id NULL), the last activity — and legal holds,
 * which suspend every retention action on what they cover until released or expired.
 */
export function retentionEventsAndHolds(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('retention_events')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        /** NULL: an event of the whole organisation (contract-terminated). */
        .addColumn('person_id', 'text')
        .addColumn('trigger', 'text', (column) => column.notNull())
        .addColumn('occurred_at', timestamp, (column) => column.notNull())
        .addColumn('recorded_by', 'text')
        .addColumn('recorded_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('retention_events_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'retention_events_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('retention_events_person')
        .on('retention_events')
        .columns(['organization_id', 'person_id', 'trigger'])
        .execute();

      await db.schema
        .createTable('legal_holds')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        /** NULL: every person of the organisation. */
        .addColumn('person_id', 'text')
        /** NULL: every category. */
        .addColumn('category_id', 'text')
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('note', 'text')
        .addColumn('placed_by', 'text')
        .addColumn('placed_at', timestamp, (column) => column.notNull())
        .addColumn('expires_at', timestamp)
        .addColumn('released_at', timestamp)
        .addColumn('released_by', 'text')
        .addPrimaryKeyConstraint('legal_holds_pk', ['organization_id', 'id'])
        .execute();

      if (dialect === 'postgres') {
        for (const table of RETENTION_TABLES) {
          await isolateTenantTable(db, table);
        }
      }
    },
  };
}

import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { isolateTenantTable } from './0005-tenant-row-security.js';

export const RETENTION_ACTION_TABLES = ['anonymised_records', 'retention_reviews'] as const;

/**
 * What the anonymise and review actions of retention rules leave behind (issue 7).
 *
 * `anonymised_records` holds what anonymisation keeps of a category: the fields the policy marks
 * `keep`, and generalised ones (a date to its year, an address to its network). It has no column
 * that leads back to the person — no person id, no timestamp finer than the month — because the
 * row is meant to be anonymous data, outside the policy's personal data and outside every right.
 *
 * `retention_reviews` records each time a `review` rule asked whether data may be kept: when it
 * was asked, by when the answer is due, and the answer. A review belongs to the person (it goes
 * with them when they are erased); the audit log keeps the proof.
 */
export function retentionActions(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('anonymised_records')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('category_id', 'text', (column) => column.notNull())
        .addColumn('rule_id', 'text', (column) => column.notNull())
        /** JSON object, field → kept or generalised value. */
        .addColumn('fields', 'text', (column) => column.notNull())
        /** YYYY-MM: coarse on purpose, so the row cannot be matched to an audit entry's instant. */
        .addColumn('anonymised_in', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('anonymised_records_pk', ['organization_id', 'id'])
        .execute();
      await db.schema
        .createIndex('anonymised_records_category')
        .on('anonymised_records')
        .columns(['organization_id', 'category_id'])
        .execute();

      await db.schema
        .createTable('retention_reviews')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('rule_id', 'text', (column) => column.notNull())
        .addColumn('category_id', 'text', (column) => column.notNull())
        /** The due instant of the cycle this review decides: a "keep" moves the next one on. */
        .addColumn('cycle_due_at', timestamp, (column) => column.notNull())
        .addColumn('asked_at', timestamp, (column) => column.notNull())
        /** subject (emailed), staff (in the staff queue), or no-address (nobody could be told). */
        .addColumn('asked_via', 'text', (column) => column.notNull())
        /** NULL until the question reached someone: the answer period starts then. */
        .addColumn('answer_due_at', timestamp)
        .addColumn('answer', 'text')
        .addColumn('answered_at', timestamp)
        .addColumn('answered_by', 'text')
        .addPrimaryKeyConstraint('retention_reviews_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'retention_reviews_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .addUniqueConstraint('retention_reviews_cycle', [
          'organization_id',
          'person_id',
          'rule_id',
          'cycle_due_at',
        ])
        .execute();

      if (dialect === 'postgres') {
        for (const table of RETENTION_ACTION_TABLES) {
          await isolateTenantTable(db, table);
        }
      }
    },
  };
}

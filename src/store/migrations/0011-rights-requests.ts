import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { isolateTenantTable } from './0005-tenant-row-security.js';

export const RIGHTS_TABLES = [
  'rights_requests',
  'verification_codes',
  'processing_restrictions',
  'disclosures',
] as const;

/**
 * Data subject requests (issue 8) and what they leave in force.
 *
 * `rights_requests`: one row per request, from arrival to answer, with its legal clock (the
 * jurisdiction whose deadline applies, the due instant, an extension and its reason) and outcome.
 * The person may be erased by the request itself, so `person_id` carries no foreign key: the
 * request and its audit entries are the proof that the right was honoured.
 * `verification_codes`: one-time codes emailed to the address on record, stored as HMACs.
 * `processing_restrictions`: restriction (GDPR Art. 18) and objection (Art. 21) flags that the
 * access decision reads at every read and write, until lifted (or overridden, for an objection).
 * `disclosures`: each time a category was given to a recipient, so a rectification can tell every
 * recipient that received the old value (PIPEDA 4.9.5).
 */
export function rightsRequests(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rights_requests')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('request_kind', 'text')
        .addColumn('jurisdiction', 'text', (column) => column.notNull())
        .addColumn('made_by', 'text', (column) => column.notNull())
        .addColumn('requester_id', 'text')
        .addColumn('agent', 'text')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('received_at', timestamp, (column) => column.notNull())
        .addColumn('verified_at', timestamp)
        .addColumn('due_at', timestamp)
        .addColumn('extended_due_at', timestamp)
        .addColumn('extension_reason', 'text')
        .addColumn('reminded_at', timestamp)
        .addColumn('closed_at', timestamp)
        .addColumn('refusal_reason', 'text')
        .addColumn('outcome', 'text')
        .addPrimaryKeyConstraint('rights_requests_pk', ['organization_id', 'id'])
        .execute();
      await db.schema
        .createIndex('rights_requests_open')
        .on('rights_requests')
        .columns(['organization_id', 'status', 'due_at'])
        .execute();
      await db.schema
        .createIndex('rights_requests_person')
        .on('rights_requests')
        .columns(['organization_id', 'person_id'])
        .execute();

      await db.schema
        .createTable('verification_codes')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('request_id', 'text', (column) => column.notNull())
        .addColumn('code_mac', 'text', (column) => column.notNull())
        .addColumn('sent_at', timestamp, (column) => column.notNull())
        .addColumn('expires_at', timestamp, (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('used_at', timestamp)
        .addPrimaryKeyConstraint('verification_codes_pk', ['organization_id', 'id'])
        .execute();
      await db.schema
        .createIndex('verification_codes_request')
        .on('verification_codes')
        .columns(['organization_id', 'request_id'])
        .execute();

      await db.schema
        .createTable('processing_restrictions')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        /** restriction (Art. 18) or objection (Art. 21). */
        .addColumn('kind', 'text', (column) => column.notNull())
        /** restriction: the category, NULL for all; objection: NULL. */
        .addColumn('category_id', 'text')
        /** objection: the purpose objected to. */
        .addColumn('purpose_id', 'text')
        .addColumn('request_id', 'text')
        .addColumn('since', timestamp, (column) => column.notNull())
        .addColumn('lifted_at', timestamp)
        .addColumn('lifted_by', 'text')
        /** Objection only: the compelling legitimate grounds staff recorded to go on (Art. 21(1)). */
        .addColumn('overriding_grounds', 'text')
        .addPrimaryKeyConstraint('processing_restrictions_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'processing_restrictions_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('processing_restrictions_person')
        .on('processing_restrictions')
        .columns(['organization_id', 'person_id'])
        .execute();

      await db.schema
        .createTable('disclosures')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('third_party_id', 'text', (column) => column.notNull())
        /** JSON array of category ids. */
        .addColumn('categories', 'text', (column) => column.notNull())
        .addColumn('disclosed_at', timestamp, (column) => column.notNull())
        .addColumn('recorded_by', 'text')
        .addPrimaryKeyConstraint('disclosures_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'disclosures_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('disclosures_person')
        .on('disclosures')
        .columns(['organization_id', 'person_id'])
        .execute();

      if (dialect === 'postgres') {
        for (const table of RIGHTS_TABLES) {
          await isolateTenantTable(db, table);
        }
      }
    },
  };
}

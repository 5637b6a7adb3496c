import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Envelope-encryption keys: organisation keys (wrapped by a master key) and one data key per
 * person (wrapped by an organisation key). Destroying a key sets its wrapped form to NULL, so both
 * key columns are nullable; the rows stay as the record of what was destroyed and when.
 */
export function encryptionKeys(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('organization_keys')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('wrapped_key', 'text')
        .addColumn('master_key_id', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('retired_at', timestamp)
        .addPrimaryKeyConstraint('organization_keys_pk', ['organization_id', 'id'])
        .execute();
      // At most one current (unretired) key per organisation, whatever the application does.
      await db.schema
        .createIndex('organization_keys_current_unique')
        .on('organization_keys')
        .column('organization_id')
        .unique()
        .where(sql.ref('retired_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('subject_keys')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('subject_id', 'text', (column) => column.notNull())
        .addColumn('organization_key_id', 'text')
        .addColumn('wrapped_key', 'text')
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('destroyed_at', timestamp)
        .addPrimaryKeyConstraint('subject_keys_pk', ['organization_id', 'subject_id'])
        .addForeignKeyConstraint(
          'subject_keys_organization_key_fk',
          ['organization_id', 'organization_key_id'],
          'organization_keys',
          ['organization_id', 'id'],
        )
        .execute();
      // Rotation re-wraps every key under one organisation key.
      await db.schema
        .createIndex('subject_keys_organization_key_index')
        .on('subject_keys')
        .columns(['organization_id', 'organization_key_id', 'subject_id'])
        .execute();
    },
  };
}

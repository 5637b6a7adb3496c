import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * One data key per person *and category* (issue 7): a retention rule that deletes one category of
 * a person (payment records after seven years) crypto-shreds that category alone by destroying its
 * key, so a backup holding the deleted ciphertexts cannot be read with the person's other keys.
 *
 * `subject_keys` gets `category_id` in its primary key. Existing rows become `'*'`, the person-wide
 * key of before: it keeps decrypting and encrypting every category of its person, so no stored
 * ciphertext breaks, and a destroyed `'*'` row keeps meaning "this person was shredded". The value
 * is written literally here, as every migration must keep doing what it did when it shipped.
 *
 * A new partial index finds destroyed keys by the organisation key that wrapped them: a destroyed
 * key still pointing at the live organisation key is the durable record that a rotation is owed
 * (a shred with `deferRotation`), and checking for one must stay cheap with a million live keys.
 *
 * SQLite cannot change a primary key, so there the table is rebuilt and its rows copied, in one
 * transaction (SQLite migrations otherwise run without one). PostgreSQL alters the table in place,
 * which keeps its row-level-security policy (0005), its foreign key and its grants as they are.
 */
export function categoryKeys(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`alter table subject_keys add column category_id text not null default '*'`.execute(
          db,
        );
        await sql`alter table subject_keys alter column category_id drop default`.execute(db);
        await sql`alter table subject_keys drop constraint subject_keys_pk`.execute(db);
        await sql`alter table subject_keys add constraint subject_keys_pk
          primary key (organization_id, subject_id, category_id)`.execute(db);
        await db.schema.dropIndex('subject_keys_organization_key_index').execute();
        await createIndexes(db);
        return;
      }
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('subject_keys_by_category')
          .addColumn('organization_id', 'text', (column) => column.notNull())
          .addColumn('subject_id', 'text', (column) => column.notNull())
          .addColumn('organization_key_id', 'text')
          .addColumn('wrapped_key', 'text')
          .addColumn('created_at', timestamp, (column) => column.notNull())
          .addColumn('destroyed_at', timestamp)
          // Last, as PostgreSQL's ALTER TABLE places it: the two dialects keep one column order.
          .addColumn('category_id', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint('subject_keys_pk', [
            'organization_id',
            'subject_id',
            'category_id',
          ])
          .addForeignKeyConstraint(
            'subject_keys_organization_key_fk',
            ['organization_id', 'organization_key_id'],
            'organization_keys',
            ['organization_id', 'id'],
          )
          .execute();
        await sql`insert into subject_keys_by_category (organization_id, subject_id,
            organization_key_id, wrapped_key, created_at, destroyed_at, category_id)
          select organization_id, subject_id, organization_key_id, wrapped_key, created_at,
            destroyed_at, '*'
          from subject_keys`.execute(trx);
        // secure_delete (store/db.ts) zeroes the old table's pages as they are freed.
        await trx.schema.dropTable('subject_keys').execute();
        await trx.schema.alterTable('subject_keys_by_category').renameTo('subject_keys').execute();
        await createIndexes(trx);
      });
    },
  };
}

async function createIndexes(db: Kysely<unknown>): Promise<void> {
  // Rotation re-wraps every live key under one organisation key, page by page in key order.
  await db.schema
    .createIndex('subject_keys_organization_key_index')
    .on('subject_keys')
    .columns(['organization_id', 'organization_key_id', 'subject_id', 'category_id'])
    .execute();
  // Destroyed keys by the organisation key that wrapped them: is a rotation owed?
  await db.schema
    .createIndex('subject_keys_destroyed_index')
    .on('subject_keys')
    .columns(['organization_id', 'organization_key_id'])
    .where(sql.ref('wrapped_key'), 'is', null)
    .execute();
}

import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Indexes for the two person foreign keys no index led with: deleting a person cascades to their
 * guardian links (as the minor) and policy-change notices, and without these each deletion scanned
 * every such row of the organisation — 255 ms per person at 700,000 guardian links, about 7 hours
 * for a retention sweep erasing 100,000 of 1,000,000 people (bench/README.md, retention sweep).
 */
export function personForeignKeyIndexes(_dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('guardian_links_minor')
        .on('guardian_links')
        .columns(['organization_id', 'minor_id'])
        .execute();
      await db.schema
        .createIndex('policy_change_notices_person')
        .on('policy_change_notices')
        .columns(['organization_id', 'person_id'])
        .execute();
    },
  };
}

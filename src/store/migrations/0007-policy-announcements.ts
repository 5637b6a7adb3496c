import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The announcement of a policy version (issue 6): a version whose changes are significant takes
 * effect only on the date it was announced for, at least the policy's `changes.notice_lead_time`
 * after the announcement, and only over the version it was announced against (the notices
 * described that difference). Three nullable columns on `policy_versions`; no new table, so row
 * security needs nothing new.
 */
export function policyAnnouncements(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds one column at a time.
      await db.schema.alterTable('policy_versions').addColumn('announced_at', timestamp).execute();
      await db.schema.alterTable('policy_versions').addColumn('effective_at', timestamp).execute();
      await db.schema
        .alterTable('policy_versions')
        .addColumn('announced_over_version_id', 'text')
        .execute();
    },
  };
}

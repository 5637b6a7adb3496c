import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { isolateTenantTable } from './0005-tenant-row-security.js';

/** The tenant tables this migration adds; each is isolated by row-level security on PostgreSQL. */
export const CONSENT_TABLES = [
  'consent_records',
  'terms_acceptances',
  'marketing_suppressions',
  'link_signing_keys',
  'policy_change_notices',
  'cookie_consents',
] as const;

/**
 * Permission, as the policy declares it (issue 6): consent records per person × consent × policy
 * version with how, when, by whom and from where they were given or withdrawn; acceptances of a
 * policy version's terms; the marketing suppression list; the keys that sign unsubscribe and
 * withdrawal links; notices of policy changes sent ahead of time; and cookie consent receipts.
 */
export function consent(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const personForeignKey = (
        table: string,
      ): [string, ['organization_id', 'person_id'], string, string[]] => [
        `${table}_person_fk`,
        ['organization_id', 'person_id'],
        'people',
        ['organization_id', 'id'],
      ];

      // One row per giving of a consent; withdrawal closes that row. History is kept, so a
      // receipt can always show what was agreed to under which policy version.
      await db.schema
        .createTable('consent_records')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('consent_id', 'text', (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        /** JSON array of marketing channels opted in to; NULL when the consent has none. */
        .addColumn('channels', 'text')
        .addColumn('given_at', timestamp, (column) => column.notNull())
        .addColumn('given_by', 'text', (column) => column.notNull())
        /** The guardian's person id, or the attesting institution's name; NULL for the subject. */
        .addColumn('given_by_reference', 'text')
        .addColumn('recorded_by', 'text')
        .addColumn('method', 'text', (column) => column.notNull())
        .addColumn('evidence_reference', 'text')
        /** The scanned form, encrypted under the person's data key (it shows their signature). */
        .addColumn('evidence', 'text')
        .addColumn('evidence_sha256', 'text')
        .addColumn('evidence_media_type', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('withdrawn_at', timestamp)
        .addColumn('withdrawn_by', 'text')
        .addColumn('withdrawal_method', 'text')
        .addPrimaryKeyConstraint('consent_records_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(...personForeignKey('consent_records'), (constraint) =>
          constraint.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('consent_records_person')
        .on('consent_records')
        .columns(['organization_id', 'person_id', 'consent_id'])
        .execute();

      await db.schema
        .createTable('terms_acceptances')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        .addColumn('accepted_at', timestamp, (column) => column.notNull())
        .addColumn('accepted_by', 'text', (column) => column.notNull())
        .addColumn('accepted_by_reference', 'text')
        .addColumn('recorded_by', 'text')
        /** explicit, or continued-use where the policy says continued use means acceptance. */
        .addColumn('method', 'text', (column) => column.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addPrimaryKeyConstraint('terms_acceptances_pk', ['organization_id', 'id'])
        .addUniqueConstraint('terms_acceptances_once', [
          'organization_id',
          'person_id',
          'policy_version_id',
        ])
        .addForeignKeyConstraint(...personForeignKey('terms_acceptances'), (constraint) =>
          constraint.onDelete('cascade'),
        )
        .execute();

      // Keyed by a hash of the address, not the person: it must outlive the person's record so
      // that a later import of the same address does not subscribe it again.
      await db.schema
        .createTable('marketing_suppressions')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('address_hash', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('marketing_suppressions_pk', [
          'organization_id',
          'channel',
          'address_hash',
        ])
        .execute();

      await db.schema
        .createTable('link_signing_keys')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('master_key_id', 'text', (column) => column.notNull())
        /** The HMAC secret, wrapped by the master key. */
        .addColumn('wrapped_secret', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('link_signing_keys_pk', ['organization_id', 'key_id'])
        .execute();

      await db.schema
        .createTable('policy_change_notices')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('effective_at', timestamp, (column) => column.notNull())
        .addColumn('reacceptance_required', 'integer', (column) => column.notNull())
        .addColumn('sent_at', timestamp)
        .addColumn('failure', 'text')
        .addPrimaryKeyConstraint('policy_change_notices_pk', [
          'organization_id',
          'policy_version_id',
          'person_id',
        ])
        .addForeignKeyConstraint(...personForeignKey('policy_change_notices'), (constraint) =>
          constraint.onDelete('cascade'),
        )
        .execute();

      // A visitor's cookie choices: not a person record (most visitors are anonymous), a receipt.
      await db.schema
        .createTable('cookie_consents')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('visitor_id', 'text', (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        /** JSON object: cookie id → allowed. */
        .addColumn('choices', 'text', (column) => column.notNull())
        .addColumn('gpc', 'integer', (column) => column.notNull())
        .addColumn('given_at', timestamp, (column) => column.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addPrimaryKeyConstraint('cookie_consents_pk', ['organization_id', 'id'])
        .execute();
      await db.schema
        .createIndex('cookie_consents_visitor')
        .on('cookie_consents')
        .columns(['organization_id', 'visitor_id', 'given_at'])
        .execute();

      // Set when a version is activated: whether its changes need everyone's acceptance again
      // (the policy's `changes.reacceptance_required_for`); older acceptances stop counting then.
      await db.schema
        .alterTable('policy_versions')
        .addColumn('requires_reacceptance', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();

      if (dialect === 'postgres') {
        for (const table of CONSENT_TABLES) {
          await isolateTenantTable(db, table);
        }
      }
    },
  };
}

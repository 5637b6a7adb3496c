import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { TENANT_SETTING } from '../tenant.js';

/** Every table holding one organisation's rows; `organizations` itself is not one. */
export const TENANT_TABLES = [
  'staff_users',
  'sessions',
  'api_tokens',
  'audit_events',
  'organization_keys',
  'subject_keys',
  'audit_checkpoints',
  'audit_signing_keys',
  'policy_versions',
  'people',
  'guardian_links',
  'programs',
  'enrollments',
  'personal_data',
] as const;

/**
 * PostgreSQL row-level security as the second wall between organisations (store/tenant.ts sets
 * the tenant per connection). FORCE holds the table owner — the role the application connects
 * as — to the policy too; only superusers and BYPASSRLS roles pass, which is why the application
 * must not connect as one (the server warns at start when it does). SQLite has no such feature:
 * there the organisation scope of every store method is the only wall.
 *
 * A later migration that adds a tenant table calls `isolateTenantTable` for it; a store test
 * checks that every table with an organization_id column is isolated.
 */
export function tenantRowSecurity(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') {
        return;
      }
      for (const table of TENANT_TABLES) {
        await isolateTenantTable(db, table);
      }
    },
  };
}

export async function isolateTenantTable(db: Kysely<unknown>, table: string): Promise<void> {
  // current_setting(…, true) is NULL when unset and '' when reset: either matches no row.
  const tenantMatches = sql`organization_id = current_setting(${sql.lit(TENANT_SETTING)}, true)`;
  await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  await sql`alter table ${sql.table(table)} force row level security`.execute(db);
  await sql`create policy tenant_isolation on ${sql.table(table)}
    using (${tenantMatches}) with check (${tenantMatches})`.execute(db);
}

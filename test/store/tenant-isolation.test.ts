import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, openStore, type Store } from '../../src/store/db.js';
import { TENANT_TABLES } from '../../src/store/migrations/0005-tenant-row-security.js';
import { CONSENT_TABLES } from '../../src/store/migrations/0006-consent.js';
import { RETENTION_TABLES } from '../../src/store/migrations/0008-retention-events-and-holds.js';
import { RETENTION_ACTION_TABLES } from '../../src/store/migrations/0009-retention-actions.js';
import { RIGHTS_TABLES } from '../../src/store/migrations/0011-rights-requests.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { createPersonStore } from '../../src/store/person-store.js';
import { createPolicyVersionStore } from '../../src/store/policy-version-store.js';
import { scopeOf, type OrganizationScope } from '../../src/store/scope.js';
import { inTenant, rowSecurityBypassed } from '../../src/store/tenant.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

/**
 * The second wall (PostgreSQL row-level security). Each case plays a store method that forgot its
 * `where organization_id = …`: the database itself must still keep the other organisation out.
 */
describe.runIf(DIALECTS.includes('postgres'))('row-level security [postgres]', () => {
  let database: TestDatabase;
  /** One connection, so that every case reuses the connection the case before it bound. */
  let store: Store;
  let privileged: Store;
  const alpha = scopeOf('org-alpha');
  const beta = scopeOf('org-beta');

  async function seed(scope: OrganizationScope, people: string[]): Promise<void> {
    await createOrganizationStore(privileged.db).insert({
      id: scope.organizationId,
      slug: scope.organizationId,
      name: scope.organizationId,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await createPolicyVersionStore(store.db).insert(scope, {
      id: 'v1',
      version: '1',
      source: 'x',
      sourceSha256: 'd',
      uploadedAt: '2026-01-01T00:00:00.000Z',
      uploadedBy: null,
    });
    for (const id of people) {
      await createPersonStore(store.db).insert(scope, {
        id,
        subjectKind: 'participant',
        externalReference: null,
        policyVersionId: 'v1',
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: null,
      });
    }
  }

  /** A query with no organisation condition at all, bound (or not) to a tenant. */
  async function everyPersonId(scope?: OrganizationScope): Promise<string[]> {
    const db = scope === undefined ? store.db : inTenant(store.db, scope);
    const rows = await sql<{ id: string }>`select id from people order by id`.execute(db);
    return rows.rows.map((row) => row.id);
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = openStore({ url: database.url, poolSize: 1 });
    privileged = database.openPrivileged();
    await seed(alpha, ['alpha-1', 'alpha-2']);
    await seed(beta, ['beta-1']);
  });

  afterAll(async () => {
    await store.close();
    await privileged.close();
    await database.drop();
  });

  it('runs the suite as a role that row-level security holds (else every case here is vacuous)', async () => {
    expect(await rowSecurityBypassed(store)).toBe(false);
    expect(await rowSecurityBypassed(privileged)).toBe(true);
  });

  it('isolates every table that has an organization_id column, owner included (FORCE)', async () => {
    const tables = await sql<{ name: string; enabled: boolean; forced: boolean }>`
      select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' and exists (
        select 1 from pg_attribute a
        where a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped)
      order by c.relname`.execute(privileged.db);
    expect(tables.rows.map((row) => row.name).sort()).toEqual(
      [
        ...TENANT_TABLES,
        ...CONSENT_TABLES,
        ...RETENTION_TABLES,
        ...RETENTION_ACTION_TABLES,
        ...RIGHTS_TABLES,
      ].sort(),
    );
    for (const table of tables.rows) {
      expect({ table: table.name, enabled: table.enabled, forced: table.forced }).toEqual({
        table: table.name,
        enabled: true,
        forced: true,
      });
    }
  });

  it('shows a query bound to one organisation only that organisation, with no where clause', async () => {
    expect(await everyPersonId(alpha)).toEqual(['alpha-1', 'alpha-2']);
    expect(await everyPersonId(beta)).toEqual(['beta-1']);
    // The superuser sees both: the rows are there, the wall is what hid them.
    const all = await sql<{ id: string }>`select id from people order by id`.execute(privileged.db);
    expect(all.rows.map((row) => row.id)).toEqual(['alpha-1', 'alpha-2', 'beta-1']);
  });

  it('shows a query bound to no organisation nothing, even on a connection bound before', async () => {
    expect(await everyPersonId(beta)).toEqual(['beta-1']);
    expect(await everyPersonId()).toEqual([]);
  });

  it("refuses to write a row into another organisation's tenant", async () => {
    await expect(
      sql`insert into people (organization_id, id, subject_kind, policy_version_id, created_at)
        values (${beta.organizationId}, 'smuggled', 'participant', 'v1', now())`.execute(
        inTenant(store.db, alpha),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      sql`update people set organization_id = ${beta.organizationId} where id = 'alpha-1'`.execute(
        inTenant(store.db, alpha),
      ),
    ).rejects.toThrow(/row-level security/);
    const changed = await sql`delete from people where id = 'beta-1'`.execute(
      inTenant(store.db, alpha),
    );
    expect(Number(changed.numAffectedRows)).toBe(0);
    expect(await everyPersonId(beta)).toEqual(['beta-1']);
  });

  it('forgets the binding a rolled-back transaction undid, so the next query is bound again', async () => {
    expect(await everyPersonId(beta)).toEqual(['beta-1']);
    // Inside the transaction the connection is bound to alpha; the rollback restores beta in the
    // server. Were the driver to believe it was still bound to alpha, the next alpha query would
    // skip binding and read beta's rows.
    await expect(
      inTransaction(store, async (trx) => {
        await sql`select 1 from people`.execute(inTenant(trx, alpha));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await everyPersonId(alpha)).toEqual(['alpha-1', 'alpha-2']);
  });
});

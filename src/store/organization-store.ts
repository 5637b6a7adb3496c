import type { Executor } from './db.js';
import { tenantNeutral } from './tenant.js';

export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
}

export function createOrganizationStore(executor: Executor) {
  // The organizations table holds no tenant rows: its queries leave a connection's binding be.
  const db = tenantNeutral(executor);
  const columns = ['id', 'slug', 'name', 'created_at as createdAt'] as const;
  return {
    async insert(row: OrganizationRow): Promise<void> {
      await db
        .insertInto('organizations')
        .values({ id: row.id, slug: row.slug, name: row.name, created_at: row.createdAt })
        .execute();
    },
    findById(id: string): Promise<OrganizationRow | undefined> {
      return db.selectFrom('organizations').select(columns).where('id', '=', id).executeTakeFirst();
    },
    findBySlug(slug: string): Promise<OrganizationRow | undefined> {
      return db
        .selectFrom('organizations')
        .select(columns)
        .where('slug', '=', slug)
        .executeTakeFirst();
    },
    list(): Promise<OrganizationRow[]> {
      return db.selectFrom('organizations').select(columns).orderBy('created_at').execute();
    },
  };
}

export type OrganizationStore = ReturnType<typeof createOrganizationStore>;

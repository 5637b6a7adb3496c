import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

export interface ApiTokenRow {
  organizationId: string;
  id: string;
  name: string;
  secretHash: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const columns = [
  'organization_id as organizationId',
  'id',
  'name',
  'secret_hash as secretHash',
  'created_by as createdBy',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'last_used_at as lastUsedAt',
  'revoked_at as revokedAt',
] as const;

export function createApiTokenStore(db: Executor) {
  return {
    async insert(
      scope: OrganizationScope,
      token: Omit<ApiTokenRow, 'organizationId' | 'lastUsedAt' | 'revokedAt'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('api_tokens')
        .values({
          organization_id: scope.organizationId,
          id: token.id,
          name: token.name,
          secret_hash: token.secretHash,
          created_by: token.createdBy,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
        })
        .execute();
    },
    findById(scope: OrganizationScope, id: string): Promise<ApiTokenRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('api_tokens')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    list(scope: OrganizationScope): Promise<ApiTokenRow[]> {
      return inTenant(db, scope)
        .selectFrom('api_tokens')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async markUsed(scope: OrganizationScope, id: string, at: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('api_tokens')
        .set({ last_used_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async revoke(scope: OrganizationScope, id: string, at: string): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;

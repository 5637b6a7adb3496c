import type { Executor } from './db.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

export interface LinkSigningKeyRow {
  keyId: string;
  /** The master key that wraps the secret. */
  masterKeyId: string;
  /** The HMAC secret, wrapped by that master key: never stored in the clear. */
  wrappedSecret: string;
  createdAt: string;
}

const columns = [
  'key_id as keyId',
  'master_key_id as masterKeyId',
  'wrapped_secret as wrappedSecret',
  'created_at as createdAt',
] as const;

/** The keys that sign an organisation's links (unsubscribe, opt-in), each wrapped by a master key. */
export function createLinkKeyStore(db: Executor) {
  return {
    async insert(scope: OrganizationScope, key: LinkSigningKeyRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('link_signing_keys')
        .values({
          organization_id: scope.organizationId,
          key_id: key.keyId,
          master_key_id: key.masterKeyId,
          wrapped_secret: key.wrappedSecret,
          created_at: key.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['organization_id', 'key_id']).doNothing())
        .execute();
    },

    /** The key a link names; links signed by older keys keep working until they expire. */
    find(scope: OrganizationScope, keyId: string): Promise<LinkSigningKeyRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('link_signing_keys')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('key_id', '=', keyId)
        .executeTakeFirst();
    },

    /** Every key, newest first: new links are signed with the newest that unwraps. */
    list(scope: OrganizationScope): Promise<LinkSigningKeyRow[]> {
      return inTenant(db, scope)
        .selectFrom('link_signing_keys')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .orderBy('created_at', 'desc')
        .orderBy('key_id')
        .execute();
    },

    async rewrap(
      scope: OrganizationScope,
      keyId: string,
      wrapped: { masterKeyId: string; wrappedSecret: string },
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('link_signing_keys')
        .set({ master_key_id: wrapped.masterKeyId, wrapped_secret: wrapped.wrappedSecret })
        .where('organization_id', '=', scope.organizationId)
        .where('key_id', '=', keyId)
        .execute();
    },
  };
}

export type LinkKeyStore = ReturnType<typeof createLinkKeyStore>;

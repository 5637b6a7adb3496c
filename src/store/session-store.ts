import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

export interface SessionRow {
  organizationId: string;
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  mfaVerifiedAt: string | null;
  revokedAt: string | null;
  ip: string;
  userAgent: string;
}

const columns = [
  'organization_id as organizationId',
  'id',
  'user_id as userId',
  'created_at as createdAt',
  'last_seen_at as lastSeenAt',
  'expires_at as expiresAt',
  'mfa_verified_at as mfaVerifiedAt',
  'revoked_at as revokedAt',
  'ip',
  'user_agent as userAgent',
] as const;

export function createSessionStore(db: Executor) {
  return {
    async insert(
      scope: OrganizationScope,
      session: Omit<SessionRow, 'organizationId'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('sessions')
        .values({
          organization_id: scope.organizationId,
          id: session.id,
          user_id: session.userId,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
          mfa_verified_at: session.mfaVerifiedAt,
          revoked_at: session.revokedAt,
          ip: session.ip,
          user_agent: session.userAgent,
        })
        .execute();
    },
    /**
     * A session with what authentication needs of its user, in one query (this runs on every
     * authenticated request).
     */
    findWithUser(
      scope: OrganizationScope,
      id: string,
    ): Promise<
      | (SessionRow & {
          role: string;
          userMfaRequired: number;
          totpEnabledAt: string | null;
          disabledAt: string | null;
        })
      | undefined
    > {
      return inTenant(db, scope)
        .selectFrom('sessions')
        .innerJoin('staff_users', (join) =>
          join
            .onRef('staff_users.organization_id', '=', 'sessions.organization_id')
            .onRef('staff_users.id', '=', 'sessions.user_id'),
        )
        .select([
          'sessions.organization_id as organizationId',
          'sessions.id as id',
          'sessions.user_id as userId',
          'sessions.created_at as createdAt',
          'sessions.last_seen_at as lastSeenAt',
          'sessions.expires_at as expiresAt',
          'sessions.mfa_verified_at as mfaVerifiedAt',
          'sessions.revoked_at as revokedAt',
          'sessions.ip as ip',
          'sessions.user_agent as userAgent',
          'staff_users.role as role',
          'staff_users.mfa_required as userMfaRequired',
          'staff_users.totp_enabled_at as totpEnabledAt',
          'staff_users.disabled_at as disabledAt',
        ])
        .where('sessions.organization_id', '=', scope.organizationId)
        .where('sessions.id', '=', id)
        .executeTakeFirst();
    },
    listActiveForUser(
      scope: OrganizationScope,
      userId: string,
      now: string,
    ): Promise<SessionRow[]> {
      return inTenant(db, scope)
        .selectFrom('sessions')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
    },
    async touch(scope: OrganizationScope, id: string, at: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('sessions')
        .set({ last_seen_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async markMfaVerified(scope: OrganizationScope, id: string, at: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('sessions')
        .set({ mfa_verified_at: at, last_seen_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    /** Revokes one of the user's sessions; false when there is no such live session. */
    async revoke(
      scope: OrganizationScope,
      userId: string,
      id: string,
      at: string,
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

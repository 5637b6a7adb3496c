import type { Dialect, Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

export interface StaffUserRow {
  organizationId: string;
  id: string;
  email: string;
  displayName: string;
  role: string;
  passwordHash: string;
  mfaRequired: boolean;
  totpSecret: string | null;
  totpEnabledAt: string | null;
  totpLastStep: number | null;
  failedLoginCount: number;
  lastFailedLoginAt: string | null;
  lockedUntil: string | null;
  createdAt: string;
  disabledAt: string | null;
}

export type NewStaffUser = Pick<
  StaffUserRow,
  'id' | 'email' | 'displayName' | 'role' | 'passwordHash' | 'mfaRequired' | 'createdAt'
>;

const columns = [
  'organization_id as organizationId',
  'id',
  'email',
  'display_name as displayName',
  'role',
  'password_hash as passwordHash',
  'mfa_required as mfaRequired',
  'totp_secret as totpSecret',
  'totp_enabled_at as totpEnabledAt',
  'totp_last_step as totpLastStep',
  'failed_login_count as failedLoginCount',
  'last_failed_login_at as lastFailedLoginAt',
  'locked_until as lockedUntil',
  'created_at as createdAt',
  'disabled_at as disabledAt',
] as const;

type RawRow = Omit<StaffUserRow, 'mfaRequired'> & { mfaRequired: number };

function toRow(raw: RawRow): StaffUserRow {
  return { ...raw, mfaRequired: raw.mfaRequired === 1 };
}

export function createStaffUserStore(db: Executor) {
  return {
    async insert(scope: OrganizationScope, user: NewStaffUser): Promise<void> {
      await inTenant(db, scope)
        .insertInto('staff_users')
        .values({
          organization_id: scope.organizationId,
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          role: user.role,
          password_hash: user.passwordHash,
          mfa_required: user.mfaRequired ? 1 : 0,
          failed_login_count: 0,
          created_at: user.createdAt,
        })
        .execute();
    },
    async findById(scope: OrganizationScope, id: string): Promise<StaffUserRow | undefined> {
      const raw = await inTenant(db, scope)
        .selectFrom('staff_users')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return raw === undefined ? undefined : toRow(raw);
    },
    async findByEmail(scope: OrganizationScope, email: string): Promise<StaffUserRow | undefined> {
      const raw = await inTenant(db, scope)
        .selectFrom('staff_users')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('email', '=', email)
        .executeTakeFirst();
      return raw === undefined ? undefined : toRow(raw);
    },
    /**
     * Reads the user to decide a login attempt, locking the row on PostgreSQL until the
     * transaction ends so concurrent guesses are counted one after another (SQLite serialises
     * writers anyway).
     */
    async lockByEmail(
      scope: OrganizationScope,
      email: string,
      dialect: Dialect,
    ): Promise<StaffUserRow | undefined> {
      let query = inTenant(db, scope)
        .selectFrom('staff_users')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('email', '=', email);
      if (dialect === 'postgres') {
        query = query.forUpdate();
      }
      const raw = await query.executeTakeFirst();
      return raw === undefined ? undefined : toRow(raw);
    },
    async list(scope: OrganizationScope): Promise<StaffUserRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('staff_users')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRow);
    },
    async recordLoginFailure(
      scope: OrganizationScope,
      id: string,
      failure: { failedLoginCount: number; lastFailedLoginAt: string; lockedUntil: string | null },
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('staff_users')
        .set({
          failed_login_count: failure.failedLoginCount,
          last_failed_login_at: failure.lastFailedLoginAt,
          locked_until: failure.lockedUntil,
        })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async clearLoginFailures(scope: OrganizationScope, id: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('staff_users')
        .set({ failed_login_count: 0, last_failed_login_at: null, locked_until: null })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async setRole(scope: OrganizationScope, id: string, role: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('staff_users')
        .set({ role })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async setPendingTotpSecret(
      scope: OrganizationScope,
      id: string,
      secret: string,
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('staff_users')
        .set({ totp_secret: secret, totp_enabled_at: null, totp_last_step: null })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    async enableTotp(
      scope: OrganizationScope,
      id: string,
      at: string,
      step: number,
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('staff_users')
        .set({ totp_enabled_at: at, totp_last_step: step })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    /**
     * Records a TOTP step as used only if it is newer than the last one: the conditional update
     * makes a code single-use even when two requests race with it (ASVS 2.8.4).
     */
    async consumeTotpStep(scope: OrganizationScope, id: string, step: number): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('staff_users')
        .set({ totp_last_step: step })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type StaffUserStore = ReturnType<typeof createStaffUserStore>;

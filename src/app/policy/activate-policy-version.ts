import { z } from 'zod';
import { AppError, type FieldIssue } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { assessPolicyChange } from './announce-policy-version.js';

export const ActivatePolicyVersionRequest = z.strictObject({
  /**
   * Staff user id → role in the new policy, applied in the same transaction. Every active account
   * must hold a role the new policy declares once these are applied.
   */
  assignRoles: z.record(z.string(), z.string()).default({}),
});
export type ActivatePolicyVersionRequest = z.input<typeof ActivatePolicyVersionRequest>;

export interface ActivatedPolicyVersion {
  id: string;
  version: string;
  previousVersionId: string | null;
  significantChanges: number;
  /** Whether its changes need everyone's acceptance again (older acceptances stop counting). */
  requiresReacceptance: boolean;
  rolesAssigned: number;
}

/**
 * Makes a draft (or archived) version the organisation's enforced policy, archiving the previous
 * one. Refused — changing nothing — when an active account would be left with a role the policy
 * does not declare, or when nobody could manage users and the policy afterwards (no lock-out).
 * A version that changes the policy significantly must have been announced over the active
 * version (`announce-policy-version.ts`) and its effective date must have come: the notice the
 * policy promises (`changes.notice_lead_time`) cannot be skipped. On activation it records whether
 * its changes need everyone's acceptance again (domain/terms.ts then stops counting older ones).
 */
export async function activatePolicyVersion(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Actor,
  organizationId: string,
  versionId: string,
  request: z.output<typeof ActivatePolicyVersionRequest>,
  origin: RequestOrigin | undefined,
): Promise<ActivatedPolicyVersion> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-policy',
  );
  const target = await deps.policies.version(deps.store.db, scope, versionId);
  if (target === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  if (active?.versionId === versionId) {
    throw new AppError('CONFLICT', 'This version is already active.');
  }
  const assessment = assessPolicyChange(active, target);
  const significantChanges = assessment.significant.length;
  if (active !== undefined && significantChanges > 0) {
    const announcement = await createPolicyVersionStore(deps.store.db).announcementOf(
      scope,
      versionId,
    );
    if (announcement === undefined) {
      throw new AppError(
        'CONFLICT',
        `This version changes the policy significantly (${significantChanges} change(s)): announce it first, at least ${target.policy.document.changes.notice_lead_time} before it takes effect.`,
      );
    }
    if (announcement.announcedOverVersionId !== active.versionId) {
      throw new AppError(
        'CONFLICT',
        'This version was announced as a change to a version that is no longer active: upload it again and announce the new draft.',
      );
    }
    if (deps.clock.now().toISOString() < announcement.effectiveAt) {
      throw new AppError(
        'CONFLICT',
        `This version was announced to take effect on ${announcement.effectiveAt}: it cannot be activated before then.`,
      );
    }
  }
  const roles = target.policy.roles;
  const users = await createStaffUserStore(deps.store.db).list(scope);
  const issues: FieldIssue[] = [];
  for (const [userId, role] of Object.entries(request.assignRoles)) {
    if (!users.some((user) => user.id === userId)) {
      issues.push({ path: `assignRoles.${userId}`, message: 'no such staff account' });
    } else if (!roles.has(role)) {
      issues.push({
        path: `assignRoles.${userId}`,
        message: `"${role}" is not a role of this policy`,
      });
    }
  }
  const roleAfter = (user: { id: string; role: string }) =>
    request.assignRoles[user.id] ?? user.role;
  const live = users.filter((user) => user.disabledAt === null);
  for (const user of live) {
    if (!roles.has(roleAfter(user)) && request.assignRoles[user.id] === undefined) {
      issues.push({
        path: `assignRoles.${user.id}`,
        message: `${user.email} has role "${user.role}", which this policy does not declare: assign one of ${[...roles.keys()].join(', ')}`,
      });
    }
  }
  // No lock-out: afterwards someone must manage users, and the policy must stay changeable — by
  // someone who holds manage-policy, or through an account a user manager can create in a role
  // the policy gives it (a policy may split the two, as kindergarten-platform.yaml does between
  // the institution and the platform administrators).
  const canManageUsers = live.some((user) =>
    target.policy.canSystem(roleAfter(user), 'manage-users'),
  );
  const canManagePolicy =
    live.some((user) => target.policy.canSystem(roleAfter(user), 'manage-policy')) ||
    (canManageUsers &&
      [...roles.keys()].some((role) => target.policy.canSystem(role, 'manage-policy')));
  if (!canManageUsers || !canManagePolicy) {
    issues.push({
      path: 'assignRoles',
      message:
        'after activation nobody could manage users and the policy: assign such a role to someone',
    });
  }
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'The policy cannot be activated as things stand.', {
      details: { issues },
    });
  }
  const at = deps.clock.now().toISOString();
  await inTransaction(deps.store, async (trx) => {
    const staff = createStaffUserStore(trx);
    for (const [userId, role] of Object.entries(request.assignRoles)) {
      await staff.setRole(scope, userId, role);
    }
    await createPolicyVersionStore(trx).activate(scope, versionId, at);
    if (assessment.requiresReacceptance) {
      await createPolicyVersionStore(trx).markRequiresReacceptance(scope, versionId);
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'policy.activate',
      outcome: 'success',
      subjectId: null,
      details: {
        policyVersionId: versionId,
        version: target.version,
        previousVersionId: active?.versionId ?? null,
        significantChanges,
        requiresReacceptance: assessment.requiresReacceptance,
        roleAssignments: request.assignRoles,
      },
    });
  });
  return {
    id: versionId,
    version: target.version,
    previousVersionId: active?.versionId ?? null,
    significantChanges,
    requiresReacceptance: assessment.requiresReacceptance,
    rolesAssigned: Object.keys(request.assignRoles).length,
  };
}

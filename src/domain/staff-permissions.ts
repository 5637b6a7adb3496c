import type { CompiledPolicy } from '../policy/compile.js';
import type { SystemAction } from '../policy/schema.js';

/**
 * The role `custodia init` gives the first account. Until the organisation activates a policy it
 * may do the few things needed to get there; from activation on, every permission — this role's
 * included — comes from the policy alone (kajuyali.txt: only level A creates users).
 */
export const ADMINISTRATOR_ROLE = 'administrator';

const BOOTSTRAP_ACTIONS: ReadonlySet<SystemAction> = new Set<SystemAction>([
  'manage-users',
  'manage-policy',
  'manage-keys',
  'view-audit-log',
]);

export function canPerformSystemAction(
  policy: CompiledPolicy | undefined,
  role: string,
  action: SystemAction,
): boolean {
  if (policy === undefined) {
    return role === ADMINISTRATOR_ROLE && BOOTSTRAP_ACTIONS.has(action);
  }
  return policy.canSystem(role, action);
}

/**
 * Whether this user must pass a second factor: flagged for it, in a role the configuration names,
 * or in a role the active policy marks `mfa_required` (ASVS 4.3.1).
 */
export function isMfaRequired(
  user: { role: string; mfaRequired: boolean },
  mfaRequiredRoles: readonly string[],
  policy?: CompiledPolicy,
): boolean {
  return (
    user.mfaRequired ||
    mfaRequiredRoles.includes(user.role) ||
    policy?.roles.get(user.role)?.mfaRequired === true
  );
}

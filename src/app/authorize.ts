import { canPerformSystemAction } from '../domain/staff-permissions.js';
import { AppError } from '../errors.js';
import type { SystemAction } from '../policy/schema.js';
import type { Executor } from '../store/db.js';
import { scopeOf, type OrganizationScope } from '../store/scope.js';
import type { Actor, Principal } from './context.js';
import { isFullyAuthenticated } from './context.js';
import type { ActivePolicy, PolicyRegistry } from './policy/policy-registry.js';

/**
 * The gate every organisation-scoped use case passes first. Another organisation's id answers
 * exactly like an unknown one (NOT_FOUND), so a caller cannot even learn that it exists (OWASP
 * API1:2023, ASVS 4.2.1). The returned scope is the only way into the tenant's stores.
 */
export function authorizeInOrganization(
  principal: Principal,
  organizationId: string,
): OrganizationScope {
  if (principal.organizationId !== organizationId) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  if (!isFullyAuthenticated(principal)) {
    throw new AppError('MFA_REQUIRED', 'Complete the second factor before continuing.');
  }
  return scopeOf(organizationId);
}

/**
 * The gate plus a system permission, decided by the organisation's active policy. The system actor
 * (the operator at the console, `SystemActor`) passes for its own organisation without a role: it
 * already holds the database and the master key, and the use case still applies every other rule.
 */
export async function authorizeSystemAction(
  deps: { db: Executor; policies: PolicyRegistry },
  principal: Actor,
  organizationId: string,
  action: SystemAction,
): Promise<{ scope: OrganizationScope; active: ActivePolicy | undefined }> {
  if (principal.kind === 'system') {
    if (principal.organizationId !== organizationId) {
      throw new AppError('NOT_FOUND', 'Not found.');
    }
    const scope = scopeOf(organizationId);
    return { scope, active: await deps.policies.active(deps.db, scope) };
  }
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await deps.policies.active(deps.db, scope);
  if (!canPerformSystemAction(active?.policy, principal.role, action)) {
    throw new AppError('FORBIDDEN', `Your role may not ${action.replaceAll('-', ' ')}.`);
  }
  return { scope, active };
}

/**
 * The gate, the system permission, and an active policy to act under: use cases that enforce the
 * policy (retention, rights requests) have nothing to go by without one, and say so (CONFLICT).
 */
export async function authorizeUnderActivePolicy(
  deps: { store: { db: Executor }; policies: PolicyRegistry },
  principal: Actor,
  organizationId: string,
  action: SystemAction,
  doing: string,
): Promise<{ scope: OrganizationScope; active: ActivePolicy }> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    action,
  );
  if (active === undefined) {
    throw new AppError('CONFLICT', `Activate a policy before ${doing}.`);
  }
  return { scope, active };
}

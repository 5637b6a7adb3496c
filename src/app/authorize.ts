import { canPerform, type StaffAction } from '../domain/staff-permissions.js';
import { AppError } from '../errors.js';
import { scopeOf, type OrganizationScope } from '../store/scope.js';
import { isFullyAuthenticated, type Principal } from './context.js';

/**
 * The gate every organisation-scoped use case passes first. Another organisation's id answers
 * exactly like an unknown one (NOT_FOUND), so a caller cannot even learn that it exists (OWASP
 * API1:2023, ASVS 4.2.1). The returned scope is the only way into the tenant's stores.
 */
export function authorizeInOrganization(
  principal: Principal,
  organizationId: string,
  action?: StaffAction,
): OrganizationScope {
  if (principal.organizationId !== organizationId) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  if (!isFullyAuthenticated(principal)) {
    throw new AppError('MFA_REQUIRED', 'Complete the second factor before continuing.');
  }
  if (action !== undefined && !canPerform(principal.role, action)) {
    throw new AppError('FORBIDDEN', `Your role may not ${action.replace('-', ' ')}.`);
  }
  return scopeOf(organizationId);
}

/**
 * What a staff role may do with the organisation's own accounts. Until the policy language
 * declares roles and permissions per organisation (issue 5), the role created by `custodia init`
 * administers; every other role may only manage its own sessions.
 */
export const ADMINISTRATOR_ROLE = 'administrator';

export type StaffAction = 'manage-users' | 'manage-api-tokens';

export function canPerform(role: string, _action: StaffAction): boolean {
  return role === ADMINISTRATOR_ROLE;
}

/** Whether this user must pass a second factor: required for the user, or for their role. */
export function isMfaRequired(
  user: { role: string; mfaRequired: boolean },
  mfaRequiredRoles: readonly string[],
): boolean {
  return user.mfaRequired || mfaRequiredRoles.includes(user.role);
}

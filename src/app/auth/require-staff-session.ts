import { AppError } from '../../errors.js';
import type { Principal } from '../context.js';

/** Narrows to a staff session: MFA and session management are for people, not API tokens. */
export function requireStaffSession(
  principal: Principal,
): Extract<Principal, { kind: 'staff-session' }> {
  if (principal.kind !== 'staff-session') {
    throw new AppError('FORBIDDEN', 'This action needs a staff login session, not an API token.');
  }
  return principal;
}

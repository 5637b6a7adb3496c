import { newTotpSecret, totpUri } from '../../crypto/totp.js';
import { AppError } from '../../errors.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import type { AppDeps, Principal } from '../context.js';
import { requireStaffSession } from './require-staff-session.js';

export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
}

/**
 * Starts TOTP enrolment: a new secret waits, unused, until a code from it is confirmed. A user who
 * already has a second factor must have passed it in this session to replace it.
 */
export async function enrollTotp(
  deps: Pick<AppDeps, 'store'>,
  principal: Principal,
): Promise<TotpEnrollment> {
  const session = requireStaffSession(principal);
  if (session.mfa === 'pending') {
    throw new AppError('MFA_REQUIRED', 'Pass your current second factor before replacing it.');
  }
  const scope = scopeOf(session.organizationId);
  const users = createStaffUserStore(deps.store.db);
  const user = await users.findById(scope, session.userId);
  const organization = await createOrganizationStore(deps.store.db).findById(
    session.organizationId,
  );
  if (user === undefined || organization === undefined) {
    throw new AppError('UNAUTHENTICATED', 'The session is no longer valid.');
  }
  const secret = newTotpSecret();
  await users.setPendingTotpSecret(scope, user.id, secret);
  return { secret, otpauthUri: totpUri(secret, `Custodia (${organization.name})`, user.email) };
}

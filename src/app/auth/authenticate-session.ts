import { hashSecret, parseSessionCookie } from '../../crypto/tokens.js';
import { isTouchDue, sessionState } from '../../domain/session-expiry.js';
import { isMfaRequired } from '../../domain/staff-permissions.js';
import { AppError } from '../../errors.js';
import { scopeOf } from '../../store/scope.js';
import { createSessionStore } from '../../store/session-store.js';
import type { AppDeps, Principal } from '../context.js';

const SESSION_INVALID = 'The session is missing, expired or revoked. Log in again.';

/** Resolves a session cookie to its principal, or throws UNAUTHENTICATED whatever the reason. */
export async function authenticateSession(
  deps: Pick<AppDeps, 'store' | 'clock' | 'auth' | 'policies'>,
  cookieValue: string,
): Promise<Extract<Principal, { kind: 'staff-session' }>> {
  const parsed = parseSessionCookie(cookieValue);
  if (parsed === undefined) {
    throw new AppError('UNAUTHENTICATED', SESSION_INVALID);
  }
  const scope = scopeOf(parsed.organizationId);
  const sessions = createSessionStore(deps.store.db);
  const session = await sessions.findWithUser(scope, hashSecret(parsed.secret));
  const now = deps.clock.now();
  if (
    session === undefined ||
    sessionState(session, now, deps.auth.sessionIdleMinutes) !== 'live'
  ) {
    throw new AppError('UNAUTHENTICATED', SESSION_INVALID);
  }
  if (session.disabledAt !== null) {
    throw new AppError('UNAUTHENTICATED', SESSION_INVALID);
  }
  const user = {
    id: session.userId,
    role: session.role,
    mfaRequired: session.userMfaRequired === 1,
    totpEnabledAt: session.totpEnabledAt,
  };
  if (isTouchDue(session.lastSeenAt, now)) {
    await sessions.touch(scope, session.id, now.toISOString());
  }
  // The policy is consulted only when the answer depends on it: a session that passed its second
  // factor, or a user who has one, is decided without it (one query fewer on most requests).
  const mfa =
    session.mfaVerifiedAt !== null
      ? 'verified'
      : user.totpEnabledAt !== null
        ? 'pending'
        : isMfaRequired(
              user,
              deps.auth.mfaRequiredRoles,
              (await deps.policies.active(deps.store.db, scope))?.policy,
            )
          ? 'enrollment-required'
          : 'not-required';
  return {
    kind: 'staff-session',
    organizationId: session.organizationId,
    userId: user.id,
    role: user.role,
    sessionId: session.id,
    mfa,
    expiresAt: session.expiresAt,
  };
}

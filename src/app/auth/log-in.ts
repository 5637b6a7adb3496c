import { z } from 'zod';
import { hashSecret, newSecret, formatSessionCookie } from '../../crypto/tokens.js';
import { decideLoginAttempt, recordFailure } from '../../domain/login-throttle.js';
import { isMfaRequired } from '../../domain/staff-permissions.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { createSessionStore } from '../../store/session-store.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';

export const LogInRequest = z.strictObject({
  organization: z.string().min(1).max(100).describe('The organisation slug'),
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});
export type LogInRequest = z.infer<typeof LogInRequest>;

export interface LogInResult {
  /** The session cookie value; shown to the client once and stored only as a hash. */
  cookieValue: string;
  sessionId: string;
  userId: string;
  organizationId: string;
  expiresAt: string;
  mfa: 'not-required' | 'pending' | 'enrollment-required';
}

const WRONG_CREDENTIALS = 'Wrong organisation, e-mail address or password.';

/**
 * Every attempt, successful or not, is written to the audit trail with IP, user agent and time
 * (kajuyali.txt §4.3). The attempt is counted as a failure *before* the password is checked and
 * cleared on success, so a burst of concurrent guesses cannot slip past the counter.
 */
export async function logIn(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'passwords' | 'auth' | 'policies'>,
  input: LogInRequest,
  origin: RequestOrigin,
): Promise<LogInResult> {
  const { store, clock, passwords, auth } = deps;
  const audit = { clock: deps.clock, ids: deps.ids, dialect: store.dialect };
  const email = input.email.toLowerCase();
  const organization = await createOrganizationStore(store.db).findBySlug(input.organization);
  if (organization === undefined) {
    await passwords.verifyDummy(input.password);
    throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }
  const scope = scopeOf(organization.id);

  const gate = await inTransaction(store, async (trx) => {
    const users = createStaffUserStore(trx);
    const user = await users.lockByEmail(scope, email, store.dialect);
    const now = clock.now();
    if (user === undefined) {
      await writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'anonymous',
        actorId: null,
        action: 'auth.login',
        outcome: 'failure',
        subjectId: null,
        details: { reason: 'unknown-email', email },
      });
      return { kind: 'unknown' as const };
    }
    const decision = decideLoginAttempt(user, now, auth);
    if (!decision.allowed) {
      await writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'staff',
        actorId: user.id,
        action: 'auth.login',
        outcome: 'denied',
        subjectId: user.id,
        details: { reason: decision.reason, retryAfterSeconds: decision.retryAfterSeconds },
      });
      return { kind: 'throttled' as const, decision };
    }
    if (user.disabledAt !== null) {
      await writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'staff',
        actorId: user.id,
        action: 'auth.login',
        outcome: 'failure',
        subjectId: user.id,
        details: { reason: 'disabled' },
      });
      return { kind: 'disabled' as const };
    }
    await users.recordLoginFailure(scope, user.id, recordFailure(user, now, auth));
    return { kind: 'check' as const, user };
  });

  switch (gate.kind) {
    case 'unknown':
    case 'disabled':
      await passwords.verifyDummy(input.password);
      throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
    case 'throttled':
      throw new AppError(
        gate.decision.reason === 'locked' ? 'ACCOUNT_LOCKED' : 'TOO_MANY_ATTEMPTS',
        gate.decision.reason === 'locked'
          ? 'This account is locked after repeated failed logins. Try again later.'
          : 'Too many failed logins. Wait before trying again.',
        { details: { retryAfterSeconds: gate.decision.retryAfterSeconds } },
      );
    case 'check':
      break;
  }
  const { user } = gate;
  const isValid = await passwords.verify(user.passwordHash, input.password);
  if (!isValid) {
    await inTransaction(store, (trx) =>
      writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'staff',
        actorId: user.id,
        action: 'auth.login',
        outcome: 'failure',
        subjectId: user.id,
        details: { reason: 'wrong-password' },
      }),
    );
    throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }

  const now = clock.now();
  const secret = newSecret();
  const sessionId = hashSecret(secret);
  const expiresAt = new Date(now.getTime() + auth.sessionAbsoluteHours * 3_600_000).toISOString();
  const active = await deps.policies.active(store.db, scope);
  const mfa: LogInResult['mfa'] =
    user.totpEnabledAt !== null
      ? 'pending'
      : isMfaRequired(user, auth.mfaRequiredRoles, active?.policy)
        ? 'enrollment-required'
        : 'not-required';
  await inTransaction(store, async (trx) => {
    await createStaffUserStore(trx).clearLoginFailures(scope, user.id);
    await createSessionStore(trx).insert(scope, {
      id: sessionId,
      userId: user.id,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt,
      mfaVerifiedAt: null,
      revokedAt: null,
      ip: origin.ip,
      userAgent: origin.userAgent,
    });
    await writeAuditEvent(audit, trx, scope, origin, {
      actorType: 'staff',
      actorId: user.id,
      action: 'auth.login',
      outcome: 'success',
      subjectId: user.id,
      details: { mfa },
    });
  });
  return {
    cookieValue: formatSessionCookie(organization.id, secret),
    sessionId,
    userId: user.id,
    organizationId: organization.id,
    expiresAt,
    mfa,
  };
}

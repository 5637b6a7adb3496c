import { z } from 'zod';
import { verifyTotp } from '../../crypto/totp.js';
import { decideLoginAttempt, recordFailure } from '../../domain/login-throttle.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { scopeOf } from '../../store/scope.js';
import { createSessionStore } from '../../store/session-store.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, Principal, RequestOrigin } from '../context.js';
import { requireStaffSession } from './require-staff-session.js';

export const TotpCodeRequest = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'must be the six digits shown by the authenticator app'),
});
export type TotpCodeRequest = z.infer<typeof TotpCodeRequest>;

/**
 * Checks a TOTP code for this session: to pass the second factor at login (`purpose: 'login'`)
 * or to confirm a new enrolment (`purpose: 'enrollment'`). Codes are single-use, and wrong codes
 * count towards the same backoff and lockout as wrong passwords.
 */
export async function verifyTotpCode(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'auth'>,
  principal: Principal,
  input: TotpCodeRequest,
  origin: RequestOrigin,
  purpose: 'login' | 'enrollment',
): Promise<void> {
  const session = requireStaffSession(principal);
  const scope = scopeOf(session.organizationId);
  const audit = { clock: deps.clock, ids: deps.ids, dialect: deps.store.dialect };
  const users = createStaffUserStore(deps.store.db);
  const user = await users.findById(scope, session.userId);
  if (user === undefined || user.totpSecret === null) {
    throw new AppError('CONFLICT', 'Start an enrolment before confirming a code.');
  }
  if (purpose === 'login' && user.totpEnabledAt === null) {
    throw new AppError('CONFLICT', 'This account has no second factor to verify yet.');
  }
  if (purpose === 'enrollment' && session.mfa === 'pending') {
    throw new AppError('MFA_REQUIRED', 'Pass your current second factor first.');
  }
  const now = deps.clock.now();
  const decision = decideLoginAttempt(user, now, deps.auth);
  if (!decision.allowed) {
    throw new AppError(
      decision.reason === 'locked' ? 'ACCOUNT_LOCKED' : 'TOO_MANY_ATTEMPTS',
      'Too many failed attempts. Wait before trying again.',
      { details: { retryAfterSeconds: decision.retryAfterSeconds } },
    );
  }
  const result = await verifyTotp(user.totpSecret, input.code, now);
  const action = purpose === 'login' ? 'auth.mfa.verify' : 'auth.mfa.enroll';
  const accepted = await inTransaction(deps.store, async (trx) => {
    const trxUsers = createStaffUserStore(trx);
    const isFresh =
      result.valid && (await trxUsers.consumeTotpStep(scope, user.id, result.timeStep));
    if (!isFresh) {
      await trxUsers.recordLoginFailure(scope, user.id, recordFailure(user, now, deps.auth));
      await writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'staff',
        actorId: user.id,
        action,
        outcome: 'failure',
        subjectId: user.id,
        details: { reason: result.valid ? 'code-reused' : 'wrong-code' },
      });
      return false;
    }
    if (purpose === 'enrollment') {
      await trxUsers.enableTotp(scope, user.id, now.toISOString(), result.timeStep);
    }
    await trxUsers.clearLoginFailures(scope, user.id);
    await createSessionStore(trx).markMfaVerified(scope, session.sessionId, now.toISOString());
    await writeAuditEvent(audit, trx, scope, origin, {
      actorType: 'staff',
      actorId: user.id,
      action,
      outcome: 'success',
      subjectId: user.id,
      details: {},
    });
    return true;
  });
  if (!accepted) {
    throw new AppError('UNAUTHENTICATED', 'The code is wrong or was already used.');
  }
}

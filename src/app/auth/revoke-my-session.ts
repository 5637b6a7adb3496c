import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { scopeOf } from '../../store/scope.js';
import { createSessionStore } from '../../store/session-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, Principal, RequestOrigin } from '../context.js';
import { requireStaffSession } from './require-staff-session.js';

/** Revokes one of the caller's own sessions (logging out is revoking the current one). */
export async function revokeMySession(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids'>,
  principal: Principal,
  sessionId: string,
  origin: RequestOrigin,
): Promise<void> {
  const session = requireStaffSession(principal);
  const scope = scopeOf(session.organizationId);
  const audit = { clock: deps.clock, ids: deps.ids, dialect: deps.store.dialect };
  const isRevoked = await inTransaction(deps.store, async (trx) => {
    const revoked = await createSessionStore(trx).revoke(
      scope,
      session.userId,
      sessionId,
      deps.clock.now().toISOString(),
    );
    if (revoked) {
      await writeAuditEvent(audit, trx, scope, origin, {
        actorType: 'staff',
        actorId: session.userId,
        action: sessionId === session.sessionId ? 'auth.logout' : 'auth.session.revoke',
        outcome: 'success',
        subjectId: session.userId,
        details: {},
      });
    }
    return revoked;
  });
  if (!isRevoked) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
}

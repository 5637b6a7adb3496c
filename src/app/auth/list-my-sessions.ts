import { createSessionStore } from '../../store/session-store.js';
import { scopeOf } from '../../store/scope.js';
import type { AppDeps, Principal } from '../context.js';
import { requireStaffSession } from './require-staff-session.js';

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string;
  userAgent: string;
  isCurrent: boolean;
}

/** ASVS 3.3.4: people see their active sessions, so they can spot and revoke a stranger's. */
export async function listMySessions(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  principal: Principal,
): Promise<SessionSummary[]> {
  const session = requireStaffSession(principal);
  const rows = await createSessionStore(deps.store.db).listActiveForUser(
    scopeOf(session.organizationId),
    session.userId,
    deps.clock.now().toISOString(),
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    ip: row.ip,
    userAgent: row.userAgent,
    isCurrent: row.id === session.sessionId,
  }));
}

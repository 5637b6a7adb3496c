/**
 * Session lifetime (OWASP ASVS 3.3.2): a session ends after `idleMinutes` without use or
 * `absoluteHours` after login, whichever comes first, and at once when revoked.
 */
export interface SessionTimes {
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type SessionState = 'live' | 'revoked' | 'expired' | 'idle';

export function sessionState(session: SessionTimes, now: Date, idleMinutes: number): SessionState {
  if (session.revokedAt !== null) {
    return 'revoked';
  }
  if (now.getTime() >= new Date(session.expiresAt).getTime()) {
    return 'expired';
  }
  if (now.getTime() - new Date(session.lastSeenAt).getTime() >= idleMinutes * 60_000) {
    return 'idle';
  }
  return 'live';
}

/**
 * Recording every request's time would turn each read into a write; a minute's resolution on the
 * idle clock is plenty for a 30-minute idle limit.
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export function isTouchDue(lastSeenAt: string, now: Date): boolean {
  return now.getTime() - new Date(lastSeenAt).getTime() >= LAST_SEEN_RESOLUTION_MS;
}

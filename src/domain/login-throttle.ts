/**
 * Backoff and lockout after failed logins (OWASP ASVS 2.2.1): after `backoffAfterFailures`
 * failures each further attempt must wait, doubling from one second up to a minute; at
 * `lockoutThreshold` failures the account locks for `lockoutMinutes`. Failures older than the
 * window are forgotten, so a user who mistypes once a day is never locked out.
 */
export interface LoginThrottleSettings {
  backoffAfterFailures: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
}

export interface LoginFailureState {
  failedLoginCount: number;
  lastFailedLoginAt: string | null;
  lockedUntil: string | null;
}

export type ThrottleDecision =
  { allowed: true } | { allowed: false; reason: 'locked' | 'backoff'; retryAfterSeconds: number };

const MAX_BACKOFF_SECONDS = 60;

function currentFailures(
  state: LoginFailureState,
  now: Date,
  settings: LoginThrottleSettings,
): number {
  if (state.lastFailedLoginAt === null) {
    return 0;
  }
  const windowMs = settings.lockoutMinutes * 60_000;
  return now.getTime() - new Date(state.lastFailedLoginAt).getTime() > windowMs
    ? 0
    : state.failedLoginCount;
}

export function decideLoginAttempt(
  state: LoginFailureState,
  now: Date,
  settings: LoginThrottleSettings,
): ThrottleDecision {
  if (state.lockedUntil !== null) {
    const remainingMs = new Date(state.lockedUntil).getTime() - now.getTime();
    if (remainingMs > 0) {
      return { allowed: false, reason: 'locked', retryAfterSeconds: Math.ceil(remainingMs / 1000) };
    }
  }
  const failures = currentFailures(state, now, settings);
  if (failures >= settings.backoffAfterFailures && state.lastFailedLoginAt !== null) {
    const waitSeconds = Math.min(
      2 ** (failures - settings.backoffAfterFailures),
      MAX_BACKOFF_SECONDS,
    );
    const readyAt = new Date(state.lastFailedLoginAt).getTime() + waitSeconds * 1000;
    if (readyAt > now.getTime()) {
      return {
        allowed: false,
        reason: 'backoff',
        retryAfterSeconds: Math.ceil((readyAt - now.getTime()) / 1000),
      };
    }
  }
  return { allowed: true };
}

/** The state after one more failed attempt at `now`. */
export function recordFailure(
  state: LoginFailureState,
  now: Date,
  settings: LoginThrottleSettings,
): { failedLoginCount: number; lastFailedLoginAt: string; lockedUntil: string | null } {
  const failedLoginCount = currentFailures(state, now, settings) + 1;
  const lockedUntil =
    failedLoginCount >= settings.lockoutThreshold
      ? new Date(now.getTime() + settings.lockoutMinutes * 60_000).toISOString()
      : null;
  return { failedLoginCount, lastFailedLoginAt: now.toISOString(), lockedUntil };
}

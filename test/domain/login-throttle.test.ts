import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideLoginAttempt,
  recordFailure,
  type LoginFailureState,
} from '../../src/domain/login-throttle.js';
import { isMfaRequired } from '../../src/domain/staff-permissions.js';
import { isTouchDue, sessionState } from '../../src/domain/session-expiry.js';

const settings = { backoffAfterFailures: 3, lockoutThreshold: 10, lockoutMinutes: 15 };
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const clean: LoginFailureState = {
  failedLoginCount: 0,
  lastFailedLoginAt: null,
  lockedUntil: null,
};

describe('login throttle', () => {
  it.each([
    { failures: 0, waited: 0, allowed: true },
    { failures: 2, waited: 0, allowed: true },
    { failures: 3, waited: 0, allowed: false, retry: 1 },
    { failures: 3, waited: 1, allowed: true },
    { failures: 4, waited: 1, allowed: false, retry: 1 },
    { failures: 5, waited: 3, allowed: false, retry: 1 },
    { failures: 9, waited: 59, allowed: false, retry: 1 },
    { failures: 9, waited: 60, allowed: true },
    { failures: 9, waited: 15 * 60 + 1, allowed: true },
  ])(
    'after $failures failures and $waited s: allowed=$allowed',
    ({ failures, waited, allowed, retry }) => {
      const state = {
        failedLoginCount: failures,
        lastFailedLoginAt: T0.toISOString(),
        lockedUntil: null,
      };
      const decision = decideLoginAttempt(state, at(waited), settings);
      expect(decision.allowed).toBe(allowed);
      if (!decision.allowed && retry !== undefined) {
        expect(decision.retryAfterSeconds).toBe(retry);
      }
    },
  );

  it('locks at the threshold for the configured minutes', () => {
    let state: LoginFailureState = clean;
    for (let failure = 0; failure < 10; failure += 1) {
      state = recordFailure(state, at(failure * 100), settings);
    }
    expect(state.lockedUntil).toBe(at(900 + 15 * 60).toISOString());
    expect(decideLoginAttempt(state, at(900 + 15 * 60 - 1), settings)).toMatchObject({
      allowed: false,
      reason: 'locked',
      retryAfterSeconds: 1,
    });
  });

  it('forgets failures older than the window', () => {
    const old = recordFailure(
      { failedLoginCount: 8, lastFailedLoginAt: T0.toISOString(), lockedUntil: null },
      at(16 * 60),
      settings,
    );
    expect(old.failedLoginCount).toBe(1);
  });

  it('never allows an attempt while the account is locked (property)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 50 }),
        fc.integer({ min: 1, max: 15 * 60 }),
        fc.integer({ min: 0, max: 15 * 60 - 1 }),
        (count, lockSeconds, elapsed) => {
          const state = {
            failedLoginCount: count,
            lastFailedLoginAt: T0.toISOString(),
            lockedUntil: at(lockSeconds).toISOString(),
          };
          const decision = decideLoginAttempt(
            state,
            at(Math.min(elapsed, lockSeconds - 1)),
            settings,
          );
          return !decision.allowed && decision.reason === 'locked';
        },
      ),
    );
  });

  it('waits no more than a minute between attempts before the lock (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 9 }), (count) => {
        const state = {
          failedLoginCount: count,
          lastFailedLoginAt: T0.toISOString(),
          lockedUntil: null,
        };
        return decideLoginAttempt(state, at(60), settings).allowed;
      }),
    );
  });
});

describe('session expiry', () => {
  const session = {
    createdAt: T0.toISOString(),
    lastSeenAt: T0.toISOString(),
    expiresAt: at(12 * 3600).toISOString(),
    revokedAt: null,
  };
  it.each([
    { seconds: 0, state: 'live' },
    { seconds: 30 * 60 - 1, state: 'live' },
    { seconds: 30 * 60, state: 'idle' },
    { seconds: 12 * 3600, state: 'expired' },
  ])('is $state after $seconds s without use', ({ seconds, state }) => {
    expect(sessionState(session, at(seconds), 30)).toBe(state);
  });
  it('is revoked once revoked, whatever the time', () => {
    expect(sessionState({ ...session, revokedAt: T0.toISOString() }, T0, 30)).toBe('revoked');
  });
  it('records use at most once a minute', () => {
    expect(isTouchDue(T0.toISOString(), at(59))).toBe(false);
    expect(isTouchDue(T0.toISOString(), at(60))).toBe(true);
  });
});

describe('MFA requirement', () => {
  it.each([
    { role: 'nurse', flagged: false, roles: ['nurse'], required: true },
    { role: 'clerk', flagged: true, roles: ['nurse'], required: true },
    { role: 'clerk', flagged: false, roles: ['nurse'], required: false },
  ])('$role flagged=$flagged → $required', ({ role, flagged, roles, required }) => {
    expect(isMfaRequired({ role, mfaRequired: flagged }, roles)).toBe(required);
  });
});

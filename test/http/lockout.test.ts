import { beforeAll, expect, it } from 'vitest';
import { createAuditStore } from '../../src/store/audit-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';

const SECOND = 1000;

describeEachDialect('failed logins: backoff, lockout and the login record', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  beforeAll(async () => {
    app = await createTestApp(store(), {
      CUSTODIA_AUTH_BACKOFF_AFTER_FAILURES: '3',
      CUSTODIA_AUTH_LOCKOUT_THRESHOLD: '5',
      CUSTODIA_AUTH_LOCKOUT_MINUTES: '15',
    });
    organization = await newOrganization(app);
  });

  const attempt = (password: string, ip = '203.0.113.7') =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: ip,
      headers: { 'user-agent': 'LockoutTest/1.0' },
      payload: { organization: organization.slug, email: organization.adminEmail, password },
    });

  it('makes each attempt wait after three failures, then locks the account after five', async () => {
    for (let failure = 1; failure <= 3; failure += 1) {
      expect((await attempt('wrong password')).statusCode).toBe(401);
    }
    const tooSoon = await attempt('wrong password');
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.headers['retry-after']).toBe('1');

    app.clock.advance(1 * SECOND);
    expect((await attempt('wrong password')).statusCode).toBe(401); // fourth failure
    app.clock.advance(2 * SECOND);
    expect((await attempt('wrong password')).statusCode).toBe(401); // fifth: locks

    const locked = await attempt(organization.adminPassword);
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ error: { code: 'ACCOUNT_LOCKED' } });
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);

    app.clock.advance(14 * 60 * SECOND);
    expect((await attempt(organization.adminPassword)).statusCode).toBe(423);
    app.clock.advance(60 * SECOND);
    expect((await attempt(organization.adminPassword)).statusCode).toBe(200);
    // A success wipes the slate: the next mistake is a plain 401, not a wait.
    expect((await attempt('wrong password')).statusCode).toBe(401);
    expect((await attempt(organization.adminPassword)).statusCode).toBe(200);
  });

  it('kajuyali §4.3: every login attempt is recorded with user, IP, user agent and time', async () => {
    const events = await createAuditStore(store().db, store().dialect).list(
      scopeOf(organization.organizationId),
      { action: 'auth.login' },
    );
    expect(events.map((event) => event.outcome)).toEqual([
      'failure',
      'failure',
      'failure',
      'denied',
      'failure',
      'failure',
      'denied',
      'denied',
      'success',
      'failure',
      'success',
    ]);
    for (const event of events) {
      expect(event.actorId).toBe(organization.adminUserId);
      expect(event.ip).toBe('203.0.113.7');
      expect(event.userAgent).toBe('LockoutTest/1.0');
      expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(event.requestId).not.toBeNull();
    }
    expect(events[3]?.details).toMatchObject({ reason: 'backoff' });
    expect(events[6]?.details).toMatchObject({ reason: 'locked' });
  });

  it('records attempts on unknown e-mail addresses too, and answers them exactly like a wrong password', async () => {
    const unknown = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.9',
      payload: { organization: organization.slug, email: 'nobody@x.example', password: 'whatever' },
    });
    const wrong = await attempt('wrong again');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json<{ error: { message: string } }>().error.message).toBe(
      wrong.json<{ error: { message: string } }>().error.message,
    );
    const events = await createAuditStore(store().db, store().dialect).list(
      scopeOf(organization.organizationId),
      { action: 'auth.login' },
    );
    expect(
      events.some(
        (event) => event.ip === '198.51.100.9' && event.details.email === 'nobody@x.example',
      ),
    ).toBe(true);
  });

  it('counts a burst of concurrent guesses one by one: only the first three are even checked', async () => {
    const target = await newOrganization(app);
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: {
            organization: target.slug,
            email: target.adminEmail,
            password: `guess ${index}`,
          },
        }),
      ),
    );
    const statuses = guesses.map((response) => response.statusCode).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
  });
});

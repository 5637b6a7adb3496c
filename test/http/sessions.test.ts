import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import {
  createTestApp,
  logIn,
  logInAdmin,
  newOrganization,
  sessionCookieOf,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';

const MINUTE = 60_000;

describeEachDialect('staff sessions', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
  });

  const me = (cookie: string) =>
    app.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });

  it('sets an HttpOnly, Secure, SameSite=Strict session cookie that expires with the session', async () => {
    const response = await logIn(app, {
      slug: organization.slug,
      email: organization.adminEmail,
      password: organization.adminPassword,
    });
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Strict/);
    const body = response.json<{ expiresAt: string }>();
    expect(new Date(body.expiresAt).getTime() - app.clock.now().getTime()).toBe(12 * 60 * MINUTE);
    expect((await me(sessionCookieOf(response))).statusCode).toBe(200);
  });

  it('answers 401 to a forged session cookie, well-formed or not', async () => {
    const forged = `custodia_session=${organization.organizationId}.${randomBytes(32).toString('base64url')}`;
    for (const cookie of [forged, 'custodia_session=garbage', 'custodia_session=']) {
      const response = await me(cookie);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('ends a session after 30 idle minutes (ASVS 3.3.2)', async () => {
    const cookie = await logInAdmin(app, organization);
    app.clock.advance(29 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(200);
    app.clock.advance(29 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(200);
    app.clock.advance(31 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('ends a session 12 hours after login however active it is (ASVS 3.3.2)', async () => {
    const cookie = await logInAdmin(app, organization);
    for (let hour = 0; hour < 12 * 3 - 1; hour += 1) {
      app.clock.advance(20 * MINUTE);
      expect((await me(cookie)).statusCode).toBe(200);
    }
    app.clock.advance(20 * MINUTE);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('logs out: the cookie stops working at once', async () => {
    const cookie = await logInAdmin(app, organization);
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(204);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('lists a person’s sessions and lets them revoke another one (ASVS 3.3.4)', async () => {
    const laptop = await logInAdmin(app, organization);
    const phone = await logInAdmin(app, organization);
    const listed = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: { cookie: laptop },
    });
    const sessions = listed.json<{ sessions: { id: string; isCurrent: boolean }[] }>().sessions;
    expect(sessions.filter((session) => session.isCurrent)).toHaveLength(1);
    const other = sessions.filter((session) => !session.isCurrent);
    expect(other.length).toBeGreaterThanOrEqual(1);
    for (const session of other) {
      const revoked = await app.server.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${session.id}`,
        headers: { cookie: laptop },
      });
      expect(revoked.statusCode).toBe(204);
    }
    expect((await me(phone)).statusCode).toBe(401);
    expect((await me(laptop)).statusCode).toBe(200);
  });

  it('does not let one user revoke another user’s session', async () => {
    const adminCookie = await logInAdmin(app, organization);
    await app.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${organization.organizationId}/staff-users`,
      headers: { cookie: adminCookie },
      payload: {
        email: 'other@x.example',
        displayName: 'Other',
        role: 'viewer',
        password: 'another long password',
      },
    });
    const otherCookie = sessionCookieOf(
      await logIn(app, {
        slug: organization.slug,
        email: 'other@x.example',
        password: 'another long password',
      }),
    );
    const adminSessions = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: { cookie: adminCookie },
    });
    const adminSessionId =
      adminSessions.json<{ sessions: { id: string }[] }>().sessions[0]?.id ?? '';
    const attempt = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${adminSessionId}`,
      headers: { cookie: otherCookie },
    });
    expect(attempt.statusCode).toBe(404);
    expect((await me(adminCookie)).statusCode).toBe(200);
  });
});

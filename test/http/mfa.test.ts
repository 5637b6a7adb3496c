import { generate } from 'otplib';
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
import { inTenant } from '../../src/store/tenant.js';
import { scopeOf } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';

const STEP = 30_000;

describeEachDialect('TOTP second factor', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  beforeAll(async () => {
    app = await createTestApp(store(), { CUSTODIA_AUTH_MFA_REQUIRED_ROLES: 'nurse' });
    organization = await newOrganization(app);
  });

  const codeFor = (secret: string) =>
    generate({ secret, epoch: Math.floor(app.clock.now().getTime() / 1000) });
  const staffUsers = () => `/api/v1/organizations/${organization.organizationId}/staff-users`;
  const post = (url: string, cookie: string, payload?: object) =>
    app.server.inject({
      method: 'POST',
      url,
      headers: { cookie },
      ...(payload ? { payload } : {}),
    });

  async function enroll(cookie: string): Promise<string> {
    const started = await post('/api/v1/auth/mfa/enrollment', cookie);
    expect(started.statusCode).toBe(200);
    const { secret, otpauthUri } = started.json<{ secret: string; otpauthUri: string }>();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const confirmed = await post('/api/v1/auth/mfa/enrollment/confirm', cookie, {
      code: await codeFor(secret),
    });
    expect(confirmed.statusCode).toBe(204);
    return secret;
  }

  it('enrols, then requires the code at every later login before anything else', async () => {
    const secret = await enroll(await logInAdmin(app, organization));
    const login = await logIn(app, {
      slug: organization.slug,
      email: organization.adminEmail,
      password: organization.adminPassword,
    });
    expect(login.json()).toMatchObject({ mfa: 'pending' });
    const cookie = sessionCookieOf(login);
    const blocked = await app.server.inject({
      method: 'GET',
      url: staffUsers(),
      headers: { cookie },
    });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ error: { code: 'MFA_REQUIRED' } });

    app.clock.advance(STEP);
    expect(
      (await post('/api/v1/auth/mfa/verify', cookie, { code: await codeFor(secret) })).statusCode,
    ).toBe(204);
    const allowed = await app.server.inject({
      method: 'GET',
      url: staffUsers(),
      headers: { cookie },
    });
    expect(allowed.statusCode).toBe(200);
  });

  it('accepts each code once only, even in another session (ASVS 2.8.4 replay)', async () => {
    const first = sessionCookieOf(
      await logIn(app, {
        slug: organization.slug,
        email: organization.adminEmail,
        password: organization.adminPassword,
      }),
    );
    const second = sessionCookieOf(
      await logIn(app, {
        slug: organization.slug,
        email: organization.adminEmail,
        password: organization.adminPassword,
      }),
    );
    app.clock.advance(STEP);
    const users = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: first },
    });
    expect(users.json()).toMatchObject({ mfa: 'pending' });
    // Read the secret the way an authenticator would have it: from the enrolment above.
    const secretRow = await inTenant(store().db, scopeOf(organization.organizationId))
      .selectFrom('staff_users')
      .select('totp_secret')
      .where('email', '=', organization.adminEmail)
      .executeTakeFirstOrThrow();
    const code = await codeFor(secretRow.totp_secret ?? '');
    expect((await post('/api/v1/auth/mfa/verify', first, { code })).statusCode).toBe(204);
    const replay = await post('/api/v1/auth/mfa/verify', second, { code });
    expect(replay.statusCode).toBe(401);
    const stillBlocked = await app.server.inject({
      method: 'GET',
      url: staffUsers(),
      headers: { cookie: second },
    });
    expect(stillBlocked.statusCode).toBe(403);
  });

  it('refuses wrong and malformed codes', async () => {
    const cookie = sessionCookieOf(
      await logIn(app, {
        slug: organization.slug,
        email: organization.adminEmail,
        password: organization.adminPassword,
      }),
    );
    expect((await post('/api/v1/auth/mfa/verify', cookie, { code: '000000' })).statusCode).toBe(
      401,
    );
    const malformed = await post('/api/v1/auth/mfa/verify', cookie, { code: '12ab' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { issues: [{ path: 'body.code' }] } });
  });

  it('makes a role that must use MFA enrol before it may do anything', async () => {
    app.clock.advance(10 * 60_000);
    const adminCookie = await (async () => {
      const login = await logIn(app, {
        slug: organization.slug,
        email: organization.adminEmail,
        password: organization.adminPassword,
      });
      const cookie = sessionCookieOf(login);
      const row = await inTenant(store().db, scopeOf(organization.organizationId))
        .selectFrom('staff_users')
        .select('totp_secret')
        .where('email', '=', organization.adminEmail)
        .executeTakeFirstOrThrow();
      await post('/api/v1/auth/mfa/verify', cookie, { code: await codeFor(row.totp_secret ?? '') });
      return cookie;
    })();
    const created = await post(staffUsers(), adminCookie, {
      email: 'nurse@x.example',
      displayName: 'Nurse',
      role: 'nurse',
      password: 'nurse password 1234',
    });
    expect(created.statusCode).toBe(201);
    const login = await logIn(app, {
      slug: organization.slug,
      email: 'nurse@x.example',
      password: 'nurse password 1234',
    });
    expect(login.json()).toMatchObject({ mfa: 'enrollment-required' });
    const cookie = sessionCookieOf(login);
    const me = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie },
    });
    expect(me.json()).toMatchObject({ mfa: 'enrollment-required' });
    const nurseId = me.json<{ userId: string }>().userId;
    const own = () =>
      app.server.inject({ method: 'GET', url: `${staffUsers()}/${nurseId}`, headers: { cookie } });
    expect((await own()).statusCode).toBe(403);
    app.clock.advance(STEP);
    await enroll(cookie);
    expect((await own()).statusCode).toBe(200);
  });
});

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

const DAY = 86_400_000;

describeEachDialect('organisations apart, roles enforced, API tokens scoped', ({ store }) => {
  let app: TestApp;
  let alpha: TestOrganization;
  let beta: TestOrganization;
  let alphaCookie: string;
  let alphaToken: string;
  let alphaTokenId: string;
  beforeAll(async () => {
    app = await createTestApp(store());
    alpha = await newOrganization(app);
    beta = await newOrganization(app);
    alphaCookie = await logInAdmin(app, alpha);
    const created = await app.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${alpha.organizationId}/api-tokens`,
      headers: { cookie: alphaCookie },
      payload: { name: 'CRM sync', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ token: string; apiToken: { id: string } }>();
    alphaToken = body.token;
    alphaTokenId = body.apiToken.id;
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const staffUsers = (organizationId: string) =>
    `/api/v1/organizations/${organizationId}/staff-users`;

  it('lets an API token act in its own organisation', async () => {
    const response = await app.server.inject({
      method: 'GET',
      url: staffUsers(alpha.organizationId),
      headers: bearer(alphaToken),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ users: { email: string }[] }>().users.map((user) => user.email)).toEqual(
      [alpha.adminEmail],
    );
  });

  it('answers an API token of organisation A acting on organisation B with 404, exactly like an unknown id', async () => {
    const foreign = await app.server.inject({
      method: 'GET',
      url: staffUsers(beta.organizationId),
      headers: bearer(alphaToken),
    });
    const unknown = await app.server.inject({
      method: 'GET',
      url: staffUsers('00000000-0000-4000-8000-000000000000'),
      headers: bearer(alphaToken),
    });
    expect(foreign.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const strip = (body: string) => {
      const parsed = JSON.parse(body) as { error: Record<string, unknown> };
      return { ...parsed.error, requestId: '' };
    };
    expect(strip(foreign.body)).toEqual(strip(unknown.body));
  });

  it('answers a session of organisation A reaching for B’s staff, one user or a write, with 404', async () => {
    const requests = [
      { method: 'GET' as const, url: staffUsers(beta.organizationId) },
      { method: 'GET' as const, url: `${staffUsers(beta.organizationId)}/${beta.adminUserId}` },
      {
        method: 'POST' as const,
        url: staffUsers(beta.organizationId),
        payload: { email: 'mole@x.example', displayName: 'Mole', role: 'administrator' },
      },
      { method: 'GET' as const, url: `/api/v1/organizations/${beta.organizationId}/api-tokens` },
    ];
    for (const request of requests) {
      const response = await app.server.inject({ ...request, headers: { cookie: alphaCookie } });
      expect(response.statusCode).toBe(404);
    }
    const betaCookie = await logInAdmin(app, beta);
    const betaStaff = await app.server.inject({
      method: 'GET',
      url: staffUsers(beta.organizationId),
      headers: { cookie: betaCookie },
    });
    expect(betaStaff.json<{ users: unknown[] }>().users).toHaveLength(1);
  });

  it('cannot be fooled by a token that names another organisation in its prefix', async () => {
    const swapped = alphaToken.replace(alpha.organizationId, beta.organizationId);
    const response = await app.server.inject({
      method: 'GET',
      url: staffUsers(beta.organizationId),
      headers: bearer(swapped),
    });
    expect(response.statusCode).toBe(401);
  });

  it('refuses forged, malformed, revoked and expired API tokens with 401', async () => {
    const forged = `cst.${alpha.organizationId}.${alphaTokenId}.${randomBytes(32).toString('base64url')}`;
    for (const token of [forged, 'cst.garbage', 'not-a-token']) {
      const response = await app.server.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(token),
      });
      expect(response.statusCode).toBe(401);
    }
    const malformedHeader = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Basic abc' },
    });
    expect(malformedHeader.statusCode).toBe(401);

    const shortLived = await app.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${alpha.organizationId}/api-tokens`,
      headers: { cookie: alphaCookie },
      payload: { name: 'one day', expiresInDays: 1 },
    });
    const shortToken = shortLived.json<{ token: string }>().token;
    expect(
      (
        await app.server.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: bearer(shortToken),
        })
      ).statusCode,
    ).toBe(200);
    app.clock.advance(DAY);
    expect(
      (
        await app.server.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: bearer(shortToken),
        })
      ).statusCode,
    ).toBe(401);

    const revoked = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/organizations/${alpha.organizationId}/api-tokens/${alphaTokenId}`,
      headers: { cookie: await logInAdmin(app, alpha) },
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (
        await app.server.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: bearer(alphaToken),
        })
      ).statusCode,
    ).toBe(401);
  });

  it('never lists or returns a token secret after creation', async () => {
    const listed = await app.server.inject({
      method: 'GET',
      url: `/api/v1/organizations/${alpha.organizationId}/api-tokens`,
      headers: { cookie: await logInAdmin(app, alpha) },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(alphaToken.split('.').at(-1));
    expect(listed.body).not.toContain('secret');
  });

  it('stops a non-administrator from creating users or tokens, including an administrator (role escalation)', async () => {
    const cookie = await logInAdmin(app, alpha);
    await app.server.inject({
      method: 'POST',
      url: staffUsers(alpha.organizationId),
      headers: { cookie },
      payload: {
        email: 'clerk@x.example',
        displayName: 'Clerk',
        role: 'clerk',
        password: 'clerk password 123',
      },
    });
    const clerk = sessionCookieOf(
      await logIn(app, {
        slug: alpha.slug,
        email: 'clerk@x.example',
        password: 'clerk password 123',
      }),
    );
    const escalate = await app.server.inject({
      method: 'POST',
      url: staffUsers(alpha.organizationId),
      headers: { cookie: clerk },
      payload: {
        email: 'boss@x.example',
        displayName: 'Boss',
        role: 'administrator',
        password: 'boss password 1234',
      },
    });
    expect(escalate.statusCode).toBe(403);
    const token = await app.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${alpha.organizationId}/api-tokens`,
      headers: { cookie: clerk },
      payload: { name: 'sneaky' },
    });
    expect(token.statusCode).toBe(403);
    expect(
      (
        await app.server.inject({
          method: 'GET',
          url: staffUsers(alpha.organizationId),
          headers: { cookie: clerk },
        })
      ).statusCode,
    ).toBe(403);
    const me = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: clerk },
    });
    const clerkId = me.json<{ userId: string }>().userId;
    const own = await app.server.inject({
      method: 'GET',
      url: `${staffUsers(alpha.organizationId)}/${clerkId}`,
      headers: { cookie: clerk },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ role: 'clerk', email: 'clerk@x.example' });
    expect(own.body).not.toContain('password');
  });

  it('refuses a second account with the same e-mail address in one organisation with 409', async () => {
    const cookie = await logInAdmin(app, alpha);
    const again = await app.server.inject({
      method: 'POST',
      url: staffUsers(alpha.organizationId),
      headers: { cookie },
      payload: { email: alpha.adminEmail.toUpperCase(), displayName: 'Dup', role: 'clerk' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { issues: [{ path: 'email' }] } });
  });

  it('generates a strong password when none is given and shows it once', async () => {
    const cookie = await logInAdmin(app, alpha);
    const created = await app.server.inject({
      method: 'POST',
      url: staffUsers(alpha.organizationId),
      headers: { cookie },
      payload: { email: 'generated@x.example', displayName: 'Gen', role: 'clerk' },
    });
    const password = created.json<{ generatedPassword: string }>().generatedPassword;
    expect(password.length).toBeGreaterThanOrEqual(40);
    expect(
      (await logIn(app, { slug: alpha.slug, email: 'generated@x.example', password })).statusCode,
    ).toBe(200);
  });
});

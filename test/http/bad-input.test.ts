import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';

describeEachDialect('bad input never gives a 500', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let cookie: string;
  beforeAll(async () => {
    app = await createTestApp(store(), { CUSTODIA_HTTP_BODY_LIMIT_BYTES: '4096' });
    organization = await newOrganization(app);
    cookie = await logInAdmin(app, organization);
  });

  const staffUsersUrl = () => `/api/v1/organizations/${organization.organizationId}/staff-users`;

  it('answers malformed JSON with 400 naming the body', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"organization": "x",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', issues: [{ path: 'body' }] },
    });
  });

  it('answers an oversized body with 413 before parsing it', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: staffUsersUrl(),
      headers: { 'content-type': 'application/json', cookie },
      payload: JSON.stringify({
        email: 'a@b.example',
        displayName: 'x'.repeat(10_000),
        role: 'viewer',
      }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('names each unknown field', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: staffUsersUrl(),
      headers: { cookie },
      payload: { email: 'a@b.example', displayName: 'A', role: 'viewer', isAdmin: true, extra: 1 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { issues: unknown[] } }>().error.issues).toEqual(
      expect.arrayContaining([
        { path: 'body.isAdmin', message: 'unknown field' },
        { path: 'body.extra', message: 'unknown field' },
      ]),
    );
  });

  it('names each mistyped field with the reason', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: staffUsersUrl(),
      headers: { cookie },
      payload: { email: 'not-an-email', displayName: 42, role: 'Has Spaces', mfaRequired: 'yes' },
    });
    expect(response.statusCode).toBe(400);
    const paths = response
      .json<{ error: { issues: { path: string; message: string }[] } }>()
      .error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.email', 'body.displayName', 'body.role', 'body.mfaRequired']),
    );
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'organization=x',
    });
    expect(response.statusCode).toBe(415);
  });

  it('answers a malformed id in the path with 400 naming the parameter', async () => {
    const response = await app.server.inject({
      method: 'GET',
      url: `/api/v1/organizations/${encodeURIComponent("x' OR 1=1 --")}/staff-users`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { issues: [{ path: 'params.organizationId' }] },
    });
  });

  it('treats SQL and HTML in credentials as plain wrong credentials', async () => {
    for (const hostile of [
      "' OR '1'='1",
      '"; DROP TABLE staff_users; --',
      '<script>alert(1)</script>',
    ]) {
      const response = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { organization: hostile, email: 'admin@x.example', password: hostile },
      });
      expect(response.statusCode).toBe(401);
    }
    const stillThere = await app.server.inject({
      method: 'GET',
      url: staffUsersUrl(),
      headers: { cookie },
    });
    expect(stillThere.statusCode).toBe(200);
  });

  it('stores HTML in a display name verbatim and returns it as JSON, never as markup', async () => {
    const displayName = '<img src=x onerror=alert(1)>';
    const created = await app.server.inject({
      method: 'POST',
      url: staffUsersUrl(),
      headers: { cookie },
      payload: {
        email: 'html@b.example',
        displayName,
        role: 'viewer',
        password: 'a long enough password',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toContain('application/json');
    expect(created.json<{ user: { displayName: string } }>().user.displayName).toBe(displayName);
  });

  it('answers any JSON body to the write routes with a 4xx, never a 5xx (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.constantFrom('/api/v1/auth/login', 'staff'),
        async (body, target) => {
          const response = await app.server.inject({
            method: 'POST',
            url: target === 'staff' ? staffUsersUrl() : target,
            headers: { cookie, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { logIn, sessionCookieOf, type TestApp, type TestOrganization } from './app.js';

/** The example policies the seeds were written into (examples/policies/<name>.yaml). */
export type ExamplePolicy =
  'kajuyali' | 'kindergarten-platform' | 'kexara' | 'career-masterclass' | 'careerexplorer';

export function examplePolicySource(name: ExamplePolicy): string {
  return readFileSync(new URL(`../../examples/policies/${name}.yaml`, import.meta.url), 'utf8');
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A staff member's session: requests carry its cookie (and a declared purpose, if given). */
export interface StaffSession {
  userId: string;
  email: string;
  role: string;
  cookie: string;
  request: (
    method: Method,
    url: string,
    options?: { payload?: object; purpose?: string },
  ) => Promise<LightMyRequestResponse>;
}

export function sessionFor(
  app: TestApp,
  user: { userId: string; email: string; role: string; cookie: string },
): StaffSession {
  return {
    ...user,
    request: (method, url, options = {}) =>
      app.server.inject({
        method,
        url,
        headers: {
          cookie: user.cookie,
          ...(options.purpose === undefined ? {} : { 'x-custodia-purpose': options.purpose }),
        },
        ...(options.payload === undefined ? {} : { payload: options.payload }),
      }),
  };
}

/**
 * Enrols TOTP on a session that must have it (a role marked `mfa_required`), the way an
 * authenticator app would: the confirmation marks the session's second factor as passed.
 */
export async function enrollTotp(app: TestApp, cookie: string): Promise<void> {
  const started = await app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/enrollment',
    headers: { cookie },
  });
  expect(started.statusCode, started.body).toBe(200);
  const { secret } = started.json<{ secret: string }>();
  const code = await generate({ secret, epoch: Math.floor(app.clock.now().getTime() / 1000) });
  const confirmed = await app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/enrollment/confirm',
    headers: { cookie },
    payload: { code },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(204);
}

/** The organisation's base URL in the API. */
export function organizationUrl(organization: { organizationId: string }): string {
  return `/api/v1/organizations/${organization.organizationId}`;
}

/**
 * Uploads an example policy and activates it, giving the administrator `adminRole` (one the policy
 * declares) in the same step. Every role of the example policies requires MFA, so the
 * administrator's session then enrols TOTP before it can do anything else.
 */
export async function activateExamplePolicy(
  app: TestApp,
  organization: TestOrganization,
  adminCookie: string,
  name: ExamplePolicy,
  adminRole: string,
): Promise<{ versionId: string; admin: StaffSession }> {
  const uploaded = await app.server.inject({
    method: 'POST',
    url: `${organizationUrl(organization)}/policy-versions`,
    headers: { cookie: adminCookie },
    payload: { source: examplePolicySource(name), fileName: `${name}.yaml` },
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const versionId = uploaded.json<{ id: string }>().id;
  const activated = await app.server.inject({
    method: 'POST',
    url: `${organizationUrl(organization)}/policy-versions/${versionId}/activate`,
    headers: { cookie: adminCookie },
    payload: { assignRoles: { [organization.adminUserId]: adminRole } },
  });
  expect(activated.statusCode, activated.body).toBe(200);
  await enrollTotp(app, adminCookie);
  return {
    versionId,
    admin: sessionFor(app, {
      userId: organization.adminUserId,
      email: organization.adminEmail,
      role: adminRole,
      cookie: adminCookie,
    }),
  };
}

/**
 * A new staff account in a policy role, created over the API by `manager` (who must hold
 * manage-users), logged in and past its second factor when the role requires one.
 */
export async function newStaffSession(
  app: TestApp,
  organization: TestOrganization,
  manager: StaffSession,
  role: string,
): Promise<StaffSession> {
  const email = `${role}-${randomBytes(4).toString('hex')}@${organization.slug}.example`;
  const password = 'a long enough staff password';
  const created = await manager.request('POST', `${organizationUrl(organization)}/staff-users`, {
    payload: { email, displayName: `Staff ${role}`, role, password },
  });
  expect(created.statusCode, created.body).toBe(201);
  const userId = created.json<{ user: { id: string } }>().user.id;
  const login = await logIn(app, { slug: organization.slug, email, password });
  expect(login.statusCode, login.body).toBe(200);
  const cookie = sessionCookieOf(login);
  if (login.json<{ mfa: string }>().mfa === 'enrollment-required') {
    await enrollTotp(app, cookie);
  }
  return sessionFor(app, { userId, email, role, cookie });
}

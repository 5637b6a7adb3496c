import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppDeps } from '../../src/app/context.js';
import { initializeOrganization } from '../../src/app/organizations/initialize-organization.js';
import { createManualClock, randomIds, type ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { randomBytes } from 'node:crypto';
import { createLocalMasterKeyProvider } from '../../src/crypto/master-key.js';
import { argon2Passwords } from '../../src/crypto/passwords.js';
import { createPolicyRegistry } from '../../src/app/policy/policy-registry.js';
import { createServer } from '../../src/http/create-server.js';
import { createMailer } from '../../src/mail/mailer.js';
import type { Store } from '../../src/store/db.js';

export const START = '2026-03-02T09:00:00.000Z';

export interface TestApp {
  deps: AppDeps;
  clock: ManualClock;
  config: Readonly<Config>;
  server: FastifyInstance;
}

/**
 * The real server over a real store, with a clock that only moves when the test says so.
 *
 * Email is off (every send answers EMAIL_UNAVAILABLE) unless `env` sets `CUSTODIA_MAIL_SMTP_URL`,
 * e.g. to the `url` of `startSmtpServer()` (test/support/smtp.ts): then it goes over real SMTP, as
 * in production. Such a test closes `app.deps.mailer` before stopping its SMTP server.
 */
export async function createTestApp(
  store: Store,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const config = loadConfig({
    env: { CUSTODIA_AUTH_RATE_LIMIT_PER_MINUTE: '10000', ...env },
  });
  const clock = createManualClock(START);
  const deps: AppDeps = {
    store,
    clock,
    ids: randomIds,
    passwords: argon2Passwords,
    masterKeys: createLocalMasterKeyProvider([{ id: 'test', key: randomBytes(32) }]),
    policies: createPolicyRegistry(),
    auth: config.auth,
    publicBaseUrl: config.mail.publicBaseUrl,
    mailer: createMailer(config.mail),
  };
  const server = await createServer({ app: deps, http: config.http });
  return { deps, clock, config, server };
}

let organizationCounter = 0;

export interface TestOrganization {
  organizationId: string;
  slug: string;
  adminUserId: string;
  adminEmail: string;
  adminPassword: string;
}

/** A new organisation with its administrator (factory: returns what it created). */
export async function newOrganization(
  app: TestApp,
  overrides: { slug?: string; name?: string } = {},
): Promise<TestOrganization> {
  organizationCounter += 1;
  const slug =
    overrides.slug ?? `org-${organizationCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const adminPassword = 'correct horse battery staple';
  const created = await initializeOrganization(app.deps, {
    name: overrides.name ?? `Organisation ${slug}`,
    slug,
    adminEmail: `admin@${slug}.example`,
    adminName: 'Admin',
    adminPassword,
  });
  return { ...created, adminPassword };
}

export function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name === 'custodia_session');
  if (cookie === undefined) {
    throw new Error(`no session cookie in response ${response.statusCode}: ${response.body}`);
  }
  return `custodia_session=${cookie.value}`;
}

export async function logIn(
  app: TestApp,
  credentials: { slug: string; email: string; password: string },
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers,
    payload: {
      organization: credentials.slug,
      email: credentials.email,
      password: credentials.password,
    },
  });
}

/** Logs the organisation's administrator in and returns the Cookie header value. */
export async function logInAdmin(app: TestApp, organization: TestOrganization): Promise<string> {
  const response = await logIn(app, {
    slug: organization.slug,
    email: organization.adminEmail,
    password: organization.adminPassword,
  });
  if (response.statusCode !== 200) {
    throw new Error(`admin login failed: ${response.statusCode} ${response.body}`);
  }
  return sessionCookieOf(response);
}

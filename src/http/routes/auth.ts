import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { enrollTotp } from '../../app/auth/enroll-totp.js';
import { listMySessions } from '../../app/auth/list-my-sessions.js';
import { logIn } from '../../app/auth/log-in.js';
import { requireStaffSession } from '../../app/auth/require-staff-session.js';
import { revokeMySession } from '../../app/auth/revoke-my-session.js';
import { verifyTotpCode } from '../../app/auth/verify-totp.js';
import type { AppDeps } from '../../app/context.js';
import { type Authenticator, originOf, SESSION_COOKIE } from '../authenticate.js';
import { errorResponses } from '../common.schemas.js';
import {
  LogInRequest,
  LogInResponse,
  MeResponse,
  NoContent,
  SessionParams,
  SessionsResponse,
  TotpCodeRequest,
  TotpEnrollmentResponse,
} from './auth.schemas.js';

export interface AuthRouteDeps {
  app: AppDeps;
  authenticate: Authenticator;
  cookieSecure: boolean;
  rateLimitPerMinute: number;
}

export function authRoutes(deps: AuthRouteDeps): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['authentication'];
    const rateLimit = { max: deps.rateLimitPerMinute, timeWindow: '1 minute' };

    server.post(
      '/api/v1/auth/login',
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Log in with organisation, e-mail and password; sets the session cookie',
          body: LogInRequest,
          response: { 200: LogInResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await logIn(deps.app, request.body, originOf(request));
        void reply.setCookie(SESSION_COOKIE, result.cookieValue, {
          httpOnly: true,
          secure: deps.cookieSecure,
          sameSite: 'strict',
          path: '/',
          expires: new Date(result.expiresAt),
        });
        return {
          userId: result.userId,
          organizationId: result.organizationId,
          expiresAt: result.expiresAt,
          mfa: result.mfa,
        };
      },
    );

    server.post(
      '/api/v1/auth/logout',
      {
        schema: {
          tags,
          summary: 'End the current session',
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = requireStaffSession(await deps.authenticate(request));
        await revokeMySession(deps.app, principal, principal.sessionId, originOf(request));
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    server.get(
      '/api/v1/auth/me',
      {
        schema: {
          tags,
          summary: 'Who the caller is',
          response: { 200: MeResponse, ...errorResponses },
        },
      },
      async (request) => {
        const principal = await deps.authenticate(request);
        return principal.kind === 'staff-session'
          ? {
              kind: principal.kind,
              organizationId: principal.organizationId,
              userId: principal.userId,
              role: principal.role,
              mfa: principal.mfa,
            }
          : {
              kind: principal.kind,
              organizationId: principal.organizationId,
              userId: principal.userId,
              role: principal.role,
            };
      },
    );

    server.post(
      '/api/v1/auth/mfa/verify',
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Pass the TOTP second factor for this session',
          body: TotpCodeRequest,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = await deps.authenticate(request);
        await verifyTotpCode(deps.app, principal, request.body, originOf(request), 'login');
        return reply.status(204).send(null);
      },
    );

    server.post(
      '/api/v1/auth/mfa/enrollment',
      {
        schema: {
          tags,
          summary: 'Start TOTP enrolment: returns the secret and an otpauth:// URI',
          response: { 200: TotpEnrollmentResponse, ...errorResponses },
        },
      },
      async (request) => enrollTotp(deps.app, await deps.authenticate(request)),
    );

    server.post(
      '/api/v1/auth/mfa/enrollment/confirm',
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Confirm TOTP enrolment with a current code',
          body: TotpCodeRequest,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = await deps.authenticate(request);
        await verifyTotpCode(deps.app, principal, request.body, originOf(request), 'enrollment');
        return reply.status(204).send(null);
      },
    );

    server.get(
      '/api/v1/auth/sessions',
      {
        schema: {
          tags,
          summary: 'The caller’s active sessions',
          response: { 200: SessionsResponse, ...errorResponses },
        },
      },
      async (request) => ({
        sessions: await listMySessions(deps.app, await deps.authenticate(request)),
      }),
    );

    server.delete(
      '/api/v1/auth/sessions/:sessionId',
      {
        schema: {
          tags,
          summary: 'Revoke one of the caller’s sessions',
          params: SessionParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = await deps.authenticate(request);
        await revokeMySession(deps.app, principal, request.params.sessionId, originOf(request));
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}

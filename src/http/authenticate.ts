import type { FastifyRequest } from 'fastify';
import { authenticateApiToken } from '../app/auth/authenticate-api-token.js';
import { authenticateSession } from '../app/auth/authenticate-session.js';
import type { AppDeps, Principal, RequestOrigin } from '../app/context.js';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'custodia_session';

/** Bearer token first (integrations), then the session cookie (people). */
export function createAuthenticator(deps: Pick<AppDeps, 'store' | 'clock' | 'auth' | 'policies'>) {
  return async (request: FastifyRequest): Promise<Principal> => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer (\S+)$/i.exec(header);
      if (match?.[1] === undefined) {
        throw new AppError('UNAUTHENTICATED', 'Use "Authorization: Bearer <token>".');
      }
      return authenticateApiToken(deps, match[1]);
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie === undefined || cookie === '') {
      throw new AppError('UNAUTHENTICATED', 'Log in first.');
    }
    return authenticateSession(deps, cookie);
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

export function originOf(request: FastifyRequest): RequestOrigin {
  return {
    ip: request.ip,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 512),
    requestId: request.id,
  };
}

import { z } from 'zod';
import { LogInRequest } from '../../app/auth/log-in.js';
import { TotpCodeRequest } from '../../app/auth/verify-totp.js';
import { Id } from '../common.schemas.js';

export { LogInRequest, TotpCodeRequest };

export const MfaState = z.enum(['not-required', 'verified', 'pending', 'enrollment-required']);

export const LogInResponse = z.object({
  userId: z.string(),
  organizationId: z.string(),
  expiresAt: z.string(),
  mfa: MfaState.describe(
    'pending: POST /api/v1/auth/mfa/verify next; enrollment-required: enrol TOTP before anything else',
  ),
});

export const MeResponse = z.object({
  kind: z.enum(['staff-session', 'api-token']),
  organizationId: z.string(),
  userId: z.string(),
  role: z.string(),
  mfa: MfaState.optional(),
});

export const TotpEnrollmentResponse = z.object({
  secret: z.string(),
  otpauthUri: z.string(),
});

export const SessionsResponse = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      lastSeenAt: z.string(),
      expiresAt: z.string(),
      ip: z.string(),
      userAgent: z.string(),
      isCurrent: z.boolean(),
    }),
  ),
});

export const SessionParams = z.strictObject({
  sessionId: z.string().regex(/^[a-f0-9]{64}$/, 'must be a session id'),
});

export const NoContent = z.null().describe('No content');
export { Id };

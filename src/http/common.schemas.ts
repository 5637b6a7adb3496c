import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';

/** The body of every error answer. */
export const ErrorResponse = z.object({
  error: z.object({
    code: z.enum([...ERROR_CODES, 'INTERNAL']),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    retryAfterSeconds: z.number().optional(),
    requestId: z.string(),
  }),
});

/** Ids in paths: malformed ones are a 400; well-formed unknown or foreign ones are a 404. */
export const Id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an id');

export const OrganizationParams = z.strictObject({ organizationId: Id });

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  423: ErrorResponse,
  429: ErrorResponse,
} as const;

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isAppError, type ErrorCode, type FieldIssue } from '../errors.js';

/** The one table from application error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  MFA_REQUIRED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DATA_ERASED: 410,
  PAYLOAD_TOO_LARGE: 413,
  ACCOUNT_LOCKED: 423,
  TOO_MANY_ATTEMPTS: 429,
  CONFIG_INVALID: 500,
  EMAIL_UNAVAILABLE: 503,
  TERMS_NOT_ACCEPTED: 409,
  CONSENT_REQUIRED: 403,
  BELOW_MINIMUM_AGE: 422,
  LINK_INVALID: 400,
  LINK_EXPIRED: 410,
};

export interface ErrorBody {
  error: {
    code: ErrorCode | 'INTERNAL';
    message: string;
    issues?: FieldIssue[];
    retryAfterSeconds?: number;
    requestId: string;
  };
}

function validationIssues(error: FastifyError): FieldIssue[] {
  const context: string = error.validationContext ?? 'body';
  if (!hasZodFastifySchemaValidationErrors(error)) {
    return [{ path: context, message: error.message }];
  }
  return error.validation.flatMap((issue): FieldIssue[] => {
    const base = [context, ...issue.instancePath.split('/').filter((part) => part !== '')].join(
      '.',
    );
    const keys = issue.keyword === 'unrecognized_keys' ? issue.params.keys : undefined;
    if (Array.isArray(keys)) {
      return keys.map((key) => ({ path: `${base}.${String(key)}`, message: 'unknown field' }));
    }
    return [{ path: base, message: issue.message ?? 'invalid' }];
  });
}

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  body: Omit<ErrorBody['error'], 'requestId'>,
): FastifyReply {
  if (body.retryAfterSeconds !== undefined) {
    void reply.header('retry-after', String(body.retryAfterSeconds));
  }
  return reply.status(status).send({ error: { ...body, requestId: request.id } });
}

/**
 * Fastify's error handler. Known errors become their status with a safe message and the field
 * paths at fault; anything else is logged with the request id and answered as a bare 500 (a bug:
 * tests must never see one).
 */
export function handleError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isAppError(error)) {
    const body: Omit<ErrorBody['error'], 'requestId'> = {
      code: error.code,
      message: error.message,
    };
    if (error.details?.issues !== undefined) {
      body.issues = error.details.issues;
    }
    if (error.details?.retryAfterSeconds !== undefined) {
      body.retryAfterSeconds = error.details.retryAfterSeconds;
    }
    return send(reply, request, STATUS_BY_CODE[error.code], body);
  }
  if (error.validation !== undefined) {
    return send(reply, request, 400, {
      code: 'VALIDATION_FAILED',
      message: 'The request is invalid.',
      issues: validationIssues(error),
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(reply, request, 400, {
        code: 'VALIDATION_FAILED',
        message: 'The request body is not valid JSON.',
        issues: [{ path: 'body', message: error.message }],
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(reply, request, 413, {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than this server accepts.',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(reply, request, 415, {
        code: 'VALIDATION_FAILED',
        message: 'Send the body as application/json.',
        issues: [{ path: 'headers.content-type', message: 'unsupported media type' }],
      });
    default:
      break;
  }
  if (error.statusCode === 429) {
    return send(reply, request, 429, {
      code: 'TOO_MANY_ATTEMPTS',
      message: 'Too many requests. Slow down.',
      retryAfterSeconds: Math.max(1, Math.ceil(Number(reply.getHeader('retry-after') ?? 60))),
    });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return send(reply, request, error.statusCode, {
      code: 'VALIDATION_FAILED',
      message: error.message,
      issues: [{ path: 'request', message: error.message }],
    });
  }
  request.log.error({ err: error, requestId: request.id }, 'unhandled error');
  return reply
    .status(500)
    .send({ error: { code: 'INTERNAL', message: 'Internal error.', requestId: request.id } });
}

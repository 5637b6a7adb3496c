/**
 * The one application error. Use cases throw it when a rule is broken; the HTTP layer maps its
 * code to a status in one table (src/http/error-map.ts) and the CLI maps it to an exit code.
 */
export const ERROR_CODES = [
  /** Input failed validation; `details` lists each field path with its reason. */
  'VALIDATION_FAILED',
  /** The thing does not exist *or* belongs to another organisation: the two answer alike so existence does not leak. */
  'NOT_FOUND',
  /** No valid credentials: missing, forged, expired or revoked session or token. */
  'UNAUTHENTICATED',
  /** Authenticated, but this principal may not do this. */
  'FORBIDDEN',
  /** A second factor is needed before the session may be used (ASVS 2.8, 4.3.1). */
  'MFA_REQUIRED',
  /** The account is locked after repeated failed logins; `details.retryAfterSeconds` says for how long. */
  'ACCOUNT_LOCKED',
  /** Too many attempts in a short time (login backoff, rate limits); retry after `details.retryAfterSeconds`. */
  'TOO_MANY_ATTEMPTS',
  /** The write conflicts with existing data (a duplicate e-mail, an already-used TOTP code). */
  'CONFLICT',
  /**
   * The person's data key was destroyed (crypto-shredding, GDPR Art. 17): their encrypted data is
   * gone for good, so it can be neither read nor written again. Not a failure to retry.
   */
  'DATA_ERASED',
  /** The request body exceeds the configured limit. */
  'PAYLOAD_TOO_LARGE',
  /** Configuration is invalid; `details` names every bad key. */
  'CONFIG_INVALID',
  /**
   * Email could not be sent: none is configured (`mail.smtpUrl` unset), the mail server could not
   * be reached, or it refused the message. The message says which, never what the email said (its
   * body carries personal data); the server's own reply is kept only as the `cause`.
   */
  'EMAIL_UNAVAILABLE',
  /**
   * The policy makes acceptance of its current terms a condition (kajuyali §5: no enrollment
   * without it) and the person, or the guardian acting for them, has not accepted them.
   */
  'TERMS_NOT_ACCEPTED',
  /**
   * The processing rests on consent and none is in force: never given, or withdrawn (GDPR Art.
   * 7(3): processing stops the moment consent is withdrawn). The message names the purpose or
   * category; record the consent first.
   */
  'CONSENT_REQUIRED',
  /**
   * The person is below the policy's minimum age and their kind may not be a child
   * (kexara: no accounts under 13): nothing about them is kept.
   */
  'BELOW_MINIMUM_AGE',
  /** A signed link (unsubscribe, withdrawal, self-service) was altered, forged or is for something else. */
  'LINK_INVALID',
  /** A signed link is past its expiry: a new one must be asked for. */
  'LINK_EXPIRED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one input field: `path` is the dotted path, `message` the reason. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface AppErrorDetails {
  issues?: FieldIssue[];
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: AppErrorDetails | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: AppErrorDetails; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turns zod issues into field issues with dotted paths, the form every error answer uses. */
export function toFieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = '',
): FieldIssue[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return { path: path === '' ? '(root)' : path, message: issue.message };
  });
}

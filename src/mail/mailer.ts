import { createTransport } from 'nodemailer';
import { z } from 'zod';
import type { Config } from '../config.js';
import { AppError, toFieldIssues } from '../errors.js';

/**
 * Headers that have a field of their own (or that nodemailer writes itself). Setting them through
 * `headers` would slip past the checks on those fields, e.g. add Bcc recipients to a message that
 * must go to exactly one person.
 */
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

// A line break in a header value would start a header of the sender's choosing (header injection).
const singleLine = z.string().regex(/^[^\r\n]*$/, { message: 'must not contain line breaks' });

export const OutgoingEmail = z.strictObject({
  /** Exactly one recipient: each email is about one person's data or consent. */
  to: z.email(),
  subject: singleLine.min(1).max(998),
  /** The plain-text body; always sent, since some recipients read only text. */
  text: z.string(),
  /** An HTML alternative to `text`. */
  html: z.string().optional(),
  /**
   * Extra headers by name, e.g. `List-Unsubscribe: <https://…>` with
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) on every email that may be
   * declined, so mail clients offer a one-click unsubscribe.
   */
  headers: z
    .record(
      // RFC 5322 §3.6.8: printable ASCII except the colon.
      z
        .string()
        .regex(/^[!-9;-~]+$/, { message: 'must be an RFC 5322 header name' })
        .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
          message: 'is set through its own field, not as a header',
        }),
      singleLine,
    )
    .optional(),
});
export type OutgoingEmail = z.infer<typeof OutgoingEmail>;

export interface SentEmail {
  /** The Message-ID header of the sent email, angle brackets included. */
  messageId: string;
}

/** Sends email. Use cases take it from `AppDeps`; tests give it a real local SMTP server. */
export interface Mailer {
  /**
   * Hands one email to the mail server. Throws EMAIL_UNAVAILABLE when email is not configured or
   * the server cannot be reached or refuses it, VALIDATION_FAILED when the message is malformed.
   */
  send(message: OutgoingEmail): Promise<SentEmail>;
  /** Releases the connections; called once at shutdown, never by a use case. */
  close(): Promise<void>;
}

/** Options of the SMTP mailer: the `mail` configuration with the server known to be set. */
export interface SmtpMailerOptions {
  /** `smtp://[user:password@]host[:port]` or `smtps://…`, as in `mail.smtpUrl`. */
  smtpUrl: string;
  /** The From address of every email, as in `mail.from`. */
  from: string;
}

/** Refuses every email: what runs when `mail.smtpUrl` is not set. */
export const disabledMailer: Mailer = {
  send: () =>
    Promise.reject(
      new AppError(
        'EMAIL_UNAVAILABLE',
        'Email is not configured on this server (set CUSTODIA_MAIL_SMTP_URL).',
      ),
    ),
  close: () => Promise.resolve(),
};

/** The SMTP mailer when `mail.smtpUrl` is set, else the disabled one. */
export function createMailer(config: Config['mail']): Mailer {
  return config.smtpUrl === undefined
    ? disabledMailer
    : createSmtpMailer({ smtpUrl: config.smtpUrl, from: config.from });
}

/** Sends over SMTP through a small pool of connections kept open between emails. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = createTransport({
    pool: true,
    url: options.smtpUrl,
    maxConnections: 2,
    // Emails are sent while a person waits (a one-time code, a confirmation): fail within seconds
    // rather than nodemailer's defaults of minutes, so the request answers 503 instead of hanging.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Message content never names a file or URL for nodemailer to read and attach.
    disableFileAccess: true,
    disableUrlAccess: true,
    // No logger: nodemailer's debug log would write message bodies, which carry personal data.
    logger: false,
  });
  return {
    send: async (message) => {
      // The last point before the message leaves the process: checked here so that no caller can
      // inject headers or recipients, whatever it passes.
      const parsed = OutgoingEmail.safeParse(message);
      if (!parsed.success) {
        throw new AppError('VALIDATION_FAILED', 'The email is malformed.', {
          details: { issues: toFieldIssues(parsed.error.issues) },
        });
      }
      const email = parsed.data;
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html === undefined ? {} : { html: email.html }),
          ...(email.headers === undefined ? {} : { headers: email.headers }),
        });
        return { messageId: info.messageId };
      } catch (error) {
        throw new AppError('EMAIL_UNAVAILABLE', reasonOf(error), { cause: error });
      }
    },
    close: () => {
      // Lets an email already being delivered finish, then closes the connections.
      transport.close();
      return Promise.resolve();
    },
  };
}

/**
 * A sentence for people, from nodemailer's error code and the server's reply code. It never quotes
 * the server's reply (which may repeat the recipient's address) or anything of the message.
 */
function reasonOf(error: unknown): string {
  const { code, responseCode } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
  };
  switch (code) {
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    case 'EPROXY':
      return 'Email could not be sent: the mail server could not be reached.';
    case 'EAUTH':
    case 'ENOAUTH':
      return 'Email could not be sent: the mail server refused the login.';
    case 'EENVELOPE':
      return 'Email could not be sent: the mail server refused the recipient.';
    default:
      break;
  }
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return responseCode >= 500
      ? 'Email could not be sent: the mail server refused the message.'
      : 'Email could not be sent: the mail server is temporarily unavailable.';
  }
  return 'Email could not be sent.';
}

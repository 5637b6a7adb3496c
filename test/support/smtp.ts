import type { AddressInfo, Server } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One email as the SMTP server received it, parsed the way a mail client would read it. */
export interface ParsedEmail {
  /** Addresses of the To header. */
  to: string[];
  /** Address of the From header. */
  from: string;
  /** Where the SMTP client actually delivered it (RCPT TO), which headers cannot hide. */
  envelopeTo: string[];
  subject: string;
  text: string;
  /** The HTML part, if the email has one. */
  html: string | undefined;
  /** Every header by lower-case name, unfolded as written (the first, if one repeats). */
  headers: Record<string, string>;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for `CUSTODIA_MAIL_SMTP_URL` or `createSmtpMailer`. */
  url: string;
  /** What arrived so far, oldest first. */
  messages(): ParsedEmail[];
  /** Resolves once at least `count` emails arrived (all of them); rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedEmail[]>;
  /** Forgets what arrived, e.g. between tests that share the server. */
  clear(): void;
  /** Stops listening; connections still open are dropped after a moment. */
  stop(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Recipients the server refuses with 550 at RCPT TO, as a real server does an unknown mailbox. */
  rejectRecipient?: (address: string) => boolean;
}

/**
 * A real SMTP server on 127.0.0.1 and a free port, for tests that send email the way production
 * does: no authentication and no TLS (nothing leaves the machine), every message parsed with
 * mailparser.
 */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: ParsedEmail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A pooled client that was not closed must not hold stop() up for smtp-server's 30 seconds.
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address) === true) {
        const error: Error & { responseCode?: number } = new Error('No such mailbox here');
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            to: addressesOf(mail.to),
            from: addressesOf(mail.from)[0] ?? '',
            envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : undefined,
            headers: headersOf(mail.headerLines),
          });
          for (const wake of waiters) {
            wake();
          }
          callback();
        })
        .catch((error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)));
        });
    },
  });
  // smtp-server reports a client's broken connection as an 'error' event; unheard, it would crash
  // the test process. The client sees its own error.
  server.on('error', () => undefined);
  // smtp-server's typings default-import node:net, which this project's compiler settings (no
  // esModuleInterop) cannot resolve, so its `server` loses its type: restore it.
  const listener = server.server as unknown as Server;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const { port } = listener.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...received],
    waitFor: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (received.length < count) {
            return false;
          }
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...received]);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`expected ${count} email(s) within ${timeoutMs} ms, got ${received.length}`),
          );
        }, timeoutMs);
        if (!check()) {
          waiters.add(check);
        }
      }),
    clear: () => {
      received.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(resolve);
      }),
  };
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) =>
    object.value.flatMap((entry) => (entry.address === undefined ? [] : [entry.address])),
  );
}

function headersOf(lines: readonly { key: string; line: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    if (key in headers) {
      continue;
    }
    // RFC 5322 §2.2.3: a header folded over several lines is one line without the breaks.
    const unfolded = line.replace(/\r?\n(?=[ \t])/g, '');
    headers[key] = unfolded.slice(unfolded.indexOf(':') + 1).trim();
  }
  return headers;
}

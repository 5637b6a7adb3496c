import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { STATUS_BY_CODE } from '../../src/http/error-map.js';
import {
  createMailer,
  createSmtpMailer,
  disabledMailer,
  type Mailer,
  type OutgoingEmail,
} from '../../src/mail/mailer.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const FROM = 'Custodia <no-reply@custodia.test>';

/** An email like a policy-change notice: personal content, and a one-click unsubscribe. */
function policyChangeNotice(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'ada.participant@example.org',
    subject: 'Our privacy policy changes on 1 April',
    text: 'Dear Ada, we now keep your attendance records for 2 years instead of 3.',
    html: '<p>Dear Ada, we now keep your attendance records for <b>2 years</b> instead of 3.</p>',
    headers: {
      'List-Unsubscribe': '<https://records.example.org/unsubscribe/tok-123>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...overrides,
  };
}

async function refusal(mailer: Mailer, message: OutgoingEmail): Promise<AppError> {
  try {
    await mailer.send(message);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the email to be refused');
}

/** What an error would show if it were logged or answered: it must not carry the email. */
function visibleTextOf(error: AppError): string {
  return `${error.message} ${JSON.stringify(error.details ?? {})}`;
}

describe('the SMTP mailer', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;

  beforeAll(async () => {
    smtp = await startSmtpServer({ rejectRecipient: (address) => address.endsWith('@gone.test') });
    mailer = createSmtpMailer({ smtpUrl: smtp.url, from: FROM });
  });
  afterAll(async () => {
    await mailer.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.clear();
  });

  it('delivers the email to its one recipient with text, HTML and the RFC 8058 unsubscribe headers', async () => {
    const sent = await mailer.send(policyChangeNotice());

    const [received] = await smtp.waitFor(1);
    expect(received).toMatchObject({
      to: ['ada.participant@example.org'],
      from: 'no-reply@custodia.test',
      envelopeTo: ['ada.participant@example.org'],
      subject: 'Our privacy policy changes on 1 April',
      text: expect.stringContaining('2 years instead of 3') as string,
      html: expect.stringContaining('<b>2 years</b>') as string,
    });
    expect(received?.headers['list-unsubscribe']).toBe(
      '<https://records.example.org/unsubscribe/tok-123>',
    );
    expect(received?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(received?.headers['message-id']).toBe(sent.messageId);
  });

  it('sends a text-only email without an HTML part', async () => {
    await mailer.send({ ...policyChangeNotice(), html: undefined });

    const [received] = await smtp.waitFor(1);
    expect(received?.html).toBeUndefined();
    expect(received?.text).toContain('Dear Ada');
  });

  it('sends several emails over its pooled connections', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((name) => mailer.send(policyChangeNotice({ to: `${name}@example.org` }))),
    );

    const received = await smtp.waitFor(3);
    expect(received.flatMap((email) => email.to).sort()).toEqual([
      'a@example.org',
      'b@example.org',
      'c@example.org',
    ]);
  });

  it('turns a refused recipient into EMAIL_UNAVAILABLE without quoting the address or the email', async () => {
    const notice = policyChangeNotice({ to: 'someone@gone.test' });

    const error = await refusal(mailer, notice);

    expect(error.code).toBe('EMAIL_UNAVAILABLE');
    expect(error.message).toMatch(/refused the recipient/);
    expect(error.cause).toBeInstanceOf(Error);
    const visible = visibleTextOf(error);
    for (const secret of ['someone@gone.test', 'Dear Ada', notice.subject]) {
      expect(visible).not.toContain(secret);
    }
    expect(smtp.messages()).toEqual([]);
  });

  it('refuses header injection and reserved headers before anything is sent', async () => {
    const error = await refusal(
      mailer,
      policyChangeNotice({
        subject: 'Hello\r\nBcc: everyone@example.org',
        headers: { Bcc: 'everyone@example.org', 'X-Note': 'a\nb' },
      }),
    );

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details?.issues?.map((issue) => issue.path).sort()).toEqual([
      'headers.Bcc',
      'headers.X-Note',
      'subject',
    ]);
    expect(smtp.messages()).toEqual([]);
  });

  it('refuses an email to anything but one address', async () => {
    const error = await refusal(mailer, policyChangeNotice({ to: 'a@example.org, b@example.org' }));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details?.issues?.map((issue) => issue.path)).toEqual(['to']);
  });
});

describe('a mail server that cannot be reached', () => {
  it('answers EMAIL_UNAVAILABLE (HTTP 503) with a safe message and the cause kept', async () => {
    const smtp = await startSmtpServer();
    await smtp.stop();
    const mailer = createSmtpMailer({ smtpUrl: smtp.url, from: FROM });
    const notice = policyChangeNotice();

    try {
      const error = await refusal(mailer, notice);

      expect(error.code).toBe('EMAIL_UNAVAILABLE');
      expect(STATUS_BY_CODE[error.code]).toBe(503);
      expect(error.message).toBe('Email could not be sent: the mail server could not be reached.');
      expect(error.cause).toBeInstanceOf(Error);
      const visible = visibleTextOf(error);
      for (const secret of [notice.to, notice.subject, notice.text, 'Dear Ada']) {
        expect(visible).not.toContain(secret);
      }
    } finally {
      await mailer.close();
    }
  });
});

describe('email that is not configured', () => {
  it('is refused with EMAIL_UNAVAILABLE, naming the setting to fix', async () => {
    const mailer = createMailer(loadConfig({ env: {} }).mail);

    expect(mailer).toBe(disabledMailer);
    const error = await refusal(mailer, policyChangeNotice());
    expect(error.code).toBe('EMAIL_UNAVAILABLE');
    expect(error.message).toContain('CUSTODIA_MAIL_SMTP_URL');
  });
});

describe('mail configuration', () => {
  function issuesOf(env: Record<string, string>): { path: string; message: string }[] {
    try {
      loadConfig({ env });
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONFIG_INVALID') {
        return error.details?.issues ?? [];
      }
      throw error;
    }
    throw new Error('expected CONFIG_INVALID');
  }

  it('defaults to no email, a local From address and the default listen address for links', () => {
    const { mail } = loadConfig({ env: {} });

    expect(mail).toEqual({
      from: 'Custodia <no-reply@localhost>',
      publicBaseUrl: 'http://127.0.0.1:8080',
    });
  });

  it('reads the SMTP URL, the From address and the public URL from CUSTODIA_MAIL_*', () => {
    const { mail } = loadConfig({
      env: {
        CUSTODIA_MAIL_SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.org:465',
        CUSTODIA_MAIL_FROM: 'Records <records@example.org>',
        CUSTODIA_MAIL_PUBLIC_BASE_URL: 'https://records.example.org/custodia/',
      },
    });

    expect(mail).toEqual({
      smtpUrl: 'smtps://mailer:p%40ss@smtp.example.org:465',
      from: 'Records <records@example.org>',
      // Without the trailing slash, so `${publicBaseUrl}/path` is one slash.
      publicBaseUrl: 'https://records.example.org/custodia',
    });
  });

  it('sends with the configured server and From address', async () => {
    const smtp = await startSmtpServer();
    const { mail } = loadConfig({
      env: { CUSTODIA_MAIL_SMTP_URL: smtp.url, CUSTODIA_MAIL_FROM: 'records@example.org' },
    });
    const mailer = createMailer(mail);
    try {
      await mailer.send(policyChangeNotice());

      const [received] = await smtp.waitFor(1);
      expect(received?.from).toBe('records@example.org');
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it('rejects an SMTP URL of another scheme, naming mail.smtpUrl but never echoing the password', () => {
    const issues = issuesOf({ CUSTODIA_MAIL_SMTP_URL: 'http://mailer:hunter2@smtp.example.org' });

    expect(issues.map((issue) => issue.path)).toEqual(['mail.smtpUrl (CUSTODIA_MAIL_SMTP_URL)']);
    expect(issues[0]?.message).toMatch(/smtp:\/\//);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it('names each bad mail setting at once', () => {
    const issues = issuesOf({
      CUSTODIA_MAIL_SMTP_URL: 'not a url',
      CUSTODIA_MAIL_FROM: 'nobody',
      CUSTODIA_MAIL_PUBLIC_BASE_URL: 'ftp://records.example.org',
    });

    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'mail.from (CUSTODIA_MAIL_FROM)',
      'mail.publicBaseUrl (CUSTODIA_MAIL_PUBLIC_BASE_URL)',
      'mail.smtpUrl (CUSTODIA_MAIL_SMTP_URL)',
    ]);
  });
});

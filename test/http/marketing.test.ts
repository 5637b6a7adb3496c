import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/app/context.js';
import { importPeople, ImportPeopleRequest } from '../../src/app/people/import-people.js';
import { readLinkEnvelope } from '../../src/crypto/signed-links.js';
import { createAuditStore, type AuditEventRow } from '../../src/store/audit-store.js';
import { createLinkKeyStore } from '../../src/store/link-key-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  START,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  newStaffSession,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';
import { startSmtpServer, type ParsedEmail, type TestSmtpServer } from '../support/smtp.js';

const DAY = 86_400_000;

/** kajuyali §5.2: entered by staff from the signed form KCTGMPDATAFORM22. */
const TERMS = {
  consent: 'terms-and-data-authorisation',
  givenBy: 'staff-paper-form',
  evidenceReference: 'KCTGMPDATAFORM22-0001',
};

/** kajuyali §5.4: the promotions authorisation at the end of the same form. */
function promotions(channels: string[]) {
  return {
    consent: 'promotions',
    givenBy: 'staff-paper-form',
    evidenceReference: 'KCTGMPDATAFORM22-0001',
    channels,
  };
}

const unique = () => randomBytes(4).toString('hex');

interface Audience {
  channel: string;
  people: {
    personId: string;
    address: string;
    unsubscribeUrl: string;
    familyUnsubscribeUrl?: string;
  }[];
  excluded: { lapsed: number; children: number; suppressed: number; noAddress: number };
}

interface ConsentRecord {
  consent: string;
  status: 'given' | 'withdrawn';
  channels: string[] | null;
  withdrawalMethod: string | null;
}

const errorCodeOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string } }>().error.code;

/** The path and query of an absolute link, to send to the in-process server. */
function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token') ?? '';
}

/** The one email of a run that went to this address. */
function emailTo(messages: readonly ParsedEmail[], address: string): ParsedEmail {
  const found = messages.filter((message) => message.envelopeTo.includes(address));
  expect(found).toHaveLength(1);
  const [message] = found;
  if (message === undefined) {
    throw new Error(`no email to ${address}`);
  }
  return message;
}

/** The first link in an email's text that goes to `path`. */
function linkIn(message: ParsedEmail, path: string): string {
  const match = new RegExp(
    `https?://\\S+${path.replaceAll('/', '\\/')}\\?token=[A-Za-z0-9._%-]+`,
  ).exec(message.text);
  if (match === null) {
    throw new Error(`no ${path} link in: ${message.text}`);
  }
  return match[0];
}

/** Follows a signed link the way a mail client or a person's browser would. */
function follow(
  app: TestApp,
  url: string,
  options: {
    method?: 'GET' | 'POST';
    gpc?: boolean;
    payload?: object;
  } = {},
): Promise<LightMyRequestResponse> {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = options.gpc === true ? { 'sec-gpc': '1' } : {};
  if (method === 'POST' && options.payload === undefined) {
    // RFC 8058 §3.1: what a mail client posts for one-click unsubscribe.
    return app.server.inject({
      method,
      url: pathOf(url),
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
  }
  return app.server.inject({
    method,
    url: pathOf(url),
    headers,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
}

describeEachDialect('marketing and signed links under kajuyali.yaml', ({ store }) => {
  let smtp: TestSmtpServer;
  let app: TestApp;
  let organization: TestOrganization;
  let levelA: StaffSession;
  let levelC: StaffSession;
  /** An API token of level A: unlike a session, it outlives the clock's jumps of months. */
  let apiToken: string;
  let programId: string;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  function staff(
    method: 'GET' | 'POST',
    path: string,
    payload?: object,
  ): Promise<LightMyRequestResponse> {
    return app.server.inject({
      method,
      url: url(path),
      headers: { authorization: `Bearer ${apiToken}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function audience(channel = 'email'): Promise<Audience> {
    const response = await staff('GET', `/marketing/audience?channel=${channel}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Audience>();
  }

  async function memberOf(personId: string, channel = 'email') {
    return (await audience(channel)).people.find((member) => member.personId === personId);
  }

  async function unsubscribeUrlOf(personId: string, channel = 'email'): Promise<string> {
    const member = await memberOf(personId, channel);
    if (member === undefined) {
      throw new Error(`${personId} is not in the ${channel} audience`);
    }
    return member.unsubscribeUrl;
  }

  async function consentsOf(personId: string): Promise<ConsentRecord[]> {
    const response = await staff('GET', `/people/${personId}/consents`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ consents: ConsentRecord[] }>().consents;
  }

  async function auditEntries(action: string, organizationId = organization.organizationId) {
    return createAuditStore(store().db, store().dialect).list(scopeOf(organizationId), { action });
  }

  /** A kajuyali guardian (an adult) who may have authorised promotions on some channels. */
  async function newGuardian(
    options: { promotions?: string[]; email?: string } = {},
  ): Promise<{ id: string; email: string; phone: string }> {
    const email = options.email ?? `guardian-${unique()}@example.org`;
    const phone = `+57 300 ${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`;
    const response = await staff('POST', '/people', {
      subjectKind: 'guardian',
      consents:
        options.promotions === undefined ? [TERMS] : [TERMS, promotions(options.promotions)],
      data: { 'contact-data': { full_name: `Guardian ${unique()}`, email, phone } },
    });
    expect(response.statusCode, response.body).toBe(201);
    return { id: response.json<{ id: string }>().id, email, phone };
  }

  async function enroll(personId: string): Promise<void> {
    const terms = await staff('POST', `/people/${personId}/terms-acceptances`, {
      acceptedBy: 'staff-paper-form',
      evidenceReference: 'KCTGMPDATAFORM22-0001',
    });
    expect(terms.statusCode, terms.body).toBe(201);
    const enrolled = await staff('POST', `/programs/${programId}/enrollments`, { personId });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await createTestApp(store(), { CUSTODIA_MAIL_SMTP_URL: smtp.url });
    organization = await newOrganization(app);
    ({ admin: levelA } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kajuyali',
      'level-a',
    ));
    levelC = await newStaffSession(app, organization, levelA, 'level-c');
    const token = await levelA.request('POST', url('/api-tokens'), {
      payload: { name: 'marketing tests' },
    });
    expect(token.statusCode, token.body).toBe(201);
    apiToken = token.json<{ token: string }>().token;
    const program = await staff('POST', '/programs', {
      name: 'Campamento Andes',
      kind: 'camp',
      startsOn: '2026-07-01',
      endsOn: '2026-07-08',
    });
    expect(program.statusCode, program.body).toBe(201);
    programId = program.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await app.deps.mailer.close();
    await smtp.stop();
  });

  it('kajuyali §5.4: the audience is who authorised promotions on the channel, each with a one-click unsubscribe link', async () => {
    const emailAndSms = await newGuardian({ promotions: ['email', 'sms'] });
    const smsOnly = await newGuardian({ promotions: ['sms'] });
    const none = await newGuardian();
    const exported = await audience('email');
    const ids = exported.people.map((member) => member.personId);
    expect(ids).toContain(emailAndSms.id);
    expect(ids).not.toContain(smsOnly.id);
    expect(ids).not.toContain(none.id);
    const member = exported.people.find((candidate) => candidate.personId === emailAndSms.id);
    expect(member).toMatchObject({
      address: emailAndSms.email,
      unsubscribeUrl: expect.stringMatching(
        new RegExp(`^${app.config.mail.publicBaseUrl}/api/v1/links/unsubscribe\\?token=v1\\.`),
      ) as unknown,
      // kajuyali §5.6.2: the family scope is offered.
      familyUnsubscribeUrl: expect.stringContaining('/api/v1/links/unsubscribe?token=') as unknown,
    });
    expect((await audience('sms')).people.map((entry) => entry.personId)).toEqual(
      expect.arrayContaining([emailAndSms.id, smsOnly.id]),
    );

    const [entry] = (await auditEntries('marketing.audience-exported')).slice(-1);
    expect(entry).toMatchObject({
      actorType: 'api_token',
      details: { channel: 'sms', count: (await audience('sms')).people.length },
    });
    // The audit entry names no address.
    expect(JSON.stringify(entry?.details)).not.toContain('@');
  });

  it('kajuyali §4.4: only roles holding send-marketing (levels A and B) see the audience or send', async () => {
    const audienceByC = await levelC.request('GET', url('/marketing/audience?channel=email'));
    expect(audienceByC.statusCode).toBe(403);
    const sendByC = await levelC.request('POST', url('/marketing/campaigns'), {
      payload: { channel: 'email', subject: 'Promo', text: 'Hello' },
    });
    expect(sendByC.statusCode).toBe(403);
    const unknownChannel = await staff('GET', '/marketing/audience?channel=post');
    expect(unknownChannel.statusCode).toBe(400);
  });

  it('kajuyali §5.4: children are never in the audience (marketing.children: forbidden)', async () => {
    const guardian = await newGuardian({ promotions: ['email'] });
    // A child cannot be given the promotions consent at all…
    const child = await staff('POST', '/people', {
      subjectKind: 'participant',
      guardians: [{ guardianId: guardian.id }],
      consents: [TERMS, promotions(['email'])],
      data: {
        'contact-data': {
          full_name: 'Niño',
          email: `child-${unique()}@example.org`,
          phone: '+57 300 555 0199',
        },
        'participant-data': {
          full_name: 'Niño',
          date_of_birth: '2016-05-17',
          emergency_contact: { name: 'Madre', phone: '+57 300 555 0100' },
        },
      },
    });
    expect(child.statusCode, child.body).toBe(403);
    // …and the guardian who authorised promotions for themselves is in.
    expect(await memberOf(guardian.id)).toBeDefined();
  });

  it('kajuyali §5.6.2: GET on an unsubscribe link shows what it does and changes nothing', async () => {
    const guardian = await newGuardian({ promotions: ['email', 'sms'] });
    const link = await unsubscribeUrlOf(guardian.id);
    const before = await consentsOf(guardian.id);
    const shown = await follow(app, link, { method: 'GET' });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({
      action: 'unsubscribe',
      method: 'POST',
      channel: 'email',
      scope: 'person',
      isSubscribed: true,
      consents: [{ consent: 'promotions', channels: ['email', 'sms'] }],
      familyMembers: 0,
    });
    expect(await consentsOf(guardian.id)).toEqual(before);
    expect(await memberOf(guardian.id)).toBeDefined();
  });

  it('kajuyali §5.6.2: one click (RFC 8058) withdraws the promotions consent and suppresses the address; a second click changes nothing more', async () => {
    const guardian = await newGuardian({ promotions: ['email', 'sms'] });
    const link = await unsubscribeUrlOf(guardian.id);

    const first = await follow(app, link);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      channel: 'email',
      scope: 'person',
      gpc: false,
      withdrawnRecords: 1,
      withdrawnConsents: ['promotions'],
      familyMembersAffected: 0,
      // Withdrawing the consent suppresses every channel it covers, phone included.
      suppressedChannels: ['email', 'phone', 'sms'],
    });
    expect(await consentsOf(guardian.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          consent: 'promotions',
          status: 'withdrawn',
          withdrawalMethod: 'unsubscribe-link',
        }),
      ]),
    );
    expect(await memberOf(guardian.id, 'email')).toBeUndefined();
    expect(await memberOf(guardian.id, 'sms')).toBeUndefined();

    const again = await follow(app, link);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ withdrawnRecords: 0, withdrawnConsents: [] });
    const shown = await follow(app, link, { method: 'GET' });
    expect(shown.json()).toMatchObject({ isSubscribed: false, consents: [] });
    expect(
      (await auditEntries('marketing.unsubscribed')).filter(
        (entry) => entry.subjectId === guardian.id,
      ),
    ).toHaveLength(2);
  });

  it('kajuyali §5.6.2: a family link removes the family from the list — both guardians of a child — and no one else', async () => {
    const mother = await newGuardian({ promotions: ['email'] });
    const father = await newGuardian({ promotions: ['email', 'sms'] });
    const neighbour = await newGuardian({ promotions: ['email'] });
    const child = await staff('POST', '/people', {
      subjectKind: 'participant',
      guardians: [{ guardianId: mother.id }, { guardianId: father.id }],
      consents: [TERMS],
      data: {
        'participant-data': {
          full_name: 'Hija',
          date_of_birth: '2015-02-01',
          emergency_contact: { name: 'Madre', phone: mother.phone },
        },
      },
    });
    expect(child.statusCode, child.body).toBe(201);
    const member = await memberOf(mother.id);
    const familyLink = member?.familyUnsubscribeUrl ?? '';

    const shown = await follow(app, familyLink, { method: 'GET' });
    expect(shown.json()).toMatchObject({ scope: 'family', familyMembers: 2 });
    const outcome = await follow(app, familyLink);
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(outcome.json()).toMatchObject({
      scope: 'family',
      withdrawnRecords: 2,
      familyMembersAffected: 1,
    });
    const exported = (await audience()).people.map((entry) => entry.personId);
    expect(exported).not.toContain(mother.id);
    expect(exported).not.toContain(father.id);
    expect(exported).toContain(neighbour.id);
    expect(await consentsOf(father.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ consent: 'promotions', status: 'withdrawn' }),
      ]),
    );
  });

  it('refuses forged, altered and foreign-organisation links with nothing changed, and audits the refusal', async () => {
    const guardian = await newGuardian({ promotions: ['email'] });
    const link = await unsubscribeUrlOf(guardian.id);
    const token = tokenOf(link);
    const [version, payload, mac] = token.split('.') as [string, string, string];
    const refusalsBefore = (await auditEntries('link.refused')).length;

    // Altered: one character of the MAC changed.
    const altered = `${version}.${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    // Forged: a payload naming this person with a MAC made up without the key.
    const forgedPayload = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object),
        c: 'all',
        f: 'family',
      }),
    ).toString('base64url');
    const forged = `v1.${forgedPayload}.${randomBytes(32).toString('base64url')}`;
    // Another organisation: the same claims, moved to an organisation this key is not of.
    const other = await newOrganization(app);
    const foreignPayload = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object),
        o: other.organizationId,
      }),
    ).toString('base64url');
    const foreign = `v1.${foreignPayload}.${mac}`;

    const before = await consentsOf(guardian.id);
    for (const bad of [altered, forged]) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await follow(
          app,
          `http://x/api/v1/links/unsubscribe?token=${encodeURIComponent(bad)}`,
          { method },
        );
        expect(response.statusCode, response.body).toBe(400);
        expect(errorCodeOf(response)).toBe('LINK_INVALID');
      }
    }
    const foreignAnswer = await follow(
      app,
      `http://x/api/v1/links/unsubscribe?token=${encodeURIComponent(foreign)}`,
    );
    expect(foreignAnswer.statusCode).toBe(400);
    expect(errorCodeOf(foreignAnswer)).toBe('LINK_INVALID');
    const garbage = await follow(app, 'http://x/api/v1/links/unsubscribe?token=not-a-token');
    expect(errorCodeOf(garbage)).toBe('LINK_INVALID');
    const missing = await app.server.inject({ method: 'POST', url: '/api/v1/links/unsubscribe' });
    expect(missing.statusCode).toBe(400);

    expect(await consentsOf(guardian.id)).toEqual(before);
    expect(await memberOf(guardian.id)).toBeDefined();
    const refusals: AuditEventRow[] = (await auditEntries('link.refused')).slice(refusalsBefore);
    // Four refusals here (two tokens, GET and POST); the garbage token names no organisation.
    expect(refusals).toHaveLength(4);
    expect(refusals.every((entry) => entry.actorType === 'anonymous')).toBe(true);
    expect(refusals.every((entry) => entry.subjectId === null)).toBe(true);
    expect(refusals.map((entry) => entry.details['reason'])).toEqual([
      'signature',
      'signature',
      'signature',
      'signature',
    ]);
    // The foreign token is refused in the log of the organisation it claims.
    expect(await auditEntries('link.refused', other.organizationId)).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ reason: 'unknown-key' }) as unknown,
      }),
    ]);
  });

  it('sends a campaign: one email per person, each with its own unsubscribe link and RFC 8058 headers; the link followed from the email unsubscribes', async () => {
    const first = await newGuardian({ promotions: ['email'] });
    const second = await newGuardian({ promotions: ['email', 'phone'] });
    smtp.clear();
    const sent = await staff('POST', '/marketing/campaigns', {
      channel: 'email',
      subject: 'Campamentos de verano 2026',
      text: 'Inscripciones abiertas.',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const result = sent.json<{ recipients: number; sent: number; failed: number }>();
    expect(result.sent).toBe(result.recipients);
    expect(result.failed).toBe(0);
    const messages = await smtp.waitFor(result.sent);
    expect(messages).toHaveLength(result.sent);

    const toFirst = emailTo(messages, first.email);
    const toSecond = emailTo(messages, second.email);
    for (const message of [toFirst, toSecond]) {
      expect(message.envelopeTo).toHaveLength(1);
      expect(message.subject).toBe('Campamentos de verano 2026');
      expect(message.text).toContain('Inscripciones abiertas.');
      const link = linkIn(message, '/api/v1/links/unsubscribe');
      expect(message.headers['list-unsubscribe']).toBe(`<${link}>`);
      expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    }
    const firstLink = linkIn(toFirst, '/api/v1/links/unsubscribe');
    expect(firstLink).not.toBe(linkIn(toSecond, '/api/v1/links/unsubscribe'));

    // The mail client's one-click POST, to the address in the header.
    const oneClick = await follow(app, firstLink);
    expect(oneClick.statusCode, oneClick.body).toBe(200);
    expect(oneClick.json()).toMatchObject({ withdrawnRecords: 1 });

    smtp.clear();
    const next = await staff('POST', '/marketing/campaigns', {
      channel: 'email',
      subject: 'Otra promoción',
      text: 'Más campamentos.',
    });
    expect(next.statusCode, next.body).toBe(200);
    const nextMessages = await smtp.waitFor(next.json<{ sent: number }>().sent);
    expect(nextMessages.some((message) => message.envelopeTo.includes(first.email))).toBe(false);
    expect(nextMessages.some((message) => message.envelopeTo.includes(second.email))).toBe(true);

    const [campaign] = (await auditEntries('marketing.campaign-sent')).slice(-1);
    expect(campaign).toMatchObject({
      outcome: 'success',
      details: { channel: 'email', sent: nextMessages.length, failed: 0 },
    });
  });

  it('GPC: Sec-GPC: 1 on the unsubscribe link stops every channel, recorded as a GPC opt-out', async () => {
    const guardian = await newGuardian({ promotions: ['email'] });
    const outcome = await follow(app, await unsubscribeUrlOf(guardian.id), { gpc: true });
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(outcome.json()).toMatchObject({
      channel: 'all',
      gpc: true,
      withdrawnRecords: 1,
      suppressedChannels: ['email', 'phone', 'sms'],
    });
    expect(await consentsOf(guardian.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ consent: 'promotions', withdrawalMethod: 'gpc' }),
      ]),
    );
  });

  it('GPC: POST /links/gpc with a person’s link and Sec-GPC: 1 records their opt-out', async () => {
    const guardian = await newGuardian({ promotions: ['email', 'sms'] });
    const gpcLink = `http://x/api/v1/links/gpc?token=${encodeURIComponent(
      tokenOf(await unsubscribeUrlOf(guardian.id)),
    )}`;
    const withoutSignal = await follow(app, gpcLink);
    expect(withoutSignal.statusCode).toBe(400);
    expect(await memberOf(guardian.id)).toBeDefined();

    const recorded = await follow(app, gpcLink, { gpc: true });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json()).toEqual({
      honoured: true,
      withdrawnRecords: 1,
      withdrawnConsents: ['promotions'],
      suppressedChannels: ['email', 'phone', 'sms'],
    });
    expect(await memberOf(guardian.id, 'sms')).toBeUndefined();
    const [entry] = (await auditEntries('marketing.gpc-opt-out')).slice(-1);
    expect(entry).toMatchObject({ actorType: 'person', subjectId: guardian.id });
  });

  it('suppression list: staff and imports cannot opt an unsubscribed address in again; the person’s own signed opt-in lifts it', async () => {
    const guardian = await newGuardian({ promotions: ['email'] });
    await follow(app, await unsubscribeUrlOf(guardian.id));

    // Staff entering a new paper form for the same person: refused.
    const byStaff = await staff('POST', `/people/${guardian.id}/consents`, promotions(['email']));
    expect(byStaff.statusCode, byStaff.body).toBe(409);
    expect(errorCodeOf(byStaff)).toBe('CONFLICT');

    // An import of the same address: the person is imported, the opt-in left out.
    const csv = [
      'contact-data.full_name,contact-data.email,contact-data.phone,consent.terms-and-data-authorisation,consent.promotions,consent.promotions.channels',
      `Imported Again,${guardian.email},+57 300 555 0142,KCTGMPDATAFORM22-0002,KCTGMPDATAFORM22-0002,email`,
    ].join('\n');
    const imported = await importPeople(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { open: () => Readable.from([Buffer.from(csv)]) },
      ImportPeopleRequest.parse({ subjectKind: 'guardian' }),
    );
    expect(imported).toMatchObject({ outcome: 'imported', rows: 1, suppressedOptIns: 1 });
    expect((await audience()).people.filter((member) => member.address === guardian.email)).toEqual(
      [],
    );

    // The person asks to hear from Kajuyalí again: staff have the link emailed to them.
    smtp.clear();
    const invited = await staff('POST', `/people/${guardian.id}/marketing-opt-in-invitations`);
    expect(invited.statusCode, invited.body).toBe(202);
    expect(invited.body).not.toContain('token');
    const [invitation] = await smtp.waitFor(1);
    expect(invitation?.envelopeTo).toEqual([guardian.email]);
    const optInLink = linkIn(invitation as ParsedEmail, '/api/v1/links/marketing-opt-in');

    const shown = await follow(app, optInLink, { method: 'GET' });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({
      action: 'marketing-opt-in',
      consents: [{ consent: 'promotions', channels: ['email', 'sms', 'phone'] }],
    });
    // An unsubscribe link is no opt-in link.
    const wrongPurpose = await follow(
      app,
      `http://x/api/v1/links/marketing-opt-in?token=${encodeURIComponent(tokenOf(await unsubscribeUrlOf((await newGuardian({ promotions: ['email'] })).id)))}`,
      { payload: { channels: ['email'] } },
    );
    expect(errorCodeOf(wrongPurpose)).toBe('LINK_INVALID');

    // With Sec-GPC: 1 the opt-in is an opt-out (kajuyali honours GPC): nothing is lifted.
    const withGpc = await follow(app, optInLink, { gpc: true, payload: { channels: ['email'] } });
    expect(withGpc.statusCode, withGpc.body).toBe(200);
    expect(withGpc.json()).toMatchObject({ optedIn: false, gpc: true });
    expect(await memberOf(guardian.id)).toBeUndefined();

    const optedIn = await follow(app, optInLink, { payload: { channels: ['email'] } });
    expect(optedIn.statusCode, optedIn.body).toBe(200);
    expect(optedIn.json()).toEqual({
      optedIn: true,
      gpc: false,
      consent: 'promotions',
      channels: ['email'],
      withdrawnRecords: 0,
    });
    expect(await memberOf(guardian.id)).toBeDefined();
    expect(await consentsOf(guardian.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ consent: 'promotions', status: 'given', channels: ['email'] }),
      ]),
    );
  });

  // The clock moves months ahead from here on: these tests come last.

  it('kajuyali §5.6.1: marketing stops 12 months after the last enrollment', async () => {
    const enrolled = await newGuardian({ promotions: ['email'] });
    await enroll(enrolled.id);
    // A prospect met at a fair who never enrolled: counted from their opt-in.
    const prospect = await newGuardian({ promotions: ['email'] });
    app.clock.set(new Date(new Date(START).getTime() + 200 * DAY));
    const reEnrolled = await newGuardian({ promotions: ['email'] });
    await enroll(reEnrolled.id);

    app.clock.set('2027-03-01T09:00:00.000Z');
    expect(await memberOf(enrolled.id)).toBeDefined();
    expect(await memberOf(prospect.id)).toBeDefined();

    app.clock.set('2027-03-02T09:00:00.000Z');
    const lapsed = await audience();
    const ids = lapsed.people.map((member) => member.personId);
    expect(ids).not.toContain(enrolled.id);
    expect(ids).not.toContain(prospect.id);
    // Enrolled 200 days later: still within its 12 months.
    expect(ids).toContain(reEnrolled.id);
    expect(lapsed.excluded.lapsed).toBeGreaterThanOrEqual(2);
    // The consent itself is untouched: a new enrollment brings the person back.
    const program = await staff('POST', `/programs/${programId}/enrollments`, {
      personId: enrolled.id,
    });
    expect(program.statusCode, program.body).toBe(201);
    expect(await memberOf(enrolled.id)).toBeDefined();
  });

  it('refuses an unsubscribe link after its year, with nothing changed and the refusal audited', async () => {
    const guardian = await newGuardian({ promotions: ['email'] });
    await enroll(guardian.id);
    const link = await unsubscribeUrlOf(guardian.id);
    app.clock.advance(365 * DAY - 1000);
    expect((await follow(app, link, { method: 'GET' })).statusCode).toBe(200);
    app.clock.advance(1000);
    const before = await consentsOf(guardian.id);
    const expired = await follow(app, link);
    expect(expired.statusCode, expired.body).toBe(410);
    expect(errorCodeOf(expired)).toBe('LINK_EXPIRED');
    expect(await consentsOf(guardian.id)).toEqual(before);
    const [refusal] = (await auditEntries('link.refused')).slice(-1);
    expect(refusal).toMatchObject({
      actorType: 'anonymous',
      subjectId: guardian.id,
      details: { reason: 'expired' },
    });
  });
});

describeEachDialect('marketing under kexara.yaml', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let administrator: StaffSession;
  let marketingTeam: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  async function newCustomer(): Promise<string> {
    const response = await administrator.request('POST', url('/people'), {
      payload: {
        subjectKind: 'customer',
        consents: [
          { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
        ],
        data: { account: { full_name: 'Claire', email: `claire-${unique()}@example.ca` } },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function audience(): Promise<Audience> {
    const response = await marketingTeam.request('GET', url('/marketing/audience?channel=email'));
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Audience>();
  }

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin: administrator } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kexara',
      'administrator',
    ));
    marketingTeam = await newStaffSession(app, organization, administrator, 'marketing-team');
  });

  it('kexara: the marketing team holds send-marketing; the administrator does not', async () => {
    const byAdministrator = await administrator.request(
      'GET',
      url('/marketing/audience?channel=email'),
    );
    expect(byAdministrator.statusCode).toBe(403);
    const sms = await marketingTeam.request('GET', url('/marketing/audience?channel=sms'));
    expect(sms.statusCode).toBe(400);
  });

  it('never signs with a key planted in the database: it does not unwrap, so a new one is made', async () => {
    const customer = await newCustomer();
    const scope = scopeOf(organization.organizationId);
    const planted = {
      keyId: 'planted00000000',
      masterKeyId: 'test',
      wrappedSecret: Buffer.alloc(60).toString('base64url'),
      createdAt: '2099-01-01T00:00:00.000Z',
    };
    await createLinkKeyStore(store().db).insert(scope, planted);
    const member = (await audience()).people.find((entry) => entry.personId === customer);
    const token = tokenOf(member?.unsubscribeUrl ?? '');
    expect(readLinkEnvelope(token)?.keyId).not.toBe(planted.keyId);
    const shown = await follow(app, member?.unsubscribeUrl ?? '', { method: 'GET' });
    expect(shown.statusCode, shown.body).toBe(200);
    // A link naming the planted key is refused.
    const [, payload, mac] = token.split('.') as [string, string, string];
    const renamed = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object),
        k: planted.keyId,
      }),
    ).toString('base64url');
    const refused = await follow(
      app,
      `http://x/api/v1/links/unsubscribe?token=${encodeURIComponent(`v1.${renamed}.${mac}`)}`,
    );
    expect(refused.statusCode).toBe(400);
  });

  it('kexara: marketing withdrawal is immediate — the next audience leaves the person out', async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const member = (await audience()).people.find((entry) => entry.personId === customer);
    expect(member).toBeDefined();
    // kexara offers the person scope only.
    expect(member?.familyUnsubscribeUrl).toBeUndefined();

    const outcome = await follow(app, member?.unsubscribeUrl ?? '');
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(outcome.json()).toMatchObject({
      withdrawnConsents: ['marketing-communications'],
      suppressedChannels: ['email'],
    });
    const after = (await audience()).people.map((entry) => entry.personId);
    expect(after).not.toContain(customer);
    expect(after).toContain(other);
    const consents = await administrator.request('GET', url(`/people/${customer}/consents`));
    expect(consents.json<{ consents: ConsentRecord[] }>().consents).toEqual([
      expect.objectContaining({
        consent: 'marketing-communications',
        status: 'withdrawn',
        withdrawalMethod: 'unsubscribe-link',
      }),
    ]);
  });
});

import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/app/context.js';
import { importPeople } from '../../src/app/people/import-people.js';
import { completeRightsRequest } from '../../src/app/rights/complete-rights-request.js';
import {
  extendRightsRequest,
  refuseRightsRequest,
} from '../../src/app/rights/decide-rights-request.js';
import { liftRestriction } from '../../src/app/rights/disclosures-and-restrictions.js';
import {
  listRightsRequests,
  rightsOnTimeReport,
} from '../../src/app/rights/list-rights-requests.js';
import { submitRightsRequestForPerson } from '../../src/app/rights/submit-rights-request.js';
import { remindRightsDeadlines } from '../../src/app/rights/remind-rights-deadlines.js';
import { recordRetentionEvent } from '../../src/app/retention/record-retention-event.js';
import { runRetention } from '../../src/app/retention/run-retention.js';
import { loadPersonFacts } from '../../src/app/consents/person-facts.js';
import { decideConsentBasis } from '../../src/domain/access-decision.js';
import { issueSelfServiceLink } from '../../src/app/self-service/invite-self-service.js';
import { inTransaction } from '../../src/store/db.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { createKeyStore } from '../../src/store/key-store.js';
import { completePendingShredsEverywhere } from '../../src/app/keys/complete-pending-shreds-everywhere.js';
import { createPersonStore } from '../../src/store/person-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  newStaffSession,
  organizationUrl,
  type ExamplePolicy,
  type StaffSession,
} from '../support/policy-app.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const DAY = 86_400_000;

describeEachDialect('data subject requests', ({ store }) => {
  let smtp: TestSmtpServer;
  let app: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await createTestApp(store(), { CUSTODIA_MAIL_SMTP_URL: smtp.url });
  });

  afterAll(async () => {
    await app.deps.mailer.close();
    await smtp.stop();
  });

  async function organizationUnder(
    policy: ExamplePolicy,
    role: string,
  ): Promise<{ organization: TestOrganization; admin: StaffSession }> {
    app.clock.set('2026-03-02T09:00:00.000Z');
    const organization = await newOrganization(app, {
      slug: `${policy}-${Math.random().toString(36).slice(2, 8)}`,
    });
    const { admin } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      policy,
      role,
    );
    return { organization, admin };
  }

  async function importRows(
    organization: TestOrganization,
    subjectKind: string,
    header: string,
    rows: string[],
  ): Promise<Map<string, string>> {
    const result = await importPeople(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { open: () => Readable.from([[header, ...rows].join('\n')]) },
      { subjectKind, dryRun: false, batchSize: 500 },
    );
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'imported' });
    const people = await createPersonStore(store().db).list(scopeOf(organization.organizationId), {
      limit: 1000,
    });
    return new Map(people.map((person) => [person.externalReference ?? '', person.id]));
  }

  async function selfServiceToken(organization: TestOrganization, personId: string) {
    const link = await inTransaction(store(), (trx) =>
      issueSelfServiceLink(
        { ...app.deps, dialect: store().dialect },
        trx,
        scopeOf(organization.organizationId),
        personId,
      ),
    );
    return link.token;
  }

  const selfService = (token: string, payload: object) =>
    app.server.inject({
      method: 'POST',
      url: `/api/v1/self-service/rights-requests?token=${encodeURIComponent(token)}`,
      payload,
    });

  async function categoriesOf(organization: TestOrganization, personId: string) {
    const values = await createPersonStore(store().db).values(
      scopeOf(organization.organizationId),
      personId,
    );
    return [...new Set(values.map((value) => value.categoryId))].sort();
  }

  function codeIn(text: string): string {
    const match = /\n\s+(\d{6})\n/.exec(text);
    expect(match, text).not.toBeNull();
    return match?.[1] ?? '';
  }

  describe('kexara (PIPEDA): 30 days; a copy in a structured format; deletion with legal exceptions', () => {
    let organization: TestOrganization;
    let admin: StaffSession;
    let people: Map<string, string>;
    const system = () => systemActor(organization.organizationId);

    beforeAll(async () => {
      ({ organization, admin } = await organizationUnder('kexara', 'administrator'));
      people = await importRows(
        organization,
        'customer',
        'external_reference,account.full_name,account.email,payment-records.billing_address,payment-records.payment_method_reference,payment-records.amount,payment-records.transaction_date,travel-preferences.travel_preferences',
        [
          'C-1,Ana Example,ana@example.org,1 Main St Toronto,pm_123,120.00,2026-02-01,Window seat CANARY-ANA',
          'C-2,Ben Other,ben@example.org,2 Side St Ottawa,pm_456,80.00,2026-02-02,Aisle seat CANARY-BEN',
        ],
      );
    });

    it('access through the self-service link: verified at once, answered with an expiring download', async () => {
      const ana = people.get('C-1') ?? '';
      const token = await selfServiceToken(organization, ana);
      smtp.clear();
      const made = await selfService(token, { kind: 'access' });
      expect(made.statusCode, made.body).toBe(201);
      const request = made.json<{
        id: string;
        status: string;
        dueAt: string;
        jurisdiction: string;
      }>();
      expect(request).toMatchObject({ status: 'verified', jurisdiction: 'pipeda' });
      // 30 calendar days from 2 March, to the end of that day in Toronto.
      expect(request.dueAt).toBe('2026-04-02T03:59:59.999Z');
      await smtp.waitFor(1);

      const queue = await admin.request(
        'GET',
        `${organizationUrl(organization)}/rights-requests?open=true`,
      );
      expect(queue.statusCode, queue.body).toBe(200);
      expect(queue.json<{ requests: { id: string }[] }>().requests.map((r) => r.id)).toContain(
        request.id,
      );

      smtp.clear();
      const completed = await completeRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        request.id,
        {},
        undefined,
      );
      expect(completed).toMatchObject({
        status: 'completed',
        supervisoryAuthority: { name: 'Office of the Privacy Commissioner of Canada' },
      });
      expect(JSON.stringify(completed)).not.toContain('token=');
      const [answer] = await smtp.waitFor(1);
      expect(answer?.to).toEqual(['ana@example.org']);
      expect(answer?.text).toContain('Privacy Commissioner');
      const link =
        /\/api\/v1\/links\/data-export\?token=([^\s]+)/.exec(answer?.text ?? '')?.[1] ?? '';
      const download = await app.server.inject({
        method: 'GET',
        url: `/api/v1/links/data-export?token=${link}`,
      });
      expect(download.statusCode, download.body.slice(0, 200)).toBe(200);
      expect(download.headers['content-type']).toBe('application/zip');
      expect(download.rawPayload.subarray(0, 2).toString()).toBe('PK');

      // Eight days on, the link is dead: refused and logged, nothing disclosed.
      app.clock.set(new Date(Date.parse('2026-03-02T09:00:00.000Z') + 8 * DAY));
      const late = await app.server.inject({
        method: 'GET',
        url: `/api/v1/links/data-export?token=${link}`,
      });
      expect(late.statusCode).toBe(410);
      expect(late.headers['content-type']).not.toBe('application/zip');
      app.clock.set('2026-03-02T09:00:00.000Z');
    });

    it('refuses a request for someone else’s data through one’s own link, logging it', async () => {
      const token = await selfServiceToken(organization, people.get('C-1') ?? '');
      const other = await selfService(token, { kind: 'access', personId: people.get('C-2') });
      expect(other.statusCode).toBe(404);
      expect(other.body).not.toContain('CANARY-BEN');
      const forged = await selfService(`${token}x`, { kind: 'access' });
      expect(forged.statusCode).toBe(400);
    });

    it('a guardian asks for their child, never for a child who is not theirs', async () => {
      const ana = people.get('C-1') ?? '';
      const child = async (name: string, guardians: object[]) => {
        const created = await admin.request('POST', `${organizationUrl(organization)}/people`, {
          payload: {
            subjectKind: 'customer',
            data: {
              account: {
                full_name: name,
                email: `${name.toLowerCase()}@example.org`,
                date_of_birth: '2011-06-01',
              },
            },
            guardians,
          },
        });
        expect(created.statusCode, created.body).toBe(201);
        return created.json<{ id: string }>().id;
      };
      const own = await child('Teen', [{ guardianId: ana, relationship: 'mother' }]);
      const stranger = await child('Stranger', []);
      const token = await selfServiceToken(organization, ana);
      const forOwn = await selfService(token, { kind: 'access', personId: own });
      expect(forOwn.statusCode, forOwn.body).toBe(201);
      expect(forOwn.json()).toMatchObject({ madeBy: 'guardian', personId: own, requesterId: ana });
      const forStranger = await selfService(token, { kind: 'access', personId: stranger });
      expect(forStranger.statusCode).toBe(404);
      expect(forStranger.body).not.toContain('Stranger');
    });

    it('keeps requests inside their organisation and away from roles without the right', async () => {
      const ana = people.get('C-1') ?? '';
      const token = await selfServiceToken(organization, ana);
      const made = await selfService(token, { kind: 'portability' });
      expect(made.statusCode, made.body).toBe(201);
      const id = made.json<{ id: string }>().id;
      const mine = await admin.request(
        'GET',
        `${organizationUrl(organization)}/rights-requests/${id}`,
      );
      expect(mine.statusCode, mine.body).toBe(200);

      const { organization: other, admin: otherAdmin } = await organizationUnder(
        'kexara',
        'administrator',
      );
      for (const url of [
        `${organizationUrl(other)}/rights-requests/${id}`,
        `${organizationUrl(organization)}/rights-requests/${id}`,
        `${organizationUrl(organization)}/rights-requests`,
      ]) {
        const answer = await otherAdmin.request('GET', url);
        expect(answer.statusCode, url).toBe(404);
        expect(answer.body).not.toContain(ana);
      }
      const completeElsewhere = await otherAdmin.request(
        'POST',
        `${organizationUrl(other)}/rights-requests/${id}/complete`,
        { payload: {} },
      );
      expect(completeElsewhere.statusCode).toBe(404);

      const agent = await newStaffSession(app, organization, admin, 'support-agent');
      const queue = await agent.request('GET', `${organizationUrl(organization)}/rights-requests`);
      expect(queue.statusCode).toBe(403);
      const complete = await agent.request(
        'POST',
        `${organizationUrl(organization)}/rights-requests/${id}/complete`,
        { payload: {} },
      );
      expect(complete.statusCode).toBe(403);
      const malformed = await admin.request(
        'POST',
        `${organizationUrl(organization)}/rights-requests/${id}/refuse`,
        { payload: { reason: 'because' } },
      );
      expect(malformed.statusCode).toBe(400);
      expect(malformed.body).toContain('reason');
    });

    it('rectification by phone: a code to the address on record, replay refused, recipients told', async () => {
      const ana = people.get('C-1') ?? '';
      await recordDisclosureAsAdmin(admin, organization, ana);
      smtp.clear();
      const request = await submitRightsRequestForPerson(
        app.deps,
        system(),
        organization.organizationId,
        ana,
        {
          kind: 'rectification',
          channel: 'phone',
          madeBy: 'subject',
          details: {
            changes: { 'travel-preferences': { travel_preferences: 'Aisle seat, vegetarian' } },
          },
        },
        undefined,
      );
      expect(request).toMatchObject({ status: 'received', dueAt: null, madeBy: 'staff-on-behalf' });
      const [codeEmail] = await smtp.waitFor(1);
      expect(codeEmail?.to).toEqual(['ana@example.org']);
      const code = codeIn(codeEmail?.text ?? '');
      const verify = (value: string) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/rights-requests/verify',
          payload: {
            organizationId: organization.organizationId,
            requestId: request.id,
            code: value,
          },
        });
      const wrong = await verify(code === '000000' ? '000001' : '000000');
      expect(wrong.statusCode).toBe(400);
      const right = await verify(code);
      expect(right.statusCode, right.body).toBe(200);
      const replay = await verify(code);
      expect(replay.statusCode).toBe(400);
      const refusals = (
        await createAuditStore(store().db, store().dialect).list(
          scopeOf(organization.organizationId),
          { limit: 1000 },
        )
      ).filter((event) => event.action === 'rights.verification-refused');
      expect(refusals.map((event) => event.details.reason)).toEqual(
        expect.arrayContaining(['wrong-code', 'replayed']),
      );

      smtp.clear();
      const done = await completeRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        request.id,
        {},
        undefined,
      );
      expect(done.outcome).toMatchObject({
        corrected: { 'travel-preferences': ['travel_preferences'] },
        notified: ['tour-partners'],
      });
      const emails = await smtp.waitFor(2);
      const partner = emails.find((email) => email.to.includes('privacy@tour-partners.example'));
      expect(partner?.subject).toContain(request.id);
      expect(partner?.text).not.toContain('vegetarian');
    });

    it('erasure within 30 days keeps the payment records the tax law requires, and says until when', async () => {
      const ben = people.get('C-2') ?? '';
      const token = await selfServiceToken(organization, ben);
      const made = await selfService(token, { kind: 'erasure' });
      expect(made.statusCode, made.body).toBe(201);
      const id = made.json<{ id: string }>().id;
      smtp.clear();
      const done = await completeRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        id,
        {},
        undefined,
      );
      // The answer reaches the person although their address was erased by it.
      const [answer] = await smtp.waitFor(1);
      expect(answer?.to).toEqual(['ben@example.org']);
      expect(answer?.text).toContain('except what the law makes us keep');
      // The erased keys are destroyed at once; one rotation a minute serves every erasure.
      const keys = createKeyStore(store().db, store().dialect);
      const scope = scopeOf(organization.organizationId);
      expect(await keys.countKeysAwaitingRotation(scope)).toBeGreaterThan(0);
      expect(await completePendingShredsEverywhere(app.deps)).toContainEqual(
        expect.objectContaining({ organizationId: organization.organizationId }),
      );
      expect(await keys.countKeysAwaitingRotation(scope)).toBe(0);
      expect(await categoriesOf(organization, ben), JSON.stringify(done.outcome)).toEqual([
        'payment-records',
      ]);
      expect(done.outcome).toMatchObject({
        erasure: {
          erasedWhole: false,
          kept: [
            {
              category: 'payment-records',
              why: 'tax-records: legal obligation (Tax and financial regulations (Income Tax Act s. 230))',
              until: '2033-02-02T00:00:00.000Z',
            },
          ],
        },
      });
      expect(done.closedAt !== null && done.closedAt <= (done.dueAt ?? '')).toBe(true);
      // A second answer is refused: the request is closed.
      await expect(
        completeRightsRequest(app.deps, system(), organization.organizationId, id, {}, undefined),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  async function recordDisclosureAsAdmin(
    admin: StaffSession,
    organization: TestOrganization,
    personId: string,
  ) {
    const recorded = await admin.request(
      'POST',
      `${organizationUrl(organization)}/people/${personId}/disclosures`,
      { payload: { thirdParty: 'tour-partners', categories: ['travel-preferences'] } },
    );
    expect(recorded.statusCode, recorded.body).toBe(201);
  }

  describe('career-masterclass (UK GDPR): one calendar month, extended with a reason', () => {
    it('a request verified on 31 January is due at the end of February; the extension adds two months', async () => {
      const { organization } = await organizationUnder('career-masterclass', 'administrator');
      const people = await importRows(
        organization,
        'learner',
        'external_reference,contact-details.name,contact-details.email,account.username,account.registered_at',
        ['L-1,Lee Learner,lee@example.org,lee,2026-01-01T00:00:00Z'],
      );
      app.clock.set('2027-01-31T15:00:00.000Z');
      const token = await selfServiceToken(organization, people.get('L-1') ?? '');
      const made = await selfService(token, { kind: 'access' });
      expect(made.statusCode, made.body).toBe(201);
      const request = made.json<{ id: string; dueAt: string }>();
      // 28 February 2027 is a Sunday: the ICO lets the due date move to Monday 1 March.
      expect(request.dueAt).toBe('2027-03-01T23:59:59.999Z');
      const system = systemActor(organization.organizationId);
      smtp.clear();
      const extended = await extendRightsRequest(
        app.deps,
        system,
        organization.organizationId,
        request.id,
        { reason: 'Your records span several systems that we must search.' },
        undefined,
      );
      // Two months from the end of the first period (28 February), not from the moved due date.
      expect(extended.extendedDueAt).toBe('2027-04-28T22:59:59.999Z');
      const [notice] = await smtp.waitFor(1);
      expect(notice?.text).toContain('several systems');
      expect(notice?.text).toContain("Information Commissioner's Office");
      await expect(
        extendRightsRequest(
          app.deps,
          system,
          organization.organizationId,
          request.id,
          { reason: 'Once more, please wait.' },
          undefined,
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      app.clock.set('2027-05-01T00:00:00.000Z');
      const overdue = await listRightsRequests(app.deps, system, organization.organizationId, {
        overdue: true,
        limit: 10,
      });
      expect(overdue.requests.map((r) => r.id)).toEqual([request.id]);
      const report = await rightsOnTimeReport(app.deps, system, organization.organizationId, {
        from: '2027-01-01',
        to: '2027-12-31',
      });
      expect(report.total).toMatchObject({ received: 1, open: 1, openOverdue: 1, extended: 1 });
    });
  });

  describe('reminders: staff are told before a deadline, once', () => {
    it('emails the handlers three business days before the due date, and only once', async () => {
      const { organization } = await organizationUnder('career-masterclass', 'administrator');
      const people = await importRows(
        organization,
        'learner',
        'external_reference,contact-details.name,contact-details.email,account.username,account.registered_at',
        ['L-3,Rae Learner,rae@example.org,rae,2026-01-01T00:00:00Z'],
      );
      app.clock.set('2026-04-01T10:00:00.000Z');
      const token = await selfServiceToken(organization, people.get('L-3') ?? '');
      const made = await selfService(token, { kind: 'access' });
      const request = made.json<{ id: string; dueAt: string }>();
      expect(request.dueAt).toBe('2026-05-01T22:59:59.999Z');
      smtp.clear();
      app.clock.set('2026-04-24T10:00:00.000Z');
      expect(await remindRightsDeadlines(app.deps)).not.toContainEqual(
        expect.objectContaining({ organizationId: organization.organizationId }),
      );
      // Three business days before Friday 1 May: from Tuesday 28 April (Monday 4 May is a holiday
      // but comes after).
      app.clock.set('2026-04-28T08:00:00.000Z');
      expect(await remindRightsDeadlines(app.deps)).toContainEqual({
        organizationId: organization.organizationId,
        reminded: 1,
      });
      // Other organisations' open requests may be reminded by the same tick: find ours.
      const reminder = (await smtp.waitFor(1)).find((email) =>
        email.to.includes(organization.adminEmail),
      );
      expect(reminder?.text).toContain(request.id);
      expect(await remindRightsDeadlines(app.deps)).not.toContainEqual(
        expect.objectContaining({ organizationId: organization.organizationId }),
      );
    });
  });

  describe('career-masterclass: an authorised agent', () => {
    it('needs the signed authorisation, and the person confirms with the code', async () => {
      const { organization } = await organizationUnder('career-masterclass', 'administrator');
      const people = await importRows(
        organization,
        'learner',
        'external_reference,contact-details.name,contact-details.email,account.username,account.registered_at',
        ['L-2,Lou Learner,lou@example.org,lou,2026-01-01T00:00:00Z'],
      );
      const system = systemActor(organization.organizationId);
      const lou = people.get('L-2') ?? '';
      await expect(
        submitRightsRequestForPerson(
          app.deps,
          system,
          organization.organizationId,
          lou,
          { kind: 'access', channel: 'email', madeBy: 'authorised-agent', details: {} },
          undefined,
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      smtp.clear();
      const request = await submitRightsRequestForPerson(
        app.deps,
        system,
        organization.organizationId,
        lou,
        {
          kind: 'access',
          channel: 'email',
          madeBy: 'authorised-agent',
          agent: {
            name: 'Fair Data Agency',
            authorisationReference: 'AUTH-2026-17 (signed 2 March)',
          },
          details: {},
        },
        undefined,
      );
      expect(request).toMatchObject({
        status: 'received',
        madeBy: 'authorised-agent',
        agent: { name: 'Fair Data Agency' },
      });
      const [email] = await smtp.waitFor(1);
      expect(email?.to).toEqual(['lou@example.org']);
      const verified = await app.server.inject({
        method: 'POST',
        url: '/api/v1/rights-requests/verify',
        payload: {
          organizationId: organization.organizationId,
          requestId: request.id,
          code: codeIn(email?.text ?? ''),
        },
      });
      expect(verified.statusCode, verified.body).toBe(200);
      // Another organisation's id with the right code: nothing.
      const elsewhere = await app.server.inject({
        method: 'POST',
        url: '/api/v1/rights-requests/verify',
        payload: { organizationId: 'no-such-org', requestId: request.id, code: '123456' },
      });
      expect(elsewhere.statusCode).toBe(400);
    });
  });

  describe('kajuyali (Law 1581): business days across a Colombian public holiday', () => {
    it('a consultation counts 10 business days, skipping Holy Week; a claim 15', async () => {
      const { organization } = await organizationUnder('kajuyali', 'level-a');
      const people = await importRows(
        organization,
        'participant',
        'external_reference,contact-data.full_name,contact-data.email,contact-data.phone,participant-data.full_name,participant-data.date_of_birth,participant-data.emergency_contact,medical-data.allergies,consent.terms-and-data-authorisation',
        [
          'K-1,Kay,kay@example.org,+57 300 1,Kay,1990-01-01,"{""name"":""X""}",none,KCTGMPDATAFORM22-K-1',
        ],
      );
      // Friday 27 March 2026, in Bogotá. Holy Thursday and Good Friday (2–3 April) are holidays.
      app.clock.set('2026-03-27T15:00:00.000Z');
      const token = await selfServiceToken(organization, people.get('K-1') ?? '');
      const consultation = await selfService(token, { kind: 'access' });
      expect(consultation.statusCode, consultation.body).toBe(201);
      expect(consultation.json()).toMatchObject({
        requestKind: 'consultation',
        jurisdiction: 'colombia-1581',
      });
      // 30, 31 Mar, 1, 6, 7, 8, 9, 10, 13, 14 April: the tenth business day is 14 April.
      expect(consultation.json<{ dueAt: string }>().dueAt).toBe('2026-04-15T04:59:59.999Z');
      const claim = await selfService(token, {
        kind: 'rectification',
        details: { changes: { 'contact-data': { phone: '+57 300 2' } } },
      });
      expect(claim.statusCode, claim.body).toBe(201);
      expect(claim.json()).toMatchObject({ requestKind: 'claim' });
      // Fifteen business days: 30 Mar … 21 April.
      expect(claim.json<{ dueAt: string }>().dueAt).toBe('2026-04-22T04:59:59.999Z');
    });
  });

  describe('careerexplorer (PIPEDA): account deletion is irreversible, anonymised answers kept', () => {
    it('erases the person whole and answers that only anonymised data remains', async () => {
      const { organization } = await organizationUnder('careerexplorer', 'administrator');
      const people = await importRows(
        organization,
        'user',
        'external_reference,account.email,account.name,account.password_hash,assessment-and-career-history.assessment_responses',
        ['U-1,gone@example.org,Gone,argon2id$x,"{""q1"":5}"'],
      );
      const person = people.get('U-1') ?? '';
      const token = await selfServiceToken(organization, person);
      const made = await selfService(token, { kind: 'erasure' });
      expect(made.statusCode, made.body).toBe(201);
      smtp.clear();
      const done = await completeRightsRequest(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        made.json<{ id: string }>().id,
        {},
        undefined,
      );
      expect(done.outcome).toMatchObject({
        erasure: { erasedWhole: true, anonymised: ['assessment-and-career-history'], kept: [] },
      });
      expect(
        await createPersonStore(store().db).findById(scopeOf(organization.organizationId), person),
      ).toBeUndefined();
      // The answer reached the person before their address was gone? No: it is erased with them.
      // The request and its audit entries remain as the proof the right was honoured.
      const queue = await listRightsRequests(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { limit: 10 },
      );
      expect(queue.requests[0]).toMatchObject({ status: 'completed', kind: 'erasure' });
    });
  });

  describe('kindergarten (EU GDPR): objection and restriction act at once; contract end deletes', () => {
    let organization: TestOrganization;
    let people: Map<string, string>;
    const system = () => systemActor(organization.organizationId);

    beforeAll(async () => {
      ({ organization } = await organizationUnder(
        'kindergarten-platform',
        'institution-administrator',
      ));
      people = await importRows(
        organization,
        'parent',
        'external_reference,parent-contact.name,parent-contact.email,parent-contact.phone,technical-data.feature_usage',
        ['P-1,Pat Parent,pat@example.org,+49 30 1,"{""photos"":3}"'],
      );
    });

    async function decision(categoryId: string, action: 'read' | 'write') {
      const scope = scopeOf(organization.organizationId);
      const active = await app.deps.policies.active(store().db, scope);
      const person = await createPersonStore(store().db).findById(scope, people.get('P-1') ?? '');
      if (active === undefined || person === undefined) {
        throw new Error('set-up');
      }
      const facts = await loadPersonFacts(
        { ...app.deps, dialect: store().dialect },
        store().db,
        scope,
        active,
        person,
      );
      return decideConsentBasis(active.policy, categoryId, action, undefined, facts.consent);
    }

    it('an objection to service improvement stops the use of technical data; overriding grounds resume it', async () => {
      expect(await decision('technical-data', 'read')).toEqual({ allowed: true });
      const token = await selfServiceToken(organization, people.get('P-1') ?? '');
      const made = await selfService(token, {
        kind: 'objection',
        details: { purposes: ['service-improvement'] },
      });
      expect(made.statusCode, made.body).toBe(201);
      // Objecting to a contract purpose is refused: Art. 21 covers legitimate interests.
      const wrong = await selfService(token, {
        kind: 'objection',
        details: { purposes: ['administration'] },
      });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('details.purposes');
      const done = await completeRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        made.json<{ id: string }>().id,
        {},
        undefined,
      );
      expect(await decision('technical-data', 'read')).toEqual({
        allowed: false,
        reason: 'the person objected to every purpose that uses "technical-data" (GDPR Art. 21)',
      });
      expect(await decision('parent-contact', 'read')).toEqual({ allowed: true });
      const [restrictionId] = (done.outcome?.restrictionIds ?? []) as string[];
      await liftRestriction(
        app.deps,
        system(),
        organization.organizationId,
        restrictionId ?? '',
        { overridingGrounds: 'Security monitoring of the platform needs these error logs.' },
        undefined,
      );
      expect(await decision('technical-data', 'read')).toEqual({ allowed: true });
    });

    it('a restriction keeps the data stored but stops writes and reads', async () => {
      const token = await selfServiceToken(organization, people.get('P-1') ?? '');
      const made = await selfService(token, {
        kind: 'restriction',
        details: { categories: ['parent-contact'] },
      });
      expect(made.statusCode, made.body).toBe(201);
      await completeRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        made.json<{ id: string }>().id,
        {},
        undefined,
      );
      expect(await decision('parent-contact', 'write')).toEqual({
        allowed: false,
        reason: 'the person restricted the processing of "parent-contact" (GDPR Art. 18)',
      });
      expect(await categoriesOf(organization, people.get('P-1') ?? '')).toContain('parent-contact');
    });

    it('refuses with a machine-readable reason and names the supervisory authority', async () => {
      const made = await submitRightsRequestForPerson(
        app.deps,
        system(),
        organization.organizationId,
        people.get('P-1') ?? '',
        { kind: 'access', channel: 'email', madeBy: 'subject', details: {} },
        undefined,
      ).catch((error: unknown) => error);
      // kindergarten staff may not file for a parent: only guardians and institutions act for others.
      expect(made).toMatchObject({ code: 'VALIDATION_FAILED' });
      const token = await selfServiceToken(organization, people.get('P-1') ?? '');
      const own = await selfService(token, { kind: 'access' });
      smtp.clear();
      const refused = await refuseRightsRequest(
        app.deps,
        system(),
        organization.organizationId,
        own.json<{ id: string }>().id,
        { reason: 'too-many-requests', note: 'You received a full copy last week.' },
        undefined,
      );
      expect(refused).toMatchObject({ status: 'refused', refusalReason: 'too-many-requests' });
      const [email] = await smtp.waitFor(1);
      expect(email?.text).toContain('too many requests');
      expect(email?.text).toContain(refused.supervisoryAuthority?.name ?? 'no authority');
    });

    it('the contract’s end deletes parents’ data after 30 days; statutory records stay 10 years', async () => {
      const institution = await importRows(
        organization,
        'institution-contact',
        'external_reference,institution.trade_name,institution.contact_name,institution.contact_email',
        ['I-1,Little Steps,Ines,ines@littlesteps.example'],
      );
      app.clock.set('2026-06-01T00:00:00.000Z');
      const recorded = await recordRetentionEvent(
        app.deps,
        system(),
        organization.organizationId,
        { trigger: 'contract-terminated' },
        undefined,
      );
      expect(recorded.personId).toBeNull();
      const run = (asOf: string) =>
        runRetention(app.deps, system(), organization.organizationId, { asOf: new Date(asOf) });
      await run('2026-06-30T00:00:00.000Z');
      expect(await categoriesOf(organization, people.get('P-1') ?? '')).toContain('parent-contact');
      await run('2026-07-02T00:00:00.000Z');
      expect(
        await createPersonStore(store().db).findById(
          scopeOf(organization.organizationId),
          people.get('P-1') ?? '',
        ),
      ).toBeUndefined();
      expect(await categoriesOf(organization, institution.get('I-1') ?? '')).toEqual([
        'institution',
      ]);
      await run('2036-06-02T00:00:00.000Z');
      expect(
        await createPersonStore(store().db).findById(
          scopeOf(organization.organizationId),
          institution.get('I-1') ?? '',
        ),
      ).toBeUndefined();
    });
  });
});

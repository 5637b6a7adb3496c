import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/app/context.js';
import { importPeople } from '../../src/app/people/import-people.js';
import {
  answerRetentionReview,
  listRetentionReviews,
} from '../../src/app/retention/answer-retention-review.js';
import { listAnonymisedRecords } from '../../src/app/retention/list-anonymised-records.js';
import { planRetention } from '../../src/app/retention/plan-retention.js';
import { recordRetentionEvent } from '../../src/app/retention/record-retention-event.js';
import { runRetention } from '../../src/app/retention/run-retention.js';
import { createAuditStore } from '../../src/store/audit-store.js';
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
import { activateExamplePolicy, type ExamplePolicy } from '../support/policy-app.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

/** A CSV file for `importPeople`, as the operator's `custodia import` would read it. */
function csv(text: string) {
  return { open: () => Readable.from([text]) };
}

function quoted(value: unknown): string {
  return `"${JSON.stringify(value).replaceAll('"', '""')}"`;
}

describeEachDialect('retention actions: anonymise and review', ({ store }) => {
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

  async function organizationUnder(policy: ExamplePolicy, role: string) {
    const organization = await newOrganization(app, { slug: `${policy}-${String(Date.now())}` });
    await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      policy,
      role,
    );
    return organization;
  }

  async function importRows(organization: TestOrganization, subjectKind: string, text: string) {
    const result = await importPeople(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      csv(text),
      { subjectKind, dryRun: false, batchSize: 500 },
    );
    expect(result).toMatchObject({ outcome: 'imported' });
    const people = await createPersonStore(store().db).list(scopeOf(organization.organizationId), {
      limit: 1000,
    });
    return new Map(people.map((person) => [person.externalReference ?? '', person.id]));
  }

  async function categoriesOf(organization: TestOrganization, personId: string) {
    const values = await createPersonStore(store().db).values(
      scopeOf(organization.organizationId),
      personId,
    );
    return [...new Set(values.map((value) => value.categoryId))].sort();
  }

  async function auditActions(organization: TestOrganization, personId: string) {
    const events = await createAuditStore(store().db, store().dialect).list(
      scopeOf(organization.organizationId),
      { limit: 1000 },
    );
    return events.filter((event) => event.subjectId === personId).map((event) => event.action);
  }

  const run = (organization: TestOrganization, asOf: string) =>
    runRetention(app.deps, systemActor(organization.organizationId), organization.organizationId, {
      asOf: new Date(asOf),
    });

  describe('careerexplorer: account deletion is irreversible, anonymised assessments are kept', () => {
    let organization: TestOrganization;
    let people: Map<string, string>;
    const answers = { q1: 4, q2: 2, interests: ['design', 'outdoors'] };

    beforeAll(async () => {
      organization = await organizationUnder('careerexplorer', 'administrator');
      people = await importRows(
        organization,
        'user',
        [
          'external_reference,account.email,account.name,account.password_hash,assessment-and-career-history.assessment_responses,assessment-and-career-history.career_history,public-posts.content,public-posts.posted_at,usage-metadata.ip_address,support-messages.email,support-messages.message',
          [
            'U-1',
            'leaving@example.org',
            'Leaving CANARY-NAME',
            'argon2id$stub',
            quoted(answers),
            quoted(['barista', 'designer']),
            'My CANARY-POST',
            '2026-02-01T10:00:00Z',
            '203.0.113.77',
            'leaving@example.org',
            'Help CANARY-SUPPORT',
          ].join(','),
          [
            'U-2',
            'staying@example.org',
            'Staying',
            'argon2id$stub',
            quoted({ q1: 1 }),
            quoted([]),
            'Still here',
            '2026-02-01T10:00:00Z',
            '198.51.100.1',
            'staying@example.org',
            'Hello',
          ].join(','),
        ].join('\n'),
      );
    });

    it('a deletion request erases the person whole and keeps only an anonymous copy of the answers', async () => {
      const leaving = people.get('U-1') ?? '';
      const staying = people.get('U-2') ?? '';
      const recorded = await recordRetentionEvent(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { trigger: 'deletion-requested', personId: leaving },
        undefined,
      );
      expect(recorded.trigger).toBe('deletion-requested');

      const report = await run(organization, '2026-03-03T00:00:00.000Z');
      expect(report).toMatchObject({ peopleErased: 1, categoriesAnonymised: 1 });
      expect(
        await createPersonStore(store().db).findById(scopeOf(organization.organizationId), leaving),
      ).toBeUndefined();
      expect(await categoriesOf(organization, staying)).toEqual([
        'account',
        'assessment-and-career-history',
        'public-posts',
        'support-messages',
        'usage-metadata',
      ]);
      expect(await auditActions(organization, leaving)).toEqual(
        expect.arrayContaining([
          'retention.category-anonymised',
          'key.shred',
          'retention.person-erased',
        ]),
      );

      const kept = await listAnonymisedRecords(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { category: 'assessment-and-career-history', limit: 100 },
      );
      expect(kept.records).toHaveLength(1);
      const [record] = kept.records;
      expect(record?.fields).toEqual({
        assessment_responses: JSON.stringify(answers),
        career_history: JSON.stringify(['barista', 'designer']),
      });
      expect(record?.anonymisedIn).toBe('2026-03');
      // Nothing in it, nor in the audit entry about it, leads back to the person.
      const serialised = JSON.stringify(kept);
      for (const trace of [leaving, 'leaving@example.org', 'CANARY-NAME']) {
        expect(serialised).not.toContain(trace);
      }
      const events = await createAuditStore(store().db, store().dialect).list(
        scopeOf(organization.organizationId),
        { limit: 1000 },
      );
      expect(JSON.stringify(events)).not.toContain(record?.id ?? 'no record');

      // Idempotent: nothing more to do, and no second anonymous copy.
      expect(await run(organization, '2026-03-03T00:00:00.000Z')).toMatchObject({
        peopleErased: 0,
        categoriesAnonymised: 0,
        categoriesDeleted: 0,
      });
      expect(
        (
          await listAnonymisedRecords(
            app.deps,
            systemActor(organization.organizationId),
            organization.organizationId,
            { category: 'assessment-and-career-history', limit: 100 },
          )
        ).records,
      ).toHaveLength(1);
    });

    it('refuses to list anonymised records of a category the policy does not have', async () => {
      await expect(
        listAnonymisedRecords(
          app.deps,
          systemActor(organization.organizationId),
          organization.organizationId,
          { category: 'no-such-category', limit: 10 },
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('career-masterclass: usage data anonymised at 24 months while the account lives on', () => {
    it('cuts the address to its network, drops the location and keeps the journey', async () => {
      const organization = await organizationUnder('career-masterclass', 'administrator');
      const people = await importRows(
        organization,
        'learner',
        [
          'external_reference,contact-details.name,contact-details.email,account.username,account.registered_at,website-usage.ip_address,website-usage.user_journey,website-usage.location,website-usage.device',
          `L-1,Lee Learner,lee@example.org,lee,2026-03-01T00:00:00Z,203.0.113.77,${quoted(['/courses', '/checkout'])},12 CANARY Street,phone`,
        ].join('\n'),
      );
      const learner = people.get('L-1') ?? '';
      const plan = await planRetention(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { asOf: new Date('2028-03-03T00:00:00.000Z') },
      );
      expect(plan.entries).toContainEqual(
        expect.objectContaining({
          personId: learner,
          category: 'website-usage',
          status: 'due',
          action: 'anonymise',
          rule: 'usage-anonymised-24-months',
        }),
      );
      // A day before the 24 months: nothing.
      expect(await run(organization, '2028-03-01T00:00:00.000Z')).toMatchObject({
        categoriesAnonymised: 0,
      });
      expect(await run(organization, '2028-03-03T00:00:00.000Z')).toMatchObject({
        categoriesAnonymised: 1,
        peopleErased: 0,
      });
      // The account is open: contact details follow it (the collected fallback is for prospects).
      expect(await categoriesOf(organization, learner)).toEqual(['account', 'contact-details']);
      const kept = await listAnonymisedRecords(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { category: 'website-usage', limit: 10 },
      );
      expect(kept.records.map((record) => record.fields)).toEqual([
        {
          ip_address: '203.0.0.0/16',
          user_journey: JSON.stringify(['/courses', '/checkout']),
          device: 'phone',
        },
      ]);
    });
  });

  describe('kajuyali §5.5: after 10 years we ask; "no" or silence deletes, "yes" keeps', () => {
    let organization: TestOrganization;
    let people: Map<string, string>;
    const TEN_YEARS_ON = '2036-03-03T00:00:00.000Z';

    beforeAll(async () => {
      app.clock.set('2026-03-02T09:00:00.000Z');
      organization = await organizationUnder('kajuyali', 'level-a');
      const row = (reference: string, email: string) =>
        [
          reference,
          `Person ${reference}`,
          email,
          '+57 300 1000000',
          `Person ${reference}`,
          '1990-03-04',
          quoted({ name: 'Someone', phone: '+57 301 1' }),
          'none',
          `KCTGMPDATAFORM22-${reference}`,
        ].join(',');
      people = await importRows(
        organization,
        'participant',
        [
          'external_reference,contact-data.full_name,contact-data.email,contact-data.phone,participant-data.full_name,participant-data.date_of_birth,participant-data.emergency_contact,medical-data.allergies,consent.terms-and-data-authorisation',
          row('K-KEEP', 'keep@example.org'),
          row('K-NO', 'no@example.org'),
          row('K-SILENT', 'silent@example.org'),
        ].join('\n'),
      );
    });

    it('asks each person by email with a link, then acts on each answer and on silence', async () => {
      smtp.clear();
      app.clock.set(TEN_YEARS_ON);
      const first = await run(organization, TEN_YEARS_ON);
      expect(first).toMatchObject({ reviewsAsked: 3, reviewEmails: { sent: 3, failed: 0 } });
      const emails = await smtp.waitFor(3);
      const linkOf = (address: string) => {
        const message = emails.find((email) => email.to.includes(address));
        const match = /\/api\/v1\/links\/retention-review\?token=([^\s]+)/.exec(
          message?.text ?? '',
        );
        expect(match, `the email to ${address}`).not.toBeNull();
        return match?.[1] ?? '';
      };
      // A second run while the answers are awaited asks nobody again.
      expect(await run(organization, TEN_YEARS_ON)).toMatchObject({ reviewsAsked: 0 });
      expect(await smtp.waitFor(3)).toHaveLength(3);

      const question = await app.server.inject({
        method: 'GET',
        url: `/api/v1/links/retention-review?token=${linkOf('keep@example.org')}`,
      });
      expect(question.statusCode, question.body).toBe(200);
      expect(question.json()).toMatchObject({
        questions: [{ category: 'contact-data', rule: 'contact-10-years-then-ask' }],
      });
      const answer = (address: string, value: string) =>
        app.server.inject({
          method: 'POST',
          url: `/api/v1/links/retention-review?token=${linkOf(address)}`,
          payload: { answer: value },
        });
      expect((await answer('keep@example.org', 'keep')).statusCode).toBe(200);
      expect((await answer('no@example.org', 'no')).statusCode).toBe(200);
      // Replayed: the question is closed, nothing changes.
      const replay = await answer('no@example.org', 'keep');
      expect(replay.statusCode).toBe(409);
      expect((await answer('no@example.org', 'maybe')).statusCode).toBe(400);

      const afterAnswers = await run(organization, '2036-03-04T00:00:00.000Z');
      expect(afterAnswers.categoriesDeleted).toBeGreaterThanOrEqual(1);
      const keep = people.get('K-KEEP') ?? '';
      const no = people.get('K-NO') ?? '';
      const silent = people.get('K-SILENT') ?? '';
      expect(await categoriesOf(organization, keep)).toContain('contact-data');
      expect(await categoriesOf(organization, no)).not.toContain('contact-data');
      expect(await categoriesOf(organization, silent)).toContain('contact-data');

      // Silence: the 30 days run out, and the link with them.
      app.clock.set('2036-04-03T00:00:00.000Z');
      const late = await app.server.inject({
        method: 'POST',
        url: `/api/v1/links/retention-review?token=${linkOf('silent@example.org')}`,
        payload: { answer: 'keep' },
      });
      expect(late.statusCode).toBe(410);
      await run(organization, '2036-04-03T00:00:00.000Z');
      expect(await categoriesOf(organization, silent)).not.toContain('contact-data');
      expect(await categoriesOf(organization, keep)).toContain('contact-data');
      expect(await auditActions(organization, silent)).toEqual(
        expect.arrayContaining([
          'retention.review-opened',
          'retention.review-asked',
          'retention.category-deleted',
        ]),
      );

      // "Keep" bought ten more years from the cycle: asked again in 2046, not before.
      const plan = await planRetention(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { asOf: new Date('2040-01-01T00:00:00.000Z') },
      );
      expect(plan.entries).toContainEqual(
        expect.objectContaining({
          personId: keep,
          category: 'contact-data',
          status: 'scheduled',
          action: 'review',
          dueAt: '2046-03-02T09:00:00.000Z',
        }),
      );
    });

    it('staff see open questions and record an answer received by phone', async () => {
      app.clock.set('2046-03-03T00:00:00.000Z');
      await run(organization, '2046-03-03T00:00:00.000Z');
      const queue = await listRetentionReviews(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
      );
      const open = queue.questions.find((question) => question.personId === people.get('K-KEEP'));
      expect(open).toMatchObject({ category: 'contact-data', askedVia: 'subject' });
      const answered = await answerRetentionReview(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        open?.reviewId ?? '',
        { answer: 'no', note: 'Phoned on 4 March' },
        undefined,
      );
      expect(answered).toMatchObject({ answer: 'no', answered: ['contact-data'] });
      await expect(
        answerRetentionReview(
          app.deps,
          systemActor(organization.organizationId),
          organization.organizationId,
          open?.reviewId ?? '',
          { answer: 'keep' },
          undefined,
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
});

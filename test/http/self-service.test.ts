import { afterAll, beforeAll, expect, it } from 'vitest';
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
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const DAY = 86_400_000;
/** Ages on the test clock's 2026-03-02. */
const AGE_15 = '2010-06-01';
const AGE_19 = '2006-06-01';
const AGE_40 = '1985-09-12';

describeEachDialect(
  'self-service links: a person and a guardian act without an account',
  ({ store }) => {
    let smtp: TestSmtpServer;
    let app: TestApp;
    let organization: TestOrganization;
    let officer: StaffSession;
    let parentId: string;
    let teenId: string;
    let adultChildId: string;
    let strangerTeenId: string;
    let parentToken: string;
    const url = (path: string) => `${organizationUrl(organization)}${path}`;
    const customer = (name: string, dateOfBirth: string) => ({
      account: {
        full_name: name,
        email: `${name.toLowerCase().replaceAll(' ', '.')}@example.org`,
        date_of_birth: dateOfBirth,
      },
    });

    async function createCustomer(
      name: string,
      dateOfBirth: string,
      extra: object = {},
    ): Promise<string> {
      const created = await officer.request('POST', url('/people'), {
        payload: { subjectKind: 'customer', data: customer(name, dateOfBirth), ...extra },
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<{ id: string }>().id;
    }

    /** Staff send the invitation; the link is read from the email the SMTP server received. */
    async function linkFor(personId: string, address: string): Promise<string> {
      smtp.clear();
      const invited = await officer.request(
        'POST',
        url(`/people/${personId}/self-service-invitations`),
      );
      expect(invited.statusCode, invited.body).toBe(202);
      expect(invited.body).not.toContain('token');
      const [message] = await smtp.waitFor(1);
      expect(message?.to).toEqual([address]);
      const match = /\/api\/v1\/self-service\?token=([^\s]+)/.exec(message?.text ?? '');
      expect(match).not.toBeNull();
      return decodeURIComponent(match?.[1] ?? '');
    }

    const self = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      path: string,
      token: string,
      payload?: object,
      headers: Record<string, string> = {},
    ) =>
      app.server.inject({
        method,
        url: `/api/v1/self-service${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });

    beforeAll(async () => {
      smtp = await startSmtpServer();
      app = await createTestApp(store(), { CUSTODIA_MAIL_SMTP_URL: smtp.url });
      organization = await newOrganization(app);
      ({ admin: officer } = await activateExamplePolicy(
        app,
        organization,
        await logInAdmin(app, organization),
        'kexara',
        'administrator',
      ));
      parentId = await createCustomer('Parent Person', AGE_40, {
        consents: [
          { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
        ],
      });
      teenId = await createCustomer('Teen Person', AGE_15, {
        guardians: [{ guardianId: parentId, relationship: 'mother' }],
      });
      adultChildId = await createCustomer('Grown Person', AGE_19, {
        guardians: [{ guardianId: parentId, relationship: 'mother' }],
      });
      strangerTeenId = await createCustomer('Other Teen', AGE_15);
      parentToken = await linkFor(parentId, 'parent.person@example.org');
    });

    afterAll(async () => {
      await app.deps.mailer.close();
      await smtp.stop();
    });

    it('kexara 13–18: the guardian sees which children they may act for, and how', async () => {
      const overview = await self('GET', '', parentToken);
      expect(overview.statusCode, overview.body).toBe(200);
      expect(overview.json()).toMatchObject({
        person: { id: parentId, subjectKind: 'customer' },
        children: [{ id: teenId, powers: ['review', 'modify', 'delete'] }],
        gpcApplied: false,
      });
    });

    it('kexara 13–18: a guardian reviews and modifies their child’s information', async () => {
      const read = await self('GET', `/people/${teenId}`, parentToken);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toMatchObject({
        relation: 'guardian',
        data: { account: { full_name: 'Teen Person', date_of_birth: AGE_15 } },
      });
      const modified = await self('PATCH', `/people/${teenId}/data`, parentToken, {
        data: { account: { full_name: 'Teen P. Person' } },
      });
      expect(modified.statusCode, modified.body).toBe(200);
      const staffRead = await officer.request('GET', url(`/people/${teenId}`));
      expect(staffRead.json()).toMatchObject({
        data: { account: { full_name: 'Teen P. Person' } },
      });
    });

    it('refuses a guardian of a different child, and of a child who came of age, as not found', async () => {
      expect((await self('GET', `/people/${strangerTeenId}`, parentToken)).statusCode).toBe(404);
      expect((await self('GET', `/people/${adultChildId}`, parentToken)).statusCode).toBe(404);
      expect((await self('DELETE', `/people/${strangerTeenId}`, parentToken)).statusCode).toBe(404);
      expect((await officer.request('GET', url(`/people/${strangerTeenId}`))).statusCode).toBe(200);
    });

    it('lets a person withdraw their own consent through the link, at once, but not delete themselves', async () => {
      const withdrawn = await self('POST', `/people/${parentId}/consents/withdraw`, parentToken, {
        consent: 'marketing-communications',
      });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      expect(withdrawn.json()).toMatchObject({
        withdrawnRecords: 1,
        suppressedChannels: ['email'],
      });
      const consents = await officer.request('GET', url(`/people/${parentId}/consents`));
      expect(consents.json()).toMatchObject({
        consents: [{ status: 'withdrawn', withdrawalMethod: 'self-service' }],
      });
      expect((await self('DELETE', `/people/${parentId}`, parentToken)).statusCode).toBe(403);
      // Opting in again is the person's own act, through their own link: it lifts the suppression.
      const again = await self('POST', `/people/${parentId}/consents`, parentToken, {
        consent: 'marketing-communications',
        channels: ['email'],
      });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json()).toMatchObject({
        status: 'given',
        givenBy: 'subject',
        method: 'signed-link',
      });
    });

    it('honours Sec-GPC: 1 on a self-service request as a marketing opt-out (kexara honours GPC)', async () => {
      const overview = await self('GET', '', parentToken, undefined, { 'sec-gpc': '1' });
      expect(overview.json()).toMatchObject({ gpcApplied: true });
      const consents = await officer.request('GET', url(`/people/${parentId}/consents`));
      const statuses = consents
        .json<{ consents: { status: string }[] }>()
        .consents.map((c) => c.status);
      expect(statuses).not.toContain('given');
    });

    it('kexara: a guardian deletes their child’s information', async () => {
      const deleted = await self('DELETE', `/people/${teenId}`, parentToken);
      expect(deleted.statusCode, deleted.body).toBe(200);
      expect((await officer.request('GET', url(`/people/${teenId}`))).statusCode).toBe(404);
    });

    it('refuses an altered, a malformed and an expired link', async () => {
      const altered = parentToken.slice(0, -2) + (parentToken.endsWith('A') ? 'BB' : 'AA');
      expect((await self('GET', '', altered)).statusCode).toBe(400);
      expect((await self('GET', '', 'v1.not-a-token')).statusCode).toBe(400);
      const otherOrganization = await newOrganization(app);
      expect((await self('GET', `/people/${parentId}`, parentToken)).statusCode).toBe(200);
      expect(otherOrganization.organizationId).not.toBe(organization.organizationId);
      app.clock.advance(4 * DAY);
      const expired = await self('GET', '', parentToken);
      expect(expired.statusCode).toBe(410);
    });
  },
);

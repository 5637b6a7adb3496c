import { beforeAll, expect, it } from 'vitest';
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
  type StaffSession,
} from '../support/policy-app.js';

describeEachDialect('records without data still follow the policy', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let admin: StaffSession;
  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kexara',
      'administrator',
    ));
  });

  it('kexara: the marketing team, which may only read for marketing, cannot create even an empty customer record', async () => {
    const marketing = await newStaffSession(app, organization, admin, 'marketing-team');
    const attempt = await marketing.request('POST', `${organizationUrl(organization)}/people`, {
      payload: { subjectKind: 'customer', data: {} },
    });
    expect(attempt.statusCode).toBe(403);
    const listed = await admin.request('GET', `${organizationUrl(organization)}/people`);
    expect(listed.statusCode, listed.body).not.toBe(500);
  });

  it('kexara: a support agent, who may write accounts, can create a customer record', async () => {
    const support = await newStaffSession(app, organization, admin, 'support-agent');
    const created = await support.request('POST', `${organizationUrl(organization)}/people`, {
      payload: { subjectKind: 'customer', data: {} },
    });
    expect(created.statusCode, created.body).toBe(201);
  });
});

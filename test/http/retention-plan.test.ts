import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { systemActor } from '../../src/app/context.js';
import { planRetention } from '../../src/app/retention/plan-retention.js';
import { recordRetentionEvent } from '../../src/app/retention/record-retention-event.js';
import { issueSelfServiceLink } from '../../src/app/self-service/invite-self-service.js';
import { inTransaction } from '../../src/store/db.js';
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
  type StaffSession,
} from '../support/policy-app.js';

const day = (date: string) => new Date(`${date}T00:00:00.000Z`);

describeEachDialect('retention plan: kexara’s table against what is on record', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let officer: StaffSession;
  let personId: string;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin: officer } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kexara',
      'administrator',
    ));
    const finance = await newStaffSession(app, organization, officer, 'finance');
    const created = await officer.request('POST', url('/people'), {
      payload: {
        subjectKind: 'customer',
        data: {
          account: { full_name: 'Ada Client', email: 'ada@example.org' },
          'support-interactions': { channel: 'email', messages: 'Where is my certificate?' },
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    personId = created.json<{ id: string }>().id;
    // No staff role of kexara.yaml writes accessibility needs: the customer gives them, with
    // their consent, through their own self-service link.
    const link = await inTransaction(store(), (trx) =>
      issueSelfServiceLink(
        { ...app.deps, dialect: store().dialect },
        trx,
        scopeOf(organization.organizationId),
        personId,
      ),
    );
    const self = (path: string, payload: object, method: 'POST' | 'PATCH' = 'POST') =>
      app.server.inject({
        method,
        url: `/api/v1/self-service/people/${personId}${path}?token=${encodeURIComponent(link.token)}`,
        payload,
      });
    const consent = await self('/consents', { consent: 'accessibility-consent' });
    expect(consent.statusCode, consent.body).toBe(201);
    const needs = await self(
      '/data',
      { data: { 'accessibility-needs': { accessibility_needs: 'Step-free access' } } },
      'PATCH',
    );
    expect(needs.statusCode, needs.body).toBe(200);
    const payment = await finance.request('PATCH', url(`/people/${personId}/data`), {
      payload: {
        data: {
          'payment-records': {
            billing_address: '1 Main St, Toronto',
            payment_method_reference: 'pm_123',
            amount: '450.00',
            transaction_date: '2026-01-15',
          },
        },
      },
    });
    expect(payment.statusCode, payment.body).toBe(200);
  });

  async function plan(asOf: string, includeWaiting = false) {
    return planRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      {
        asOf: day(asOf),
        includeWaiting,
      },
    );
  }

  it('kexara: support 3 years after collection, payments 7 years after the transaction; the account waits for closure', async () => {
    const result = await plan('2026-03-03', true);
    const byCategory = Object.fromEntries(result.entries.map((entry) => [entry.category, entry]));
    expect(byCategory['support-interactions']).toMatchObject({
      status: 'scheduled',
      rule: 'support-3-years',
      action: 'delete',
      dueAt: '2029-03-02T09:00:00.000Z',
      countedFrom: 'collected',
    });
    expect(byCategory['payment-records']).toMatchObject({
      status: 'scheduled',
      action: 'delete',
      dueAt: '2033-01-15T00:00:00.000Z',
      countedFrom: 'transaction-date',
    });
    expect(byCategory.account).toMatchObject({ status: 'waiting', waitingFor: ['account-closed'] });
    expect(result.counts).toMatchObject({ due: 0 });
  });

  it('kexara: withdrawing the accessibility consent makes that data due at once, and nothing else', async () => {
    const withdrawn = await officer.request('POST', url(`/people/${personId}/consents/withdraw`), {
      payload: { consent: 'accessibility-consent', method: 'email' },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const result = await plan('2026-03-03');
    expect(result.entries.filter((entry) => entry.status === 'due')).toEqual([
      expect.objectContaining({
        category: 'accessibility-needs',
        rule: 'accessibility-on-withdrawal',
        countedFrom: 'consent-withdrawn',
      }),
    ]);
  });

  it('kexara: as of 2029-06-01 the support messages are due too, payments still kept', async () => {
    const result = await plan('2029-06-01');
    expect(
      result.entries.filter((entry) => entry.status === 'due').map((entry) => entry.category),
    ).toEqual(['accessibility-needs', 'support-interactions']);
    expect(result.entries.find((entry) => entry.category === 'payment-records')?.status).toBe(
      'scheduled',
    );
  });

  it('kexara: a legal hold suspends what it covers until released; only the roles the policy names place one', async () => {
    const finance = await newStaffSession(app, organization, officer, 'finance');
    const refused = await finance.request('POST', url('/legal-holds'), {
      payload: { reason: 'dispute', personId },
    });
    expect(refused.statusCode).toBe(403);
    const badReason = await officer.request('POST', url('/legal-holds'), {
      payload: { reason: 'because', personId },
    });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.json()).toMatchObject({ error: { issues: [{ path: 'reason' }] } });
    const placed = await officer.request('POST', url('/legal-holds'), {
      payload: { reason: 'dispute', personId, category: 'support-interactions', note: 'Claim 42' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const holdId = placed.json<{ id: string }>().id;
    const held = await plan('2029-06-01');
    expect(held.entries.find((entry) => entry.category === 'support-interactions')).toMatchObject({
      status: 'held',
      hold: holdId,
    });
    expect(held.entries.find((entry) => entry.category === 'accessibility-needs')?.status).toBe(
      'due',
    );
    const released = await officer.request('POST', url(`/legal-holds/${holdId}/release`));
    expect(released.statusCode, released.body).toBe(204);
    const again = await officer.request('POST', url(`/legal-holds/${holdId}/release`));
    expect(again.statusCode).toBe(404);
    const after = await plan('2029-06-01');
    expect(after.entries.find((entry) => entry.category === 'support-interactions')?.status).toBe(
      'due',
    );
  });

  it('kexara: the account is deleted a year after it is closed, once the closing is recorded', async () => {
    const future = await officer.request('POST', url('/retention/events'), {
      payload: { trigger: 'account-closed', personId, occurredAt: '2030-01-01T00:00:00.000Z' },
    });
    expect(future.statusCode).toBe(400);
    const orgEvent = await officer.request('POST', url('/retention/events'), {
      payload: { trigger: 'contract-terminated', personId },
    });
    expect(orgEvent.statusCode).toBe(400);
    const closed = await officer.request('POST', url('/retention/events'), {
      payload: { trigger: 'account-closed', personId },
    });
    expect(closed.statusCode, closed.body).toBe(201);
    const result = await plan('2026-03-03');
    expect(result.entries.find((entry) => entry.category === 'account')).toMatchObject({
      status: 'scheduled',
      rule: 'account-after-deletion',
      dueAt: '2027-03-02T09:00:00.000Z',
      countedFrom: 'account-closed',
    });
  });

  it('needs the manage-retention permission: a finance role is refused', async () => {
    const finance = await newStaffSession(app, organization, officer, 'finance');
    await expect(
      planRetention(
        app.deps,
        {
          kind: 'staff-session',
          organizationId: organization.organizationId,
          userId: finance.userId,
          role: 'finance',
          sessionId: 'x',
          mfa: 'verified',
          expiresAt: '2999-01-01T00:00:00.000Z',
        },
        organization.organizationId,
        {},
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describeEachDialect('retention plan: kindergarten contract termination', ({ store }) => {
  it('kindergarten-platform: children’s data is due 30 days after the contract terminates', async () => {
    const app = await createTestApp(store());
    const organization = await newOrganization(app);
    const { admin } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kindergarten-platform',
      'institution-administrator',
    );
    const url = (path: string) => `${organizationUrl(organization)}${path}`;
    const child = await admin.request('POST', url('/people'), {
      payload: {
        subjectKind: 'child',
        data: { 'child-profile': { name: 'Lucía', group: 'A', enrolled_on: '2025-09-01' } },
        consents: [
          {
            consent: 'parental-consent',
            givenBy: 'institution-attestation',
            institution: 'Girasoles',
            evidenceReference: 'ATT-1',
          },
        ],
      },
    });
    expect(child.statusCode, child.body).toBe(201);
    const before = await planRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: day('2026-05-01'), includeWaiting: true },
    );
    expect(before.entries.map((entry) => entry.status)).toEqual(['waiting']);
    // The platform's operator records the end of the institution's contract.
    await recordRetentionEvent(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { trigger: 'contract-terminated' },
      undefined,
    );
    const after = await planRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: day('2026-04-02') },
    );
    expect(after.entries).toEqual([
      expect.objectContaining({
        category: 'child-profile',
        status: 'due',
        rule: 'child-profile-contract-end',
        dueAt: '2026-04-01T09:00:00.000Z',
      }),
    ]);
  });
});

describe('custodia retention plan', () => {
  it('refuses an impossible --as-of, naming the flag', async () => {
    let err = '';
    const exitCode = await runCli(['retention', 'plan', '--org', 'x', '--as-of', '2029-02-30'], {
      stdout: () => undefined,
      stderr: (text) => {
        err += text;
      },
      readStdin: () => Promise.resolve(''),
      env: { CUSTODIA_LOG_LEVEL: 'silent' },
      setExitCode: () => undefined,
      untilShutdown: () => new Promise(() => undefined),
    });
    expect(exitCode).toBe(2);
    expect(err).toContain('--as-of');
  });
});

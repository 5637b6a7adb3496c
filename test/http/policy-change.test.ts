import type { LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activateDuePolicyVersions } from '../../src/app/policy/activate-due-policy-versions.js';
import { sendPendingPolicyChangeNotices } from '../../src/app/policy/announce-policy-version.js';
import type { PolicyAcceptanceReport } from '../../src/app/policy/policy-acceptance-report.js';
import { createConsentStore } from '../../src/store/consent-store.js';
import { createPolicyVersionStore } from '../../src/store/policy-version-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  logIn,
  logInAdmin,
  newOrganization,
  sessionCookieOf,
  START,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  examplePolicySource,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const DAY = 24 * 60 * 60 * 1000;
/** Both seeds' policies give 30 days' notice (`changes.notice_lead_time: P30D`). */
const EFFECTIVE_AT = '2026-04-01T09:00:00.000Z';
const PUBLIC_BASE_URL = 'https://records.example.org';

/** kajuyali.yaml with a new purpose its terms consent covers: Decree 1377 Art. 5 re-authorisation. */
function kajuyaliWithNewPurpose(): string {
  return examplePolicySource('kajuyali')
    .replace("policy_version: '2022-09-01'", "policy_version: '2026-04-01'")
    .replace(
      'purposes: [program-operation, emergency-care, customer-history]',
      'purposes: [program-operation, emergency-care, customer-history, program-quality-research]',
    )
    .replace(
      'purposes:\n',
      `purposes:
  - id: program-quality-research
    labels:
      es: 'Investigación sobre la calidad de los programas'
      en: 'Research on the quality of our programs'
      fr: 'Recherche sur la qualité des programmes'
    categories: [contact-data, enrollments]
    lawful_basis:
      colombia-1581: { basis: consent }
`,
    );
}

/** kexara.yaml with a new processor in Canada: significant (new-recipient), no re-acceptance. */
function kexaraWithNewRecipient(): string {
  return examplePolicySource('kexara')
    .replace("policy_version: '2025-03-15'", "policy_version: '2026-04-01'")
    .replace(
      'third_parties:\n',
      `third_parties:
  - id: survey-tool
    name: Course survey service (Canada)
    relationship: processor
    service:
      en: 'Course feedback surveys'
      es: 'Encuestas sobre los cursos'
      fr: 'Sondages sur les cours'
    locations: [CA]
    categories: [account]
    safeguards: [dpa]
`,
    );
}

/** On top of the previous one, a new purpose: kexara asks for acceptance again (PIPEDA 4.2.4). */
function kexaraWithNewPurpose(): string {
  return kexaraWithNewRecipient()
    .replace("policy_version: '2026-04-01'", "policy_version: '2026-06-01'")
    .replace(
      'purposes:\n',
      `purposes:
  - id: alumni-stories
    labels:
      en: 'Alumni success stories'
      es: 'Historias de exalumnos'
      fr: "Témoignages d'anciens"
    categories: [account, career-profile]
    lawful_basis:
      pipeda: { basis: contract }
`,
    );
}

/** kajuyali §5.2: the signed paper form a guardian fills in for a child participant. */
const PAPER_CONSENT = [
  {
    consent: 'terms-and-data-authorisation',
    givenBy: 'staff-paper-form',
    evidenceReference: 'KCTGMPDATAFORM22-TEST',
  },
];

const errorOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string; message: string; issues?: unknown[] } }>().error;

async function created(response: Promise<LightMyRequestResponse>): Promise<string> {
  const answer = await response;
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json<{ id: string }>().id;
}

/**
 * The same staff member over an API token: these tests move the clock by weeks, past any session's
 * idle and absolute expiry, while a token lasts (and needs no second factor per request).
 */
async function overApiToken(
  app: TestApp,
  session: StaffSession,
  url: string,
): Promise<StaffSession> {
  const created = await session.request('POST', `${url}/api-tokens`, {
    payload: { name: `policy-change tests (${session.role})` },
  });
  expect(created.statusCode, created.body).toBe(201);
  const token = created.json<{ token: string }>().token;
  return {
    ...session,
    request: (method, path, options = {}) =>
      app.server.inject({
        method,
        url: path,
        headers: { authorization: `Bearer ${token}` },
        ...(options.payload === undefined ? {} : { payload: options.payload }),
      }),
  };
}

/**
 * A staff member who may not create API tokens: logs in afresh (password and TOTP code at the
 * clock's time) whenever the clock has moved past their session.
 */
async function staffWhoLogsInAgain(
  app: TestApp,
  organization: TestOrganization,
  manager: StaffSession,
  role: string,
): Promise<StaffSession> {
  const email = `${role}@${organization.slug}.example`;
  const password = 'a long enough staff password';
  const createdUser = await manager.request(
    'POST',
    `${organizationUrl(organization)}/staff-users`,
    {
      payload: { email, displayName: `Staff ${role}`, role, password },
    },
  );
  expect(createdUser.statusCode, createdUser.body).toBe(201);
  const epoch = () => Math.floor(app.clock.now().getTime() / 1000);
  const logInWith = async (confirm: (cookie: string) => Promise<void>): Promise<string> => {
    const login = await logIn(app, { slug: organization.slug, email, password });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = sessionCookieOf(login);
    await confirm(cookie);
    return cookie;
  };
  let secret = '';
  let cookie = await logInWith(async (fresh) => {
    const started = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/enrollment',
      headers: { cookie: fresh },
    });
    secret = started.json<{ secret: string }>().secret;
    const confirmed = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/enrollment/confirm',
      headers: { cookie: fresh },
      payload: { code: await generate({ secret, epoch: epoch() }) },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
  });
  let loggedInAt = app.clock.now().getTime();
  return {
    userId: createdUser.json<{ user: { id: string } }>().user.id,
    email,
    role,
    cookie,
    request: async (method, path, options = {}) => {
      if (app.clock.now().getTime() - loggedInAt > 10 * 60 * 1000) {
        cookie = await logInWith(async (fresh) => {
          const verified = await app.server.inject({
            method: 'POST',
            url: '/api/v1/auth/mfa/verify',
            headers: { cookie: fresh },
            payload: { code: await generate({ secret, epoch: epoch() }) },
          });
          expect(verified.statusCode, verified.body).toBe(204);
        });
        loggedInAt = app.clock.now().getTime();
      }
      return app.server.inject({
        method,
        url: path,
        headers: { cookie },
        ...(options.payload === undefined ? {} : { payload: options.payload }),
      });
    },
  };
}

/** What `serve` does every minute: activate what is due, send the notices not yet sent. */
async function tick(app: TestApp): Promise<void> {
  await activateDuePolicyVersions(app.deps);
  await sendPendingPolicyChangeNotices({ ...app.deps, publicBaseUrl: PUBLIC_BASE_URL });
}

interface Scenario {
  app: TestApp;
  smtp: TestSmtpServer;
  organization: TestOrganization;
  /** The administrator over an API token (lasts while the clock moves by weeks). */
  admin: StaffSession;
  /** The administrator's session, for what tokens may not do (manage users), before time moves. */
  adminSession: StaffSession;
  url: (path: string) => string;
}

function useScenario(
  store: () => Parameters<typeof createTestApp>[0],
  policy: 'kajuyali' | 'kexara',
  adminRole: string,
): () => Scenario {
  let scenario: Scenario | undefined;
  beforeAll(async () => {
    const smtp = await startSmtpServer();
    const app = await createTestApp(store(), {
      CUSTODIA_MAIL_SMTP_URL: smtp.url,
      CUSTODIA_MAIL_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
    });
    const organization = await newOrganization(app);
    const { admin: adminSession } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      policy,
      adminRole,
    );
    const admin = await overApiToken(app, adminSession, organizationUrl(organization));
    scenario = {
      app,
      smtp,
      organization,
      admin,
      adminSession,
      url: (path) => `${organizationUrl(organization)}${path}`,
    };
  });
  afterAll(async () => {
    await scenario?.app.deps.mailer.close();
    await scenario?.smtp.stop();
  });
  return () => {
    if (scenario === undefined) {
      throw new Error('scenario used outside a test');
    }
    return scenario;
  };
}

async function upload(scenario: Scenario, source: string): Promise<string> {
  return created(
    scenario.admin.request('POST', scenario.url('/policy-versions'), {
      payload: { source, fileName: 'next.yaml' },
    }),
  );
}

function announce(
  scenario: Scenario,
  versionId: string,
  effectiveAt: string,
): Promise<LightMyRequestResponse> {
  return scenario.admin.request('POST', scenario.url(`/policy-versions/${versionId}/announce`), {
    payload: { effectiveAt },
  });
}

function activate(scenario: Scenario, versionId: string): Promise<LightMyRequestResponse> {
  return scenario.admin.request('POST', scenario.url(`/policy-versions/${versionId}/activate`), {
    payload: {},
  });
}

async function report(scenario: Scenario, versionId: string): Promise<PolicyAcceptanceReport> {
  const response = await scenario.admin.request(
    'GET',
    scenario.url(`/policy-versions/${versionId}/acceptance`),
  );
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PolicyAcceptanceReport>();
}

/** Gives a sending pass time to deliver anything it (wrongly) would, then lists what arrived. */
async function settledMessages(smtp: TestSmtpServer) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return smtp.messages();
}

describeEachDialect(
  'policy change: kajuyali (re-acceptance required for a new purpose)',
  ({ store }) => {
    const scenario = useScenario(store, 'kajuyali', 'level-a');
    let versionId = '';
    let martaId = '';
    let tomasId = '';
    let anaId = '';
    let silentId = '';

    beforeAll(async () => {
      const { admin, url } = scenario();
      martaId = await created(
        admin.request('POST', url('/people'), {
          payload: {
            subjectKind: 'guardian',
            data: {
              'contact-data': {
                full_name: 'Marta Ruiz',
                email: 'marta@familia.example',
                phone: '3005550103',
              },
            },
          },
        }),
      );
      tomasId = await created(
        admin.request('POST', url('/people'), {
          payload: {
            subjectKind: 'participant',
            guardians: [{ guardianId: martaId, relationship: 'mother' }],
            consents: PAPER_CONSENT,
            data: {
              'contact-data': {
                full_name: 'Tomás Ruiz',
                email: 'tomas@familia.example',
                phone: '3005550104',
              },
              'participant-data': {
                full_name: 'Tomás Ruiz',
                date_of_birth: '2014-05-17',
                emergency_contact: { name: 'Marta Ruiz', phone: '3005550103' },
              },
            },
          },
        }),
      );
      anaId = await created(
        admin.request('POST', url('/people'), {
          payload: {
            subjectKind: 'participant',
            consents: PAPER_CONSENT,
            data: {
              'contact-data': {
                full_name: 'Ana Gómez',
                email: 'ana@example.org',
                phone: '3005550105',
              },
              'participant-data': {
                full_name: 'Ana Gómez',
                date_of_birth: '1990-01-01',
                emergency_contact: { name: 'Luis Gómez', phone: '3005550106' },
              },
            },
          },
        }),
      );
      // A guardian entered without contact details: nothing to send the notice to.
      silentId = await created(
        admin.request('POST', url('/people'), { payload: { subjectKind: 'guardian', data: {} } }),
      );
    });

    it('kajuyali Decree 1377 Art. 5: a version adding a purpose cannot be activated unannounced', async () => {
      versionId = await upload(scenario(), kajuyaliWithNewPurpose());
      const refused = await activate(scenario(), versionId);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(errorOf(refused).message).toContain('announce it first, at least P30D');
    });

    it('refuses an effective date sooner than the 30 days’ notice, naming effectiveAt and the earliest date', async () => {
      const tooSoon = await announce(scenario(), versionId, '2026-03-20');
      expect(tooSoon.statusCode, tooSoon.body).toBe(400);
      expect(errorOf(tooSoon)).toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [
          {
            path: 'effectiveAt',
            message: expect.stringContaining(`must be on or after ${EFFECTIVE_AT}`) as unknown,
          },
        ],
      });
      const badDate = await announce(scenario(), versionId, 'next month');
      expect(badDate.statusCode).toBe(400);
      expect(JSON.stringify(errorOf(badDate).issues)).toContain('body.effectiveAt');
      await tick(scenario().app);
      expect(await settledMessages(scenario().smtp)).toEqual([]);
    });

    it('announced 30 days ahead, emails everyone affected with the date and the link; a minor’s guardian gets it, not the child', async () => {
      const { app, smtp, organization } = scenario();
      const announced = await announce(scenario(), versionId, EFFECTIVE_AT);
      expect(announced.statusCode, announced.body).toBe(200);
      expect(announced.json()).toMatchObject({
        effectiveAt: EFFECTIVE_AT,
        requiresReacceptance: true,
        continuedUseMeansAcceptance: false,
        notices: 'scheduled',
        significantChanges: [
          { kind: 'purpose-added', noticeKind: 'new-purpose', requiresReacceptance: true },
          { kind: 'consent-scope-changed', noticeKind: 'new-purpose', requiresReacceptance: true },
        ],
      });

      await tick(app);
      const emails = await smtp.waitFor(2);
      expect(
        emails
          .map((email) => email.envelopeTo)
          .flat()
          .sort(),
      ).toEqual(['ana@example.org', 'marta@familia.example']);
      expect(emails.flatMap((email) => email.envelopeTo)).not.toContain('tomas@familia.example');
      const link = `${PUBLIC_BASE_URL}/api/v1/privacy-notices/${organization.slug}/versions/${versionId}`;
      for (const email of emails) {
        expect(email.subject).toContain('2026-04-01');
        expect(email.text).toContain('takes effect on 2026-04-01 at 09:00 UTC');
        expect(email.text).toContain(
          'We will use personal data for a new purpose: Investigación sobre la calidad de los programas.',
        );
        expect(email.text).toContain('Please accept the new policy');
        expect(email.text).toContain(`Read the new policy: ${link}`);
        // Every email carries the recipient's own link to withdraw consent (GDPR Art. 7(3)).
        expect(email.text).toMatch(
          /withdraw a consent at any time: \S+\/api\/v1\/self-service\?token=v1\./,
        );
      }
      const marta = emails.find((email) => email.envelopeTo.includes('marta@familia.example'));
      expect(marta?.text).toContain('about you and about the child in your care');

      // The link works before the version takes effect, and shows the announced version.
      const page = await app.server.inject({
        method: 'GET',
        url: link.slice(PUBLIC_BASE_URL.length),
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Investigación sobre la calidad de los programas');
      const current = await app.server.inject({
        method: 'GET',
        url: `/api/v1/privacy-notices/${organization.slug}`,
      });
      expect(current.body).not.toContain('Investigación sobre la calidad de los programas');

      const tracked = await report(scenario(), versionId);
      expect(tracked).toMatchObject({
        status: 'draft',
        effectiveAt: EFFECTIVE_AT,
        acceptance: 'explicit',
        counts: { affected: 4, notified: 3, notNotified: 1, accepted: 0, pending: 4 },
        notNotified: [{ personId: silentId, reason: 'no-address' }],
      });
      expect(tracked.notified.sort()).toEqual([anaId, martaId, tomasId].sort());
    });

    it('announcing again sends nobody a second email; another date is refused', async () => {
      const { app, smtp } = scenario();
      const again = await announce(scenario(), versionId, EFFECTIVE_AT);
      expect(again.statusCode, again.body).toBe(200);
      await tick(app);
      expect(await settledMessages(smtp)).toHaveLength(2);
      const moved = await announce(scenario(), versionId, '2026-05-01');
      expect(moved.statusCode).toBe(409);
      expect(errorOf(moved).message).toContain(EFFECTIVE_AT);
    });

    it('refuses activation before the announced date, naming it; the tick activates it once the date has come', async () => {
      const { app, organization } = scenario();
      const early = await activate(scenario(), versionId);
      expect(early.statusCode, early.body).toBe(409);
      expect(errorOf(early).message).toContain(`take effect on ${EFFECTIVE_AT}`);

      app.clock.advance(29 * DAY);
      await tick(app);
      const scope = scopeOf(organization.organizationId);
      expect(
        (await createPolicyVersionStore(app.deps.store.db).findById(scope, versionId))?.status,
      ).toBe('draft');

      app.clock.advance(1 * DAY);
      expect(app.clock.now().toISOString()).toBe(EFFECTIVE_AT);
      await tick(app);
      const history = await createPolicyVersionStore(app.deps.store.db).activationHistory(scope);
      expect(history.at(-1)).toMatchObject({ id: versionId, requiresReacceptance: true });
    });

    it('tracks re-acceptance: pending until accepted; a guardian accepts for the child', async () => {
      const { admin, url } = scenario();
      expect((await report(scenario(), versionId)).pending.sort()).toEqual(
        [anaId, martaId, tomasId, silentId].sort(),
      );
      const ana = await admin.request('POST', url(`/people/${anaId}/terms-acceptances`), {
        payload: { acceptedBy: 'subject' },
      });
      expect(ana.statusCode, ana.body).toBe(201);
      expect(ana.json()).toMatchObject({ method: 'explicit', current: true });
      const tomas = await admin.request('POST', url(`/people/${tomasId}/terms-acceptances`), {
        payload: { acceptedBy: 'guardian', guardianId: martaId },
      });
      expect(tomas.statusCode, tomas.body).toBe(201);

      const tracked = await report(scenario(), versionId);
      expect(tracked).toMatchObject({
        status: 'active',
        counts: { accepted: 2, continuedUse: 0, pending: 2 },
      });
      expect(tracked.accepted.sort()).toEqual([anaId, tomasId].sort());
      expect(tracked.pending.sort()).toEqual([martaId, silentId].sort());
    });
  },
);

describeEachDialect('policy change: kexara (continued use means acceptance)', ({ store }) => {
  const scenario = useScenario(store, 'kexara', 'administrator');
  let coordinator: StaffSession;
  let programId = '';
  let linaId = '';
  let versionId = '';

  beforeAll(async () => {
    const { app, organization, admin, adminSession, url } = scenario();
    coordinator = await staffWhoLogsInAgain(app, organization, adminSession, 'tour-coordinator');
    linaId = await created(
      admin.request('POST', url('/people'), {
        payload: {
          subjectKind: 'customer',
          data: { account: { full_name: 'Lina Tremblay', email: 'lina@example.org' } },
        },
      }),
    );
    programId = await created(
      coordinator.request('POST', url('/programs'), {
        payload: { name: 'Rockies tour', kind: 'tour', startsOn: '2026-06-01' },
      }),
    );
  });

  function enroll(): Promise<LightMyRequestResponse> {
    return coordinator.request('POST', scenario().url(`/programs/${programId}/enrollments`), {
      payload: { personId: linaId },
    });
  }

  it('kexara.txt: a new recipient is announced 30 days ahead and the email says continued use means acceptance', async () => {
    const { app, smtp } = scenario();
    versionId = await upload(scenario(), kexaraWithNewRecipient());
    const tooSoon = await announce(scenario(), versionId, '2026-03-31T09:00:00Z');
    expect(tooSoon.statusCode).toBe(400);
    expect(errorOf(tooSoon).issues).toMatchObject([{ path: 'effectiveAt' }]);

    const announced = await announce(scenario(), versionId, EFFECTIVE_AT);
    expect(announced.statusCode, announced.body).toBe(200);
    expect(announced.json()).toMatchObject({
      requiresReacceptance: false,
      continuedUseMeansAcceptance: true,
      significantChanges: [{ kind: 'third-party-added', noticeKind: 'new-recipient' }],
    });
    await tick(app);
    const [email] = await smtp.waitFor(1);
    expect(email?.envelopeTo).toEqual(['lina@example.org']);
    expect(email?.text).toContain(
      'We will share personal data with a new recipient: Course survey service (Canada).',
    );
    expect(email?.text).toContain(
      'continued use of our services after 2026-04-01 at 09:00 UTC means you accept the new policy',
    );
  });

  it('activity before the date is not acceptance; after the tick activates it, the next enrollment is', async () => {
    const { app } = scenario();
    const before = await enroll();
    expect(before.statusCode, before.body).toBe(201);
    expect((await activate(scenario(), versionId)).statusCode).toBe(409);

    app.clock.advance(30 * DAY);
    await tick(app);
    const pending = await report(scenario(), versionId);
    expect(pending).toMatchObject({
      status: 'active',
      acceptance: 'continued-use',
      counts: { notified: 1, accepted: 0, continuedUse: 0, pending: 1 },
      pending: [linaId],
    });

    const after = await enroll();
    expect(after.statusCode, after.body).toBe(201);
    const accepted = await report(scenario(), versionId);
    expect(accepted).toMatchObject({
      counts: { accepted: 1, continuedUse: 1, pending: 0 },
      accepted: [linaId],
      continuedUse: [linaId],
    });
    const scope = scopeOf(scenario().organization.organizationId);
    expect(
      await createConsentStore(app.deps.store.db).termsAcceptances(scope, linaId),
    ).toMatchObject([
      { policyVersionId: versionId, method: 'continued-use', acceptedBy: 'subject' },
    ]);
  });

  it('kexara.yaml: a new purpose still asks for explicit acceptance (PIPEDA 4.2.4), not continued use', async () => {
    const { app, smtp } = scenario();
    smtp.clear();
    const purposeVersion = await upload(scenario(), kexaraWithNewPurpose());
    const announced = await announce(
      scenario(),
      purposeVersion,
      new Date(app.clock.now().getTime() + 30 * DAY).toISOString(),
    );
    expect(announced.statusCode, announced.body).toBe(200);
    expect(announced.json()).toMatchObject({
      requiresReacceptance: true,
      continuedUseMeansAcceptance: false,
      significantChanges: [{ kind: 'purpose-added', requiresReacceptance: true }],
    });
    await tick(app);
    const [email] = await smtp.waitFor(1);
    expect(email?.text).toContain('Please accept the new policy');
    expect(email?.text).not.toContain('continued use');
  });

  it('a version with nothing significant needs no notice and may be activated at once', async () => {
    const { app, smtp } = scenario();
    smtp.clear();
    const reworded = await upload(
      scenario(),
      kexaraWithNewRecipient().replace(
        "policy_version: '2026-04-01'",
        "policy_version: '2026-04-02'",
      ),
    );
    const announced = await announce(scenario(), reworded, START);
    expect(announced.statusCode, announced.body).toBe(200);
    expect(announced.json()).toMatchObject({
      notices: 'not-needed',
      effectiveAt: null,
      significantChanges: [],
    });
    expect((await activate(scenario(), reworded)).statusCode).toBe(200);
    await tick(app);
    expect(await settledMessages(smtp)).toEqual([]);
  });
});

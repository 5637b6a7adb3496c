import type { LightMyRequestResponse } from 'fastify';
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
  examplePolicySource,
  newStaffSession,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';

const MINUTE = 60_000;

const codeOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string } }>().error.code;

async function created(response: Promise<LightMyRequestResponse>): Promise<string> {
  const answer = await response;
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json<{ id: string }>().id;
}

/** kajuyali §5.2: the signed paper form a guardian fills in for a child participant. */
const PAPER_CONSENT = [
  {
    consent: 'terms-and-data-authorisation',
    givenBy: 'staff-paper-form',
    evidenceReference: 'KCTGMPDATAFORM22-TEST',
  },
];

/** kindergarten §8: the institution attests it holds the parents' consent. */
const ATTESTATION = [
  {
    consent: 'parental-consent',
    givenBy: 'institution-attestation',
    institution: 'Institution A',
    evidenceReference: 'ATT-2026-001',
  },
];

describeEachDialect('kajuyali.txt: access levels A, B and C', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let levelA: StaffSession;
  let levelB: StaffSession;
  let levelC: StaffSession;
  let participantId: string;
  let programId: string;
  let enrollmentId: string;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin: levelA } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kajuyali',
      'level-a',
    ));
    levelB = await newStaffSession(app, organization, levelA, 'level-b');
    levelC = await newStaffSession(app, organization, levelA, 'level-c');
    participantId = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          consents: PAPER_CONSENT,
          data: {
            'contact-data': {
              full_name: 'Sofía Ruiz',
              email: 'sofia@example.org',
              phone: '3005550101',
            },
            'medical-data': { allergies: 'peanuts' },
          },
        },
      }),
    );
    // kajuyali §5: no enrollment without acceptance of the terms (here on the signed form).
    const terms = await levelA.request('POST', url(`/people/${participantId}/terms-acceptances`), {
      payload: { acceptedBy: 'staff-paper-form', evidenceReference: 'KCTGMPDATAFORM22-TEST' },
    });
    expect(terms.statusCode, terms.body).toBe(201);
    programId = await created(
      levelA.request('POST', url('/programs'), {
        payload: {
          name: 'Campamento Andes',
          kind: 'camp',
          startsOn: '2026-07-01',
          endsOn: '2026-07-08',
        },
      }),
    );
    enrollmentId = await created(
      levelA.request('POST', url(`/programs/${programId}/enrollments`), {
        payload: { personId: participantId },
      }),
    );
  });

  it('kajuyali §2: level C views, edits and completes but cannot delete', async () => {
    const view = await levelC.request('GET', url(`/people/${participantId}`));
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json()).toMatchObject({
      data: {
        'contact-data': { full_name: 'Sofía Ruiz' },
        'medical-data': { allergies: 'peanuts' },
      },
      withheld: [],
    });

    const edit = await levelC.request('PATCH', url(`/people/${participantId}/data`), {
      payload: { data: { 'contact-data': { phone: '3005550199' } } },
    });
    expect(edit.statusCode, edit.body).toBe(200);

    const complete = await levelC.request('PATCH', url(`/enrollments/${enrollmentId}`), {
      payload: { status: 'completed' },
    });
    expect(complete.statusCode, complete.body).toBe(204);
    const after = await levelC.request('GET', url(`/people/${participantId}`));
    expect(after.json()).toMatchObject({
      data: { 'contact-data': { phone: '3005550199' } },
      enrollments: [{ id: enrollmentId, status: 'completed' }],
    });

    const deleteCategory = await levelC.request(
      'DELETE',
      url(`/people/${participantId}/data/medical-data`),
    );
    expect(deleteCategory.statusCode).toBe(403);
    expect(codeOf(deleteCategory)).toBe('FORBIDDEN');
    const deletePerson = await levelC.request('DELETE', url(`/people/${participantId}`));
    expect(deletePerson.statusCode).toBe(403);
    const intact = await levelA.request('GET', url(`/people/${participantId}`));
    expect(intact.json()).toMatchObject({ data: { 'medical-data': { allergies: 'peanuts' } } });
  });

  it('kajuyali §2: level A has full access, deletion included', async () => {
    const personId = await created(
      levelC.request('POST', url('/people'), {
        payload: {
          subjectKind: 'prospect',
          data: {
            'contact-data': {
              full_name: 'Feria 2026',
              email: 'feria@example.org',
              phone: '3005550102',
            },
          },
        },
      }),
    );
    expect((await levelA.request('DELETE', url(`/people/${personId}`))).statusCode).toBe(200);
    expect((await levelC.request('GET', url(`/people/${personId}`))).statusCode).toBe(404);
  });

  it('kajuyali §4.1: only level A creates users', async () => {
    const payload = (email: string) => ({
      payload: {
        email,
        displayName: 'Asesor',
        role: 'level-c',
        password: 'a long enough password',
      },
    });
    for (const session of [levelB, levelC]) {
      const refused = await session.request(
        'POST',
        url('/staff-users'),
        payload(`new-by-${session.role}@example.org`),
      );
      expect(refused.statusCode, session.role).toBe(403);
      expect(codeOf(refused)).toBe('FORBIDDEN');
    }
    const allowed = await levelA.request(
      'POST',
      url('/staff-users'),
      payload('new-by-a@example.org'),
    );
    expect(allowed.statusCode, allowed.body).toBe(201);
  });

  it('kajuyali §2: level B manages clients, invoices and reservations, but neither deletes nor designs', async () => {
    const guardianId = await created(
      levelB.request('POST', url('/people'), {
        payload: {
          subjectKind: 'guardian',
          data: {
            'contact-data': {
              full_name: 'Marta Ruiz',
              email: 'marta@example.org',
              phone: '3005550103',
            },
            invoices: { invoice_number: 'FV-1001', amount: '1250000.00', issued_on: '2026-06-01' },
          },
        },
      }),
    );
    const invoice = await levelB.request('PATCH', url(`/people/${guardianId}/data`), {
      payload: { data: { invoices: { amount: '1300000.00' } } },
    });
    expect(invoice.statusCode, invoice.body).toBe(200);
    const link = await levelB.request('POST', url(`/people/${participantId}/guardians`), {
      payload: { guardianId, relationship: 'mother' },
    });
    expect(link.statusCode, link.body).toBe(204);
    const accepted = await levelB.request('POST', url(`/people/${guardianId}/terms-acceptances`), {
      payload: { acceptedBy: 'subject' },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const reservationId = await created(
      levelB.request('POST', url(`/programs/${programId}/enrollments`), {
        payload: { personId: guardianId, status: 'pending' },
      }),
    );
    const cancel = await levelB.request('PATCH', url(`/enrollments/${reservationId}`), {
      payload: { status: 'cancelled' },
    });
    expect(cancel.statusCode).toBe(204);
    const read = await levelB.request('GET', url(`/people/${guardianId}`));
    expect(read.json()).toMatchObject({
      data: { invoices: { invoice_number: 'FV-1001', amount: '1300000.00' } },
      enrollments: [{ id: reservationId, status: 'cancelled' }],
    });
    const child = await levelB.request('GET', url(`/people/${participantId}`));
    expect(child.json()).toMatchObject({ guardians: [{ guardianId, relationship: 'mother' }] });

    expect(
      (await levelB.request('DELETE', url(`/people/${guardianId}/data/invoices`))).statusCode,
    ).toBe(403);
    // §2: design and administration belong to level A.
    const design = await levelB.request('POST', url('/policy-versions'), {
      payload: { source: examplePolicySource('kajuyali') },
    });
    expect(design.statusCode).toBe(403);
  });
});

describeEachDialect(
  'kindergarten-platform.txt: institutions apart, health reports restricted',
  ({ store }) => {
    let app: TestApp;
    interface Institution {
      organization: TestOrganization;
      admin: StaffSession;
      childId: string;
      parentId: string;
      programId: string;
      enrollmentId: string;
    }
    let institutionA: Institution;
    let institutionB: Institution;
    const HEALTH = 'development-reports';
    const url = (institution: Institution, path: string) =>
      `${organizationUrl(institution.organization)}${path}`;

    async function newInstitution(): Promise<Institution> {
      const organization = await newOrganization(app);
      // The institution administrator manages users; the policy is the platform's to change, and
      // that role can be given to a new account (kindergarten-platform.yaml splits the two).
      const { admin } = await activateExamplePolicy(
        app,
        organization,
        await logInAdmin(app, organization),
        'kindergarten-platform',
        'institution-administrator',
      );
      const at = (path: string) => `${organizationUrl(organization)}${path}`;
      const childId = await created(
        admin.request('POST', at('/people'), {
          purpose: HEALTH,
          payload: {
            subjectKind: 'child',
            consents: ATTESTATION,
            data: {
              'child-profile': { name: 'Lucía', group: 'Girasoles', enrolled_on: '2025-09-01' },
              'child-health': { report: 'Asthma; inhaler in the bag', reported_on: '2026-02-10' },
              'child-development': { observation: 'Shares toys', observed_on: '2026-02-11' },
            },
          },
        }),
      );
      const parentId = await created(
        admin.request('POST', at('/people'), {
          payload: {
            subjectKind: 'parent',
            data: { 'parent-contact': { name: 'Elena', email: 'elena@example.org' } },
          },
        }),
      );
      const programId = await created(
        admin.request('POST', at('/programs'), {
          payload: { name: 'Year 2026', kind: 'class' },
        }),
      );
      const enrollmentId = await created(
        admin.request('POST', at(`/programs/${programId}/enrollments`), {
          payload: { personId: childId },
        }),
      );
      return { organization, admin, childId, parentId, programId, enrollmentId };
    }

    beforeAll(async () => {
      app = await createTestApp(store());
      institutionA = await newInstitution();
      institutionB = await newInstitution();
    });

    it('kindergarten-platform §4 (data isolation): staff of institution A cannot reach institution B’s children, even with guessed ids', async () => {
      const educatorA = await newStaffSession(
        app,
        institutionA.organization,
        institutionA.admin,
        'educator',
      );
      const b = institutionB;
      const a = institutionA;
      const guessed: {
        method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
        path: string;
        payload?: object;
      }[] = [
        // B's ids under A's own organisation.
        { method: 'GET', path: url(a, `/people/${b.childId}`) },
        {
          method: 'PATCH',
          path: url(a, `/people/${b.childId}/data`),
          payload: { data: { 'child-profile': { group: 'Moved' } } },
        },
        { method: 'DELETE', path: url(a, `/people/${b.childId}/data/child-health`) },
        { method: 'DELETE', path: url(a, `/people/${b.childId}`) },
        {
          method: 'POST',
          path: url(a, `/people/${b.childId}/guardians`),
          payload: { guardianId: a.parentId },
        },
        {
          method: 'POST',
          path: url(a, `/people/${a.childId}/guardians`),
          payload: { guardianId: b.parentId },
        },
        {
          method: 'POST',
          path: url(a, `/programs/${b.programId}/enrollments`),
          payload: { personId: a.childId },
        },
        {
          method: 'POST',
          path: url(a, `/programs/${a.programId}/enrollments`),
          payload: { personId: b.childId },
        },
        {
          method: 'PATCH',
          path: url(a, `/enrollments/${b.enrollmentId}`),
          payload: { status: 'cancelled' },
        },
        // B's organisation itself.
        { method: 'GET', path: url(b, `/people/${b.childId}`) },
        { method: 'GET', path: url(b, '/people') },
        {
          method: 'POST',
          path: url(b, '/people'),
          payload: { subjectKind: 'child', consents: ATTESTATION, data: {} },
        },
        {
          method: 'PATCH',
          path: url(b, `/people/${b.childId}/data`),
          payload: { data: { 'child-profile': { group: 'Moved' } } },
        },
        { method: 'DELETE', path: url(b, `/people/${b.childId}`) },
        { method: 'GET', path: url(b, `/people/${b.childId}/accesses`) },
        { method: 'GET', path: url(b, `/staff-users/${b.organization.adminUserId}/accesses`) },
        { method: 'GET', path: url(b, '/programs') },
        {
          method: 'PATCH',
          path: url(b, `/enrollments/${b.enrollmentId}`),
          payload: { status: 'cancelled' },
        },
        { method: 'GET', path: url(b, '/policy-versions') },
      ];
      for (const session of [institutionA.admin, educatorA]) {
        for (const request of guessed) {
          for (const purpose of [undefined, HEALTH]) {
            const answer = await session.request(request.method, request.path, {
              ...request,
              ...(purpose === undefined ? {} : { purpose }),
            });
            expect(answer.statusCode, `${session.role} ${request.method} ${request.path}`).toBe(
              404,
            );
            expect(codeOf(answer)).toBe('NOT_FOUND');
          }
        }
      }
      // Nothing of B's changed.
      const childB = await b.admin.request('GET', url(b, `/people/${b.childId}`), {
        purpose: HEALTH,
      });
      expect(childB.json()).toMatchObject({
        data: {
          'child-profile': { group: 'Girasoles' },
          'child-health': { report: 'Asthma; inhaler in the bag' },
        },
        guardians: [],
        enrollments: [{ id: b.enrollmentId, status: 'active' }],
      });
    });

    it('kindergarten-platform §4: health reports are readable only by the roles the policy allows', async () => {
      const { organization, admin, childId } = institutionA;
      const staff = {
        educator: await newStaffSession(app, organization, admin, 'educator'),
        healthOfficer: await newStaffSession(app, organization, admin, 'health-officer'),
        financeOfficer: await newStaffSession(app, organization, admin, 'finance-officer'),
        platformAdministrator: await newStaffSession(
          app,
          organization,
          admin,
          'platform-administrator',
        ),
      };
      const child = `/people/${childId}`;
      const read = async (session: StaffSession, purpose?: string) => {
        const answer = await session.request(
          'GET',
          url(institutionA, child),
          purpose === undefined ? {} : { purpose },
        );
        expect(answer.statusCode, answer.body).toBe(200);
        return answer.json<{
          data: Record<string, object>;
          withheld: { category: string; reason: string }[];
        }>();
      };

      // Allowed: the health officer and the institution administrator, for development reports.
      for (const session of [staff.healthOfficer, admin]) {
        const view = await read(session, HEALTH);
        expect(view.data['child-health'], session.role).toEqual({
          report: 'Asthma; inhaler in the bag',
          reported_on: '2026-02-10',
        });
      }
      // Everyone else sees the child with the health report withheld, and the reason why.
      const educator = await read(staff.educator);
      expect(Object.keys(educator.data).sort()).toEqual(['child-development', 'child-profile']);
      expect(educator.withheld).toEqual([
        { category: 'child-health', reason: 'the role "educator" may not read "child-health"' },
      ]);
      for (const session of [staff.educator, staff.financeOfficer, staff.platformAdministrator]) {
        for (const purpose of [undefined, HEALTH]) {
          const view = await read(session, purpose);
          expect(view.data, `${session.role} ${purpose}`).not.toHaveProperty('child-health');
          expect(view.withheld.map((entry) => entry.category)).toContain('child-health');
        }
      }
      // The health officer's grant is for development reports only: without that purpose, withheld.
      const noPurpose = await read(staff.healthOfficer);
      expect(noPurpose.withheld).toContainEqual({
        category: 'child-health',
        reason: 'the role "health-officer" may not read "child-health"',
      });
      const write = await staff.educator.request('PATCH', url(institutionA, `${child}/data`), {
        payload: { data: { 'child-health': { report: 'Rewritten' } } },
      });
      expect(write.statusCode).toBe(403);
      const healthWrite = await staff.healthOfficer.request(
        'PATCH',
        url(institutionA, `${child}/data`),
        {
          purpose: HEALTH,
          payload: {
            data: { 'child-health': { report: 'Asthma; inhaler and spacer in the bag' } },
          },
        },
      );
      expect(healthWrite.statusCode, healthWrite.body).toBe(200);
    });

    it('kindergarten-platform §4: only roles that may write a child’s enrollment record enroll the child or change the enrollment', async () => {
      const { organization, admin, childId, programId, enrollmentId } = institutionA;
      const finance = await newStaffSession(app, organization, admin, 'finance-officer');
      const educator = await newStaffSession(app, organization, admin, 'educator');
      const enroll = await finance.request(
        'POST',
        url(institutionA, `/programs/${programId}/enrollments`),
        {
          payload: { personId: childId },
        },
      );
      expect(enroll.statusCode).toBe(403);
      const change = await finance.request(
        'PATCH',
        url(institutionA, `/enrollments/${enrollmentId}`),
        {
          payload: { status: 'cancelled' },
        },
      );
      expect(change.statusCode).toBe(403);
      // The educator writes the child's profile, where kindergarten-platform.yaml records enrollment.
      const allowed = await educator.request(
        'PATCH',
        url(institutionA, `/enrollments/${enrollmentId}`),
        {
          payload: { status: 'completed' },
        },
      );
      expect(allowed.statusCode, allowed.body).toBe(204);
    });
  },
);

describeEachDialect('kexara.txt: who accessed what and when', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let administrator: StaffSession;
  let supportAgent: StaffSession;
  let tourCoordinator: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

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
    supportAgent = await newStaffSession(app, organization, administrator, 'support-agent');
    tourCoordinator = await newStaffSession(app, organization, administrator, 'tour-coordinator');
  });

  it('kexara §security: the access history of a person lists exactly the accesses made, in order, with actor and categories', async () => {
    const times: string[] = [];
    const step = async (action: () => Promise<LightMyRequestResponse>) => {
      app.clock.advance(MINUTE);
      times.push(app.clock.now().toISOString());
      const answer = await action();
      expect(answer.statusCode, answer.body).toBeLessThan(300);
      return answer;
    };
    const customer = await step(() =>
      tourCoordinator.request('POST', url('/people'), {
        purpose: 'tour-coordination',
        payload: {
          subjectKind: 'customer',
          data: {
            account: { full_name: 'Noor Haddad', email: 'noor@example.org' },
            'travel-preferences': { travel_preferences: 'Window seat, vegetarian meals' },
          },
        },
      }),
    );
    const personId = customer.json<{ id: string }>().id;
    const person = `/people/${personId}`;
    await step(() => supportAgent.request('GET', url(person)));
    await step(() => tourCoordinator.request('GET', url(person), { purpose: 'tour-coordination' }));
    await step(() =>
      supportAgent.request('PATCH', url(`${person}/data`), {
        purpose: 'customer-support',
        payload: { data: { account: { phone: '+1 613 555 0100' } } },
      }),
    );
    await step(() => administrator.request('GET', url(person)));
    // Someone else's person is not part of this one's history.
    app.clock.advance(MINUTE);
    await tourCoordinator.request('POST', url('/people'), {
      payload: {
        subjectKind: 'customer',
        data: { account: { full_name: 'Other Person', email: 'other@example.org' } },
      },
    });

    const history = await administrator.request('GET', url(`${person}/accesses`));
    expect(history.statusCode, history.body).toBe(200);
    const entry = (
      at: string | undefined,
      actor: StaffSession,
      action: string,
      categories: string[],
      rest: { withheld?: string[]; purpose?: string | null } = {},
    ) => ({
      at,
      actorType: 'staff',
      actorId: actor.userId,
      action,
      outcome: 'success',
      subjectId: personId,
      categories,
      withheld: rest.withheld ?? [],
      purpose: rest.purpose ?? null,
      ip: '127.0.0.1',
    });
    expect(history.json()).toEqual({
      accesses: [
        entry(times[0], tourCoordinator, 'person.create', ['account', 'travel-preferences'], {
          purpose: 'tour-coordination',
        }),
        entry(times[1], supportAgent, 'person.read', ['account'], {
          withheld: ['travel-preferences'],
        }),
        entry(times[2], tourCoordinator, 'person.read', ['account', 'travel-preferences'], {
          purpose: 'tour-coordination',
        }),
        entry(times[3], supportAgent, 'person.write', ['account'], { purpose: 'customer-support' }),
        entry(times[4], administrator, 'person.read', ['account', 'travel-preferences']),
      ],
    });

    // And what one staff member accessed, across people.
    const byCoordinator = await administrator.request(
      'GET',
      url(`/staff-users/${tourCoordinator.userId}/accesses`),
    );
    expect(byCoordinator.statusCode).toBe(200);
    const actions = byCoordinator
      .json<{ accesses: { action: string; subjectId: string; at: string }[] }>()
      .accesses.map((access) => [access.action, access.subjectId === personId, access.at]);
    expect(actions).toEqual([
      ['person.create', true, times[0]],
      ['person.read', true, times[2]],
      ['person.create', false, expect.any(String)],
    ]);

    // The history is for those the policy lets see the audit log.
    const refused = await supportAgent.request('GET', url(`${person}/accesses`));
    expect(refused.statusCode).toBe(403);
  });
});

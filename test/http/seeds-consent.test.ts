import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
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
import {
  activateExamplePolicy,
  newStaffSession,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';

const errorOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string; message: string; issues?: { path: string }[] } }>().error;

async function created(response: Promise<LightMyRequestResponse>): Promise<string> {
  const answer = await response;
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json<{ id: string }>().id;
}

/** The test clock starts on 2026-03-02 (test/support/app.ts): these dates give these ages. */
const AGE_11 = '2014-05-17';
const AGE_15 = '2010-06-01';
const AGE_30 = '1995-09-12';

const PAPER_FORM = {
  consent: 'terms-and-data-authorisation',
  givenBy: 'staff-paper-form',
  evidenceReference: 'KCTGMPDATAFORM22-0457',
};

function participant(name: string, dateOfBirth: string) {
  return {
    'contact-data': {
      full_name: `${name} Ríos`,
      email: `${name.toLowerCase()}@example.org`,
      phone: '+57 300 555 0101',
    },
    'participant-data': {
      full_name: name,
      date_of_birth: dateOfBirth,
      emergency_contact: { name: 'Marta', phone: '+57 300 555 0101' },
    },
    'medical-data': { allergies: `${name}: penicillin` },
  };
}

describeEachDialect('kajuyali.txt: consent on paper, terms before enrollment', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let levelA: StaffSession;
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
  });

  it('kajuyali §5.2: a child’s data is refused without a consent on record, and kept with the paper form', async () => {
    const before = (
      await createPersonStore(store().db).list(scopeOf(organization.organizationId), {
        limit: 1000,
      })
    ).length;
    const refused = await levelA.request('POST', url('/people'), {
      payload: { subjectKind: 'participant', data: participant('Sofía', AGE_11) },
    });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('CONSENT_REQUIRED');
    expect(errorOf(refused).message).toContain('participant-data');
    expect(
      (
        await createPersonStore(store().db).list(scopeOf(organization.organizationId), {
          limit: 1000,
        })
      ).length,
    ).toBe(before);

    const scan = Buffer.from('%PDF-1.4 signed by Marta Ríos').toString('base64');
    const personId = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          data: participant('Sofía', AGE_11),
          consents: [{ ...PAPER_FORM, evidence: { mediaType: 'application/pdf', base64: scan } }],
        },
      }),
    );
    const consents = await levelA.request('GET', url(`/people/${personId}/consents`));
    expect(consents.statusCode, consents.body).toBe(200);
    expect(consents.json()).toMatchObject({
      personId,
      consents: [
        {
          consent: 'terms-and-data-authorisation',
          status: 'given',
          givenBy: 'staff-paper-form',
          method: 'paper-form',
          evidenceReference: 'KCTGMPDATAFORM22-0457',
          hasEvidence: true,
          purposes: ['program-operation', 'emergency-care', 'customer-history'],
        },
      ],
    });
    const recordId = consents.json<{ consents: { id: string }[] }>().consents[0]?.id ?? '';
    const evidence = await levelA.request(
      'GET',
      url(`/people/${personId}/consents/${recordId}/evidence`),
    );
    expect(evidence.statusCode, evidence.body).toBe(200);
    expect(evidence.json()).toEqual({ recordId, mediaType: 'application/pdf', base64: scan });
    const unknown = await levelA.request(
      'GET',
      url(`/people/${personId}/consents/no-such-record/evidence`),
    );
    expect(unknown.statusCode).toBe(404);
    const receipt = await levelA.request('GET', url(`/people/${personId}/consent-receipt`));
    expect(receipt.statusCode, receipt.body).toBe(200);
    expect(receipt.json()).toMatchObject({
      version: 'KI-CR-v1.1.0',
      piiPrincipalId: personId,
      collectionMethod: 'paper-form',
      services: [{ consentRecordId: expect.any(String) as unknown, givenBy: 'staff-paper-form' }],
      sensitive: true,
    });
  });

  it('kajuyali §5.2: refuses a paper form of another form, a child consenting alone, and an unlinked guardian', async () => {
    const wrongForm = await levelA.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        data: participant('Tomás', AGE_11),
        consents: [{ ...PAPER_FORM, evidenceReference: 'OTHERFORM-1' }],
      },
    });
    expect(wrongForm.statusCode).toBe(400);
    expect(errorOf(wrongForm).issues?.map((issue) => issue.path)).toEqual(['evidenceReference']);

    const alone = await levelA.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        data: participant('Tomás', AGE_11),
        consents: [{ consent: 'terms-and-data-authorisation', givenBy: 'subject' }],
      },
    });
    expect(alone.statusCode).toBe(400);
    expect(errorOf(alone).issues?.map((issue) => issue.path)).toEqual(['givenBy']);

    const stranger = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'guardian',
          data: {
            'contact-data': {
              full_name: 'Nadie',
              email: 'nadie@example.org',
              phone: '+57 300 555 0191',
            },
          },
        },
      }),
    );
    const unlinked = await levelA.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        data: participant('Tomás', AGE_11),
        consents: [
          { consent: 'terms-and-data-authorisation', givenBy: 'guardian', guardianId: stranger },
        ],
      },
    });
    expect(unlinked.statusCode).toBe(400);
    expect(errorOf(unlinked).issues?.map((issue) => issue.path)).toEqual(['guardianId']);

    const undeclared = await levelA.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        data: participant('Tomás', AGE_11),
        consents: [{ consent: 'research', givenBy: 'staff-paper-form', evidenceReference: 'x' }],
      },
    });
    expect(undeclared.statusCode).toBe(400);
    expect(errorOf(undeclared).issues?.map((issue) => issue.path)).toEqual(['consent']);

    // The linked guardian consents for the child: accepted.
    const mother = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'guardian',
          data: {
            'contact-data': {
              full_name: 'Marta',
              email: 'marta@example.org',
              phone: '+57 300 555 0192',
            },
          },
        },
      }),
    );
    await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          data: participant('Tomás', AGE_11),
          guardians: [{ guardianId: mother, relationship: 'mother' }],
          consents: [
            { consent: 'terms-and-data-authorisation', givenBy: 'guardian', guardianId: mother },
          ],
        },
      }),
    );
  });

  it('kajuyali §5: enrollment requires acceptance of the terms', async () => {
    const personId = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          data: participant('Lina', AGE_11),
          consents: [PAPER_FORM],
        },
      }),
    );
    const programId = await created(
      levelA.request('POST', url('/programs'), { payload: { name: 'Campamento', kind: 'camp' } }),
    );
    const early = await levelA.request('POST', url(`/programs/${programId}/enrollments`), {
      payload: { personId },
    });
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).code).toBe('TERMS_NOT_ACCEPTED');
    const childAlone = await levelA.request('POST', url(`/people/${personId}/terms-acceptances`), {
      payload: { acceptedBy: 'subject' },
    });
    expect(childAlone.statusCode).toBe(400);
    const accepted = await levelA.request('POST', url(`/people/${personId}/terms-acceptances`), {
      payload: { acceptedBy: 'staff-paper-form', evidenceReference: 'KCTGMPDATAFORM22-0458' },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.json()).toMatchObject({ current: true, method: 'explicit' });
    await created(
      levelA.request('POST', url(`/programs/${programId}/enrollments`), { payload: { personId } }),
    );
  });

  it('kajuyali §5.3: withdrawing the authorisation stops processing at once', async () => {
    const personId = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          data: participant('Ana', AGE_11),
          consents: [PAPER_FORM],
        },
      }),
    );
    const before = await levelA.request('GET', url(`/people/${personId}`));
    expect(Object.keys(before.json<{ data: object }>().data)).toContain('medical-data');
    const withdrawn = await levelA.request('POST', url(`/people/${personId}/consents/withdraw`), {
      payload: { consent: 'terms-and-data-authorisation', method: 'email' },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ withdrawnRecords: 1 });
    const after = await levelA.request('GET', url(`/people/${personId}`));
    const view = after.json<{ data: object; withheld: { category: string; reason: string }[] }>();
    expect(Object.keys(view.data)).not.toContain('medical-data');
    expect(view.withheld.map((entry) => entry.category)).toEqual(
      expect.arrayContaining(['medical-data', 'participant-data']),
    );
    const write = await levelA.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'medical-data': { allergies: 'none' } } },
    });
    expect(write.statusCode).toBe(403);
    expect(errorOf(write).code).toBe('CONSENT_REQUIRED');
    const again = await levelA.request('POST', url(`/people/${personId}/consents/withdraw`), {
      payload: { consent: 'terms-and-data-authorisation' },
    });
    expect(again.statusCode).toBe(409);
  });

  // Last in this block: it moves the clock 40 days, past every staff session.
  it('kajuyali: consent given for a child is asked again of them when they come of age', async () => {
    // Sessions end after 12 hours; an API token lasts across the 40 days this test moves ahead.
    const issued = await levelA.request('POST', url('/api-tokens'), { payload: { name: 'clock' } });
    expect(issued.statusCode, issued.body).toBe(201);
    const bearer = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
    // 17 on the test clock's 2026-03-02; 18 on 2026-04-10.
    const personId = await created(
      levelA.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          data: participant('Camila', '2008-04-10'),
          consents: [PAPER_FORM],
        },
      }),
    );
    const categories = async () =>
      Object.keys(
        (
          await app.server.inject({
            method: 'GET',
            url: url(`/people/${personId}`),
            headers: bearer,
          })
        ).json<{ data: object }>().data,
      );
    expect(await categories()).toContain('medical-data');
    app.clock.advance(40 * 86_400_000);
    expect(await categories()).not.toContain('medical-data');
    // Camila signs the form herself, now an adult.
    const own = await app.server.inject({
      method: 'POST',
      url: url(`/people/${personId}/consents`),
      headers: bearer,
      payload: { ...PAPER_FORM, evidenceReference: 'KCTGMPDATAFORM22-0900' },
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(await categories()).toContain('medical-data');
  });
});

describeEachDialect('kexara.txt: children under 13', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let officer: StaffSession;
  let marketing: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;
  const customer = (name: string, dateOfBirth?: string) => ({
    account: {
      full_name: name,
      email: `${name.toLowerCase().replaceAll(' ', '.')}@example.org`,
      ...(dateOfBirth === undefined ? {} : { date_of_birth: dateOfBirth }),
    },
  });

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
    marketing = await newStaffSession(app, organization, officer, 'marketing-team');
  });

  async function auditActions(): Promise<string[]> {
    const events = await createAuditStore(store().db, store().dialect).list(
      scopeOf(organization.organizationId),
      { limit: 1000 },
    );
    return events.map((event) => event.action);
  }

  it('kexara: an account for a child under 13 is refused, nothing stored, the refusal audited', async () => {
    const refused = await officer.request('POST', url('/people'), {
      payload: { subjectKind: 'customer', data: customer('Kid', AGE_11) },
    });
    expect(refused.statusCode).toBe(422);
    expect(errorOf(refused).code).toBe('BELOW_MINIMUM_AGE');
    const people = await createPersonStore(store().db).list(scopeOf(organization.organizationId), {
      limit: 1000,
    });
    expect(people).toEqual([]);
    expect(await auditActions()).toContain('person.refused-below-minimum-age');
  });

  it('kexara: data found later to be a child’s is deleted immediately', async () => {
    const personId = await created(
      officer.request('POST', url('/people'), {
        payload: { subjectKind: 'customer', data: customer('Found Kid') },
      }),
    );
    const found = await officer.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { account: { date_of_birth: AGE_11 } } },
    });
    expect(found.statusCode).toBe(422);
    expect(errorOf(found).code).toBe('BELOW_MINIMUM_AGE');
    expect((await officer.request('GET', url(`/people/${personId}`))).statusCode).toBe(404);
    expect(await auditActions()).toContain('person.deleted-below-minimum-age');
  });

  it('kexara: a teenager of 15 may hold an account and consent; a date of birth in the future is refused', async () => {
    await created(
      officer.request('POST', url('/people'), {
        payload: {
          subjectKind: 'customer',
          data: customer('Teen', AGE_15),
          consents: [
            { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
          ],
        },
      }),
    );
    const future = await officer.request('POST', url('/people'), {
      payload: { subjectKind: 'customer', data: customer('Future', '2030-01-01') },
    });
    expect(future.statusCode).toBe(400);
    expect(errorOf(future).code).toBe('VALIDATION_FAILED');
  });

  it('kexara: withdrawing marketing consent stops marketing processing immediately', async () => {
    const personId = await created(
      officer.request('POST', url('/people'), {
        payload: {
          subjectKind: 'customer',
          data: customer('Adult Customer', AGE_30),
          consents: [
            { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
          ],
        },
      }),
    );
    const read = () =>
      marketing.request('GET', url(`/people/${personId}`), { purpose: 'marketing' });
    expect(Object.keys((await read()).json<{ data: object }>().data)).toEqual(['account']);
    const withdrawn = await officer.request('POST', url(`/people/${personId}/consents/withdraw`), {
      payload: { consent: 'marketing-communications', method: 'email' },
    });
    expect(withdrawn.json()).toMatchObject({ suppressedChannels: ['email'] });
    const after = (await read()).json<{ data: object; withheld: { reason: string }[] }>();
    expect(after.data).toEqual({});
    expect(after.withheld[0]?.reason).toContain('needs consent');
    // Staff cannot opt the address in again: only the person can (the suppression list).
    const again = await officer.request('POST', url(`/people/${personId}/consents`), {
      payload: { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
    });
    expect(again.statusCode).toBe(409);
    // Nor can a new record with the same address bring the opt-in back (a re-registration).
    const twin = await officer.request('POST', url('/people'), {
      payload: {
        subjectKind: 'customer',
        data: customer('Adult Customer', AGE_30),
        consents: [
          { consent: 'marketing-communications', givenBy: 'subject', channels: ['email'] },
        ],
      },
    });
    expect(twin.statusCode).toBe(409);
  });
});

describeEachDialect('kindergarten-platform.txt: attestation and photo consent', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let admin: StaffSession;
  let educator: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;
  const ATTESTATION = {
    consent: 'parental-consent',
    givenBy: 'institution-attestation',
    institution: 'Girasoles kindergarten',
    evidenceReference: 'ATT-2026-014',
  };

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kindergarten-platform',
      'institution-administrator',
    ));
    educator = await newStaffSession(app, organization, admin, 'educator');
  });

  it('kindergarten §8: no child data without the institution’s consent attestation', async () => {
    const refused = await educator.request('POST', url('/people'), {
      payload: {
        subjectKind: 'child',
        data: { 'child-profile': { name: 'Lucía', group: 'A', enrolled_on: '2025-09-01' } },
      },
    });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('CONSENT_REQUIRED');
    const noInstitution = await educator.request('POST', url('/people'), {
      payload: {
        subjectKind: 'child',
        data: { 'child-profile': { name: 'Lucía', group: 'A', enrolled_on: '2025-09-01' } },
        consents: [{ ...ATTESTATION, institution: undefined }],
      },
    });
    expect(noInstitution.statusCode).toBe(400);
    expect(errorOf(noInstitution).issues?.map((issue) => issue.path)).toEqual(['institution']);
    await created(
      educator.request('POST', url('/people'), {
        payload: {
          subjectKind: 'child',
          data: { 'child-profile': { name: 'Lucía', group: 'A', enrolled_on: '2025-09-01' } },
          consents: [ATTESTATION],
        },
      }),
    );
  });

  it('kindergarten §4: photos only with the separate photo consent, given by a parent', async () => {
    const parent = await created(
      educator.request('POST', url('/people'), {
        payload: {
          subjectKind: 'parent',
          data: { 'parent-contact': { name: 'Elena', email: 'elena@example.org' } },
        },
      }),
    );
    const child = await created(
      educator.request('POST', url('/people'), {
        payload: {
          subjectKind: 'child',
          data: { 'child-profile': { name: 'Mateo', group: 'B', enrolled_on: '2025-09-01' } },
          guardians: [{ guardianId: parent, relationship: 'mother' }],
          consents: [ATTESTATION],
        },
      }),
    );
    const photo = { 'child-photos': { profile_image: 'photos/mateo.jpg' } };
    const withoutConsent = await educator.request('PATCH', url(`/people/${child}/data`), {
      payload: { data: photo },
      purpose: 'media-sharing',
    });
    expect(withoutConsent.statusCode).toBe(403);
    expect(errorOf(withoutConsent).code).toBe('CONSENT_REQUIRED');
    const consent = await educator.request('POST', url(`/people/${child}/consents`), {
      payload: { consent: 'photo-consent', givenBy: 'guardian', guardianId: parent },
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const withConsent = await educator.request('PATCH', url(`/people/${child}/data`), {
      payload: { data: photo },
      purpose: 'media-sharing',
    });
    expect(withConsent.statusCode, withConsent.body).toBe(200);
  });
});

describeEachDialect('career-masterclass.txt: research consent', ({ store }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let researcher: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    const { admin } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'career-masterclass',
      'administrator',
    );
    researcher = await newStaffSession(app, organization, admin, 'researcher');
  });

  it('career-masterclass: withdrawing research consent stops processing of ethnic origin for research', async () => {
    const personId = await created(
      researcher.request('POST', url('/people'), {
        purpose: 'research-ethnic-origin',
        payload: {
          subjectKind: 'research-participant',
          data: {
            'research-data': { study: 'Pathways 2026' },
            'ethnic-origin': { ethnic_origin: 'Mixed' },
          },
          consents: [
            { consent: 'research-participation', givenBy: 'subject' },
            { consent: 'research-ethnic-origin', givenBy: 'subject' },
          ],
        },
      }),
    );
    const read = () =>
      researcher.request('GET', url(`/people/${personId}`), { purpose: 'research-ethnic-origin' });
    expect((await read()).json<{ data: object }>().data).toMatchObject({
      'ethnic-origin': { ethnic_origin: 'Mixed' },
    });
    const withdrawn = await researcher.request(
      'POST',
      url(`/people/${personId}/consents/withdraw`),
      {
        payload: { consent: 'research-ethnic-origin', method: 'self-service' },
      },
    );
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const after = (await read()).json<{ data: object; withheld: { category: string }[] }>();
    expect(after.data).toEqual({});
    expect(after.withheld.map((entry) => entry.category).sort()).toEqual([
      'ethnic-origin',
      'research-data',
    ]);
    // Research on other data goes on under its own consent; ethnic origin cannot be written.
    const research = await researcher.request('GET', url(`/people/${personId}`), {
      purpose: 'research',
    });
    expect(Object.keys(research.json<{ data: object }>().data)).toEqual(['research-data']);
    const write = await researcher.request('PATCH', url(`/people/${personId}/data`), {
      purpose: 'research-ethnic-origin',
      payload: { data: { 'ethnic-origin': { ethnic_origin: 'Other' } } },
    });
    expect(write.statusCode).toBe(403);
    expect(errorOf(write).code).toBe('CONSENT_REQUIRED');
  });
});

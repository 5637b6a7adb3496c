import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/app/audit/verify-audit-log.js';
import { shredSubjectKey } from '../../src/app/keys/shred-subject-key.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { inTenant } from '../../src/store/tenant.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  enrollTotp,
  examplePolicySource,
  organizationUrl,
  sessionFor,
  type StaffSession,
} from '../support/policy-app.js';

/** A value no other test writes, so finding it anywhere means finding this person. */
const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** A kajuyali.yaml participant with contact, participant and (encrypted) medical data. */
/** kajuyali §5.2: the signed paper form a guardian fills in for a child participant. */
const PAPER_CONSENT = [
  {
    consent: 'terms-and-data-authorisation',
    givenBy: 'staff-paper-form',
    evidenceReference: 'KCTGMPDATAFORM22-TEST',
  },
];

function participantData() {
  const name = unique('Name');
  return {
    'contact-data': {
      full_name: name,
      email: `${unique('mail').toLowerCase()}@example.org`,
      phone: '+57 300 555 0101',
    },
    'participant-data': {
      full_name: name,
      date_of_birth: '2014-05-17',
      emergency_contact: { name: unique('Emergency'), phone: '+57 300 555 0102' },
    },
    'medical-data': { allergies: unique('Allergy'), medication: unique('Medication') },
  };
}

const errorOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string; issues?: { path: string; message: string }[] } }>().error;

describeEachDialect('people under an active policy', ({ store, database, dialect }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let adminCookie: string;
  let admin: StaffSession;
  let versionId: string;
  let other: TestOrganization;
  let otherPersonId: string;
  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    adminCookie = await logInAdmin(app, organization);
    other = await newOrganization(app);
    const otherAdmin = (
      await activateExamplePolicy(app, other, await logInAdmin(app, other), 'kajuyali', 'level-a')
    ).admin;
    const created = await otherAdmin.request('POST', `${organizationUrl(other)}/people`, {
      payload: { subjectKind: 'participant', consents: PAPER_CONSENT, data: participantData() },
    });
    expect(created.statusCode, created.body).toBe(201);
    otherPersonId = created.json<{ id: string }>().id;
  });

  const url = (path = '') => `${organizationUrl(organization)}${path}`;
  const createPerson = async (data: object = participantData()) => {
    const response = await admin.request('POST', url('/people'), {
      payload: { subjectKind: 'participant', consents: PAPER_CONSENT, data },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  it('refuses a policy file that does not check, naming each problem with its line and column', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: url('/policy-versions'),
      headers: { cookie: adminCookie },
      payload: { source: 'custodia_policy: 1\norganisation:\n  name: [unclosed\n' },
    });
    expect(response.statusCode).toBe(400);
    const issues = errorOf(response).issues ?? [];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.path).toMatch(/^source\./);
      expect(issue.message).toMatch(/^\d+:\d+: /);
    }
  });

  it('refuses to activate while a staff account holds a role the policy does not declare, then activates with assignRoles', async () => {
    const uploaded = await app.server.inject({
      method: 'POST',
      url: url('/policy-versions'),
      headers: { cookie: adminCookie },
      payload: { source: examplePolicySource('kajuyali'), fileName: 'kajuyali.yaml' },
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    expect(uploaded.json()).toMatchObject({ version: '2022-09-01', status: 'draft' });
    versionId = uploaded.json<{ id: string }>().id;

    const refused = await app.server.inject({
      method: 'POST',
      url: url(`/policy-versions/${versionId}/activate`),
      headers: { cookie: adminCookie },
      payload: {},
    });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: `assignRoles.${organization.adminUserId}` }),
      ]),
    );
    const wrongRole = await app.server.inject({
      method: 'POST',
      url: url(`/policy-versions/${versionId}/activate`),
      headers: { cookie: adminCookie },
      payload: { assignRoles: { [organization.adminUserId]: 'level-c' } },
    });
    expect(wrongRole.statusCode).toBe(400);
    expect(errorOf(wrongRole).issues).toEqual([expect.objectContaining({ path: 'assignRoles' })]);

    const activated = await app.server.inject({
      method: 'POST',
      url: url(`/policy-versions/${versionId}/activate`),
      headers: { cookie: adminCookie },
      payload: { assignRoles: { [organization.adminUserId]: 'level-a' } },
    });
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json()).toMatchObject({ id: versionId, rolesAssigned: 1 });

    // Level A requires a second factor: the session must enrol before anything else.
    const blocked = await app.server.inject({
      method: 'GET',
      url: url('/policy-versions'),
      headers: { cookie: adminCookie },
    });
    expect(blocked.statusCode).toBe(403);
    expect(errorOf(blocked).code).toBe('MFA_REQUIRED');
    await enrollTotp(app, adminCookie);
    admin = sessionFor(app, {
      userId: organization.adminUserId,
      email: organization.adminEmail,
      role: 'level-a',
      cookie: adminCookie,
    });
    const versions = await admin.request('GET', url('/policy-versions'));
    expect(versions.statusCode).toBe(200);
    expect(versions.json()).toMatchObject({ versions: [{ id: versionId, status: 'active' }] });
  });

  it('publishes the active policy’s privacy notice to anyone, as HTML under its own CSP or as Markdown', async () => {
    const html = await app.server.inject({
      method: 'GET',
      url: `/api/v1/privacy-notices/${organization.slug}?lang=en&format=html`,
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.body).toContain('<style');
    expect(html.body).toContain('Kajuyalí');

    const markdown = await app.server.inject({
      method: 'GET',
      url: `/api/v1/privacy-notices/${organization.slug}?format=md`,
    });
    expect(markdown.statusCode).toBe(200);
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers['content-language']).toBe('es');
    expect(markdown.body).toMatch(/^# /m);

    const none = await newOrganization(app);
    for (const slug of [none.slug, 'no-such-organisation']) {
      const missing = await app.server.inject({
        method: 'GET',
        url: `/api/v1/privacy-notices/${slug}`,
      });
      expect(missing.statusCode).toBe(404);
    }
    const badLanguage = await app.server.inject({
      method: 'GET',
      url: `/api/v1/privacy-notices/${organization.slug}?lang=de`,
    });
    expect(badLanguage.statusCode).toBe(400);
  });

  it('creates, reads, updates and deletes a category of a person under the policy', async () => {
    const data = participantData();
    const created = await admin.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        consents: PAPER_CONSENT,
        externalReference: unique('ref'),
        data,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      subjectKind: 'participant',
      policyVersionId: versionId,
      categories: ['contact-data', 'participant-data', 'medical-data'],
    });
    const personId = created.json<{ id: string }>().id;

    const read = await admin.request('GET', url(`/people/${personId}`));
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      id: personId,
      data: {
        'contact-data': data['contact-data'],
        'medical-data': data['medical-data'],
        'participant-data': {
          full_name: data['participant-data'].full_name,
          emergency_contact: JSON.stringify(data['participant-data'].emergency_contact),
        },
      },
      withheld: [],
      erased: [],
    });

    const updated = await admin.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'medical-data': { allergies: 'penicillin' } } },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toEqual({ categories: ['medical-data'] });
    const afterUpdate = await admin.request('GET', url(`/people/${personId}`));
    expect(afterUpdate.json()).toMatchObject({
      data: {
        'medical-data': { allergies: 'penicillin', medication: data['medical-data'].medication },
      },
    });

    const deleted = await admin.request('DELETE', url(`/people/${personId}/data/medical-data`));
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({ deletedValues: 2 });
    const afterDelete = await admin.request('GET', url(`/people/${personId}`));
    expect(Object.keys(afterDelete.json<{ data: object }>().data)).toEqual([
      'contact-data',
      'participant-data',
    ]);
    const again = await admin.request('DELETE', url(`/people/${personId}/data/medical-data`));
    expect(again.statusCode).toBe(404);

    const page = await admin.request('GET', url('/people?limit=500'));
    expect(page.statusCode).toBe(200);
    expect(page.json<{ people: { id: string }[] }>().people.map((person) => person.id)).toContain(
      personId,
    );

    const removed = await admin.request('DELETE', url(`/people/${personId}`));
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toEqual({ deletedCategories: ['contact-data', 'participant-data'] });
    expect((await admin.request('GET', url(`/people/${personId}`))).statusCode).toBe(404);
  });

  it('refuses an undeclared category or field, naming data.<category>.<field> (data minimisation)', async () => {
    const undeclared = await admin.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        consents: PAPER_CONSENT,
        data: {
          ...participantData(),
          hobbies: { favourite: 'chess' },
          'contact-data': {
            full_name: 'Ana',
            email: 'ana@example.org',
            phone: '+57 300 555 0101',
            nickname: 'Anita',
          },
        },
      },
    });
    expect(undeclared.statusCode).toBe(400);
    expect(errorOf(undeclared).issues?.map((issue) => issue.path)).toEqual([
      'data.contact-data.nickname',
      'data.hobbies',
    ]);
    const personId = await createPerson();
    const update = await admin.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'medical-data': { blood_type: 'O+' } } },
    });
    expect(update.statusCode).toBe(400);
    expect(errorOf(update).issues).toEqual([
      {
        path: 'data.medical-data.blood_type',
        message: 'is not a field of "medical-data" in the policy, so it may not be stored',
      },
    ]);
    const wrongKind = await admin.request('POST', url('/people'), {
      payload: { subjectKind: 'employee', data: {} },
    });
    expect(wrongKind.statusCode).toBe(400);
    expect(errorOf(wrongKind).issues?.[0]?.path).toBe('subjectKind');
    const notKept = await admin.request('POST', url('/people'), {
      payload: { subjectKind: 'prospect', data: { 'medical-data': { allergies: 'none' } } },
    });
    expect(notKept.statusCode).toBe(400);
    expect(errorOf(notKept).issues?.[0]?.path).toBe('data.medical-data');
  });

  it('refuses a value of the wrong type and one over 10,000 characters', async () => {
    const data = participantData();
    const response = await admin.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        consents: PAPER_CONSENT,
        data: {
          ...data,
          'contact-data': { ...data['contact-data'], email: 'not an address' },
          'participant-data': { ...data['participant-data'], date_of_birth: 17 },
          'medical-data': { conditions: 'x'.repeat(10_001) },
        },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).issues).toEqual([
      { path: 'data.contact-data.email', message: 'must be an e-mail address' },
      { path: 'data.participant-data.date_of_birth', message: 'must be a string' },
      { path: 'data.medical-data.conditions', message: 'must be at most 10000 characters' },
    ]);
    const missing = await admin.request('POST', url('/people'), {
      payload: {
        subjectKind: 'participant',
        consents: PAPER_CONSENT,
        data: { 'contact-data': { full_name: 'Ana' } },
      },
    });
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).issues?.map((issue) => issue.path)).toEqual([
      'data.contact-data.email',
      'data.contact-data.phone',
    ]);
  });

  it('answers another organisation’s person id with the same 404 as an unknown id', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const strip = (response: LightMyRequestResponse) => ({
      status: response.statusCode,
      error: { ...errorOf(response), requestId: '' },
    });
    const guardianId = await createPerson();
    const builders: ((personId: string) => {
      method: 'GET' | 'PATCH' | 'DELETE' | 'POST';
      path: string;
      payload?: object;
    })[] = [
      (personId) => ({ method: 'GET', path: url(`/people/${personId}`) }),
      (personId) => ({
        method: 'PATCH',
        path: url(`/people/${personId}/data`),
        payload: { data: { 'medical-data': { allergies: 'x' } } },
      }),
      (personId) => ({ method: 'DELETE', path: url(`/people/${personId}/data/medical-data`) }),
      (personId) => ({ method: 'DELETE', path: url(`/people/${personId}`) }),
      (personId) => ({
        method: 'POST',
        path: url(`/people/${personId}/guardians`),
        payload: { guardianId },
      }),
    ];
    for (const build of builders) {
      const foreign = build(otherPersonId);
      const unknown = build(unknownId);
      const foreignAnswer = await admin.request(foreign.method, foreign.path, foreign);
      const unknownAnswer = await admin.request(unknown.method, unknown.path, unknown);
      expect(foreignAnswer.statusCode, `${foreign.method} ${foreign.path}`).toBe(404);
      expect(strip(foreignAnswer)).toEqual(strip(unknownAnswer));
    }
    // Reaching through the other organisation's own path is refused the same way.
    const otherPath = await admin.request(
      'GET',
      `${organizationUrl(other)}/people/${otherPersonId}`,
    );
    expect(strip(otherPath)).toEqual(
      strip(await admin.request('GET', `/api/v1/organizations/${unknownId}/people/${unknownId}`)),
    );
  });

  it('stores SQL and HTML injection strings verbatim and returns them as JSON, never executed', async () => {
    const data = participantData();
    const injected = {
      ...data,
      'contact-data': {
        ...data['contact-data'],
        full_name: "Robert'); DROP TABLE people;--",
        address: '<script>alert("x")</script><img src=x onerror=alert(1)>',
      },
      'participant-data': { ...data['participant-data'], school: "' OR '1'='1" },
    };
    const personId = await createPerson(injected);
    const read = await admin.request('GET', url(`/people/${personId}`));
    expect(read.statusCode).toBe(200);
    // JSON under nosniff: a browser never renders it as a page, whatever the strings hold.
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(read.json()).toMatchObject({
      data: {
        'contact-data': {
          full_name: "Robert'); DROP TABLE people;--",
          address: '<script>alert("x")</script><img src=x onerror=alert(1)>',
        },
        'participant-data': { school: "' OR '1'='1" },
      },
    });
    const page = await admin.request('GET', url('/people?limit=500'));
    expect(page.statusCode).toBe(200);
    expect(page.json<{ people: unknown[] }>().people.length).toBeGreaterThan(0);
  });

  it('records every access with its categories, and the audit chain still verifies', async () => {
    const personId = await createPerson();
    await admin.request('GET', url(`/people/${personId}`));
    await admin.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'medical-data': { conditions: 'asthma' } } },
    });
    await admin.request('GET', url(`/people/${personId}`), { purpose: 'accounting' });
    await admin.request('DELETE', url(`/people/${personId}/data/medical-data`));
    const accesses = await admin.request('GET', url(`/people/${personId}/accesses`));
    expect(accesses.statusCode, accesses.body).toBe(200);
    expect(accesses.json()).toEqual({
      accesses: [
        expect.objectContaining({
          action: 'person.create',
          actorId: organization.adminUserId,
          categories: ['contact-data', 'participant-data', 'medical-data'],
          subjectId: personId,
        }),
        expect.objectContaining({
          action: 'person.read',
          categories: ['contact-data', 'medical-data', 'participant-data'],
          withheld: [],
          purpose: null,
        }),
        expect.objectContaining({ action: 'person.write', categories: ['medical-data'] }),
        // Accounting uses contact data and invoices only: the rest is withheld for that purpose.
        expect.objectContaining({
          action: 'person.read',
          categories: ['contact-data'],
          withheld: ['medical-data', 'participant-data'],
          purpose: 'accounting',
        }),
        expect.objectContaining({ action: 'person.delete-category', categories: ['medical-data'] }),
      ],
    });
    const [verification] = await verifyAuditLog(
      { store: store(), masterKeys: app.deps.masterKeys },
      { organization: organization.organizationId },
    );
    expect(verification?.entriesChecked).toBeGreaterThan(5);
    expect(verification?.problems).toEqual([]);
  });

  it('keeps encrypted categories only as ciphertext in the database', async () => {
    const data = participantData();
    const personId = await createPerson(data);
    const rows = await inTenant(store().db, scopeOf(organization.organizationId))
      .selectFrom('personal_data')
      .select(['category_id', 'field', 'value'])
      .where('organization_id', '=', organization.organizationId)
      .where('person_id', '=', personId)
      .execute();
    const medical = rows.filter((row) => row.category_id === 'medical-data');
    expect(medical.map((row) => row.field).sort()).toEqual(['allergies', 'medication']);
    for (const row of medical) {
      expect(row.value).toMatch(/^v1\./);
      expect(row.value).not.toContain(data['medical-data'].allergies);
      expect(row.value).not.toContain(data['medical-data'].medication);
    }
    // Contact data is not special-category under kajuyali.yaml: it is stored as given.
    expect(rows).toContainEqual({
      category_id: 'contact-data',
      field: 'full_name',
      value: data['contact-data'].full_name,
    });
  });

  /** Every byte the database holds: the files on SQLite, every text column on PostgreSQL. */
  async function rawDump(): Promise<string> {
    if (dialect === 'sqlite') {
      const file = database().url.replace(/^sqlite:/, '');
      return [file, `${file}-wal`]
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path).toString('latin1'))
        .join('\n');
    }
    // An operator's dump: with full rights, which row-level security does not restrict.
    const privileged = database().openPrivileged();
    const db = privileged.db;
    const columns = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb')`.execute(
      db,
    );
    const parts: string[] = [];
    for (const column of columns.rows) {
      const values = await sql<{ value: string | null }>`
        select ${sql.ref(column.column_name)}::text as value from ${sql.table(column.table_name)}`.execute(
        db,
      );
      parts.push(...values.rows.map((row) => row.value ?? ''));
    }
    await privileged.close();
    return parts.join('\n');
  }

  it('after DELETE person, a raw dump of the database holds none of their values', async () => {
    const data = participantData();
    const personId = await createPerson(data);
    const plaintexts = [
      data['contact-data'].full_name,
      data['contact-data'].email,
      data['participant-data'].emergency_contact.name,
      data['medical-data'].allergies,
      data['medical-data'].medication,
    ];
    const before = await rawDump();
    // The dump does find what is there: the plain categories, before the deletion.
    expect(before).toContain(data['contact-data'].email);
    const removed = await admin.request('DELETE', url(`/people/${personId}`));
    expect(removed.statusCode, removed.body).toBe(200);
    const after = await rawDump();
    for (const plaintext of plaintexts) {
      expect(after).not.toContain(plaintext);
    }
  });

  it('reads a crypto-shredded person’s encrypted categories as erased, and refuses to write them again (410)', async () => {
    const data = participantData();
    const personId = await createPerson(data);
    await shredSubjectKey(app.deps, scopeOf(organization.organizationId), {
      subjectId: personId,
      actor: { actorType: 'staff', actorId: organization.adminUserId },
    });
    const read = await admin.request('GET', url(`/people/${personId}`));
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      data: { 'contact-data': data['contact-data'] },
      // Participant data is about children (kajuyali.yaml `children: true`), so encrypted too.
      erased: ['medical-data', 'participant-data'],
      withheld: [],
    });
    expect(read.json<{ data: object }>().data).not.toHaveProperty('medical-data');
    const write = await admin.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'medical-data': { allergies: 'pollen' } } },
    });
    expect(write.statusCode).toBe(410);
    expect(errorOf(write).code).toBe('DATA_ERASED');
    const plainWrite = await admin.request('PATCH', url(`/people/${personId}/data`), {
      payload: { data: { 'contact-data': { phone: '+57 300 555 0199' } } },
    });
    expect(plainWrite.statusCode).toBe(200);
    const accesses = await admin.request('GET', url(`/people/${personId}/accesses`));
    expect(accesses.json<{ accesses: { action: string }[] }>().accesses).toContainEqual(
      expect.objectContaining({ action: 'person.read', categories: ['contact-data'] }),
    );
  });
});

import { Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { shredCategoryKey } from '../../src/app/keys/shred-category-key.js';
import { loadPersonFacts } from '../../src/app/consents/person-facts.js';
import { recordConsentIn } from '../../src/app/consents/record-consent.js';
import { systemActor } from '../../src/app/context.js';
import { importPeople } from '../../src/app/people/import-people.js';
import type { ActivePolicy } from '../../src/app/policy/policy-registry.js';
import { writePersonExport } from '../../src/app/rights/person-export.js';
import { issueSelfServiceLink } from '../../src/app/self-service/invite-self-service.js';
import { modifyOwnRecord } from '../../src/app/self-service/self-service-actions.js';
import { decideConsentBasis } from '../../src/domain/access-decision.js';
import { normaliseFieldValue, type FieldType } from '../../src/domain/field-values.js';
import { isAppError } from '../../src/errors.js';
import type { Consent } from '../../src/policy/schema.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { inTransaction } from '../../src/store/db.js';
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
  organizationUrl,
  type ExamplePolicy,
  type StaffSession,
} from '../support/policy-app.js';

/** The example policies, each with a role its administrator takes on activation. */
const POLICIES: readonly { name: ExamplePolicy; adminRole: string }[] = [
  { name: 'kajuyali', adminRole: 'level-a' },
  { name: 'kindergarten-platform', adminRole: 'institution-administrator' },
  { name: 'kexara', adminRole: 'administrator' },
  { name: 'career-masterclass', adminRole: 'administrator' },
  { name: 'careerexplorer', adminRole: 'administrator' },
];

const SCRIPT = '<script>alert(1)</script>';

/**
 * A valid value of each field type. Variant 0 is the person exported; variant 1 another person,
 * whose text values carry `marker` (a canary that must not reach the first person's export).
 * Text-like values of variant 0 carry the script tag, so the summary page must escape them.
 */
function inputValue(type: FieldType, marker: string, field: string, variant: 0 | 1): unknown {
  const first = variant === 0;
  switch (type) {
    case 'string':
    case 'text':
    case 'address':
      return `${marker} ${field} Ñandú, "quoted" ${first ? SCRIPT : ''}`.trim();
    case 'identifier':
    case 'image':
    case 'file':
      return `${marker}-${field}`;
    case 'email':
      return `${marker.toLowerCase()}.${field.replaceAll('_', '-')}@example.org`;
    case 'phone':
      return first ? '+57 300 111 2233' : '+57 300 999 8877';
    case 'date':
      return first ? '1990-04-12' : '1985-11-30';
    case 'datetime':
      return first ? '2026-01-15T10:30:00.000Z' : '2025-07-04T08:00:00.000Z';
    case 'money':
      return first ? '1250.50' : '9876.54';
    case 'country':
      return first ? 'CO' : 'CA';
    case 'url':
      return `https://example.org/${marker}/${field}`;
    case 'ip-address':
      return first ? '203.0.113.7' : '198.51.100.99';
    case 'boolean':
      return first;
    case 'integer':
      return first ? 42 : 7;
    case 'number':
      return first ? 3.5 : 8.25;
    case 'json':
      return { marker, field, list: [first ? '<b>bold</b>' : 'plain', 1, true] };
  }
}

/** Types whose values of the other person are distinctive enough to search the archive for. */
const CANARY_TYPES: ReadonlySet<FieldType> = new Set([
  'string',
  'text',
  'address',
  'identifier',
  'image',
  'file',
  'email',
  'phone',
  'datetime',
  'url',
  'ip-address',
  'json',
]);

interface WrittenValue {
  category: string;
  field: string;
  type: FieldType;
  /** What was submitted. */
  input: unknown;
  /** The canonical text stored (and in the CSV). */
  text: string;
}

/** Every field of every category the policy keeps about this kind of person, with a value. */
function everyValue(
  active: ActivePolicy,
  subjectKind: string,
  marker: string,
  variant: 0 | 1,
): WrittenValue[] {
  return [...active.policy.categories.values()]
    .filter((category) => category.definition.subjects.includes(subjectKind))
    .flatMap((category) =>
      category.definition.fields.map((field) => {
        const input = inputValue(field.type, marker, field.name, variant);
        const normalised = normaliseFieldValue(field.type, input);
        if (!normalised.ok) {
          throw new Error(`${category.id}.${field.name}: ${normalised.reason}`);
        }
        return {
          category: category.id,
          field: field.name,
          type: field.type,
          input,
          text: normalised.text,
        };
      }),
    );
}

/** How a value reads in person.json: typed by the policy's field type. */
function typedValue(value: WrittenValue): unknown {
  return JSON_TYPES.has(value.type) ? (JSON.parse(value.text) as unknown) : value.text;
}

/** Field types whose stored text is JSON, written to person.json as the value it stands for. */
const JSON_TYPES: ReadonlySet<FieldType> = new Set(['boolean', 'integer', 'number', 'json']);

/** How a value reads in a CSV cell: formulas are neutralised with a leading quote. */
function csvCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cellOfCsv(type: FieldType, input: unknown): string {
  return type === 'json' ? JSON.stringify(input) : String(input);
}

/** The first way the policy lets a consent be given that the system actor can record. */
function givenBy(consent: Consent) {
  if (consent.given_by.includes('staff-paper-form')) {
    return 'staff-paper-form' as const;
  }
  if (consent.given_by.includes('subject')) {
    return 'subject' as const;
  }
  if (consent.given_by.includes('institution-attestation')) {
    return 'institution-attestation' as const;
  }
  throw new Error(`no way for the test to give consent "${consent.id}"`);
}

/** The consents the categories need before they may be written (their lawful basis). */
function consentsNeeded(active: ActivePolicy, categoryIds: readonly string[]): Consent[] {
  const chosen = new Map<string, Consent>();
  for (const categoryId of categoryIds) {
    const covered = new Set([...chosen.values()].flatMap((consent) => consent.purposes));
    if (
      decideConsentBasis(active.policy, categoryId, 'write', undefined, {
        consentedPurposes: covered,
      }).allowed
    ) {
      continue;
    }
    const purposes = new Set(
      (active.policy.purposesByCategory.get(categoryId) ?? []).map((purpose) => purpose.id),
    );
    const consent = [...active.policy.consents.values()].find((candidate) =>
      candidate.purposes.some((purpose) => purposes.has(purpose)),
    );
    if (consent === undefined) {
      throw new Error(`no consent covers ${categoryId}`);
    }
    chosen.set(consent.id, consent);
  }
  return [...chosen.values()];
}

function channelsOf(active: ActivePolicy, consent: Consent): ('email' | 'sms' | 'phone')[] {
  const allowed = active.policy.document.marketing?.channels ?? [];
  const channel = (consent.channels ?? []).find((candidate) => allowed.includes(candidate));
  return channel === undefined ? [] : [channel as 'email' | 'sms' | 'phone'];
}

function unzip(archive: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(archive, { lazyEntries: true }, (error, zip) => {
      if (error !== null) {
        reject(error);
        return;
      }
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => {
        resolve(entries);
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null) {
            reject(streamError);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** A writable that keeps what it is given, as an HTTP response or a file would. */
function memorySink(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

function csvRecords(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { bom: true, columns: true });
}

/** An entry parsed as JSON, with the shape the test expects (the export is trusted no further). */
function jsonOf(entries: Map<string, Buffer>, name: string): unknown {
  return JSON.parse(textOf(entries, name));
}

function textOf(entries: Map<string, Buffer>, name: string): string {
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new Error(`${name} is not in the archive (${[...entries.keys()].join(', ')})`);
  }
  return entry.toString('utf8');
}

interface PersonDocument {
  person: { id: string; subjectKind: string };
  categories: Record<
    string,
    { label: string; erased: boolean; values: Record<string, unknown> | null }
  >;
  guardians: { guardianId: string; relationship: string }[];
}

interface AccessEntry {
  sequence: number;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

describeEachDialect('person export (issue 8: right of access and portability)', ({ store }) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp(store());
  });

  const keyDeps = () => ({ ...app.deps, dialect: store().dialect });

  /**
   * Writes a value into every field of every category the policy keeps about this kind of person,
   * through the real write paths: the operator's CSV import (system actor) for every category
   * whose lawful basis needs no consent or one given on a signed paper form (`consent.<id>`
   * columns); the other consents recorded as the operator records them (the person's own, an
   * institution's attestation); then the remaining categories added by the person through their
   * self-service link, as any rectification is. Returns the new person's id.
   */
  async function writeEveryCategory(
    organization: TestOrganization,
    admin: StaffSession,
    active: ActivePolicy,
    subjectKind: string,
    reference: string,
    values: readonly WrittenValue[],
  ): Promise<string> {
    const scope = scopeOf(organization.organizationId);
    const categoryIds = [...new Set(values.map((value) => value.category))];
    const consents = consentsNeeded(active, categoryIds);
    const paper = consents.filter((consent) => givenBy(consent) === 'staff-paper-form');
    const paperPurposes = new Set(paper.flatMap((consent) => consent.purposes));
    const importable = categoryIds.filter(
      (categoryId) =>
        decideConsentBasis(active.policy, categoryId, 'write', undefined, {
          consentedPurposes: paperPurposes,
        }).allowed,
    );
    let personId: string;
    if (importable.length > 0) {
      const columns = values.filter((value) => importable.includes(value.category));
      const header = [
        'external_reference',
        'subject_kind',
        ...columns.map((value) => `${value.category}.${value.field}`),
        ...paper.flatMap((consent) =>
          channelsOf(active, consent).length > 0
            ? [`consent.${consent.id}`, `consent.${consent.id}.channels`]
            : [`consent.${consent.id}`],
        ),
      ];
      const row = [
        reference,
        subjectKind,
        ...columns.map((value) => cellOfCsv(value.type, value.input)),
        ...paper.flatMap((consent) => {
          const form = `${consent.paper_form_reference ?? 'FORM'}-${reference}`;
          const channels = channelsOf(active, consent);
          return channels.length > 0 ? [form, channels.join(' ')] : [form];
        }),
      ];
      const csv = `${[header, row]
        .map((cells) => cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(','))
        .join('\n')}\n`;
      const result = await importPeople(
        app.deps,
        systemActor(organization.organizationId),
        organization.organizationId,
        { open: () => Readable.from([csv]) },
        { subjectKind, dryRun: false, batchSize: 500 },
      );
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'imported' });
      const person = await createPersonStore(store().db).findByExternalReference(scope, reference);
      personId = person?.id ?? '';
    } else {
      // Nothing may be written before a consent is on record (a child's data, kindergarten §8):
      // staff open the record empty first.
      const created = await admin.request('POST', `${organizationUrl(organization)}/people`, {
        payload: { subjectKind, externalReference: reference },
      });
      expect(created.statusCode, created.body).toBe(201);
      personId = created.json<{ id: string }>().id;
    }
    const person = await createPersonStore(store().db).findById(scope, personId);
    if (person === undefined) {
      throw new Error('the person was not created');
    }
    for (const consent of consents.filter((candidate) => !paper.includes(candidate))) {
      const channels = channelsOf(active, consent);
      const giver = givenBy(consent);
      await inTransaction(store(), async (trx) => {
        const facts = await loadPersonFacts(keyDeps(), trx, scope, active, person);
        await recordConsentIn(
          keyDeps(),
          trx,
          scope,
          active,
          person,
          facts,
          {
            consent: consent.id,
            givenBy: giver,
            ...(giver === 'institution-attestation' ? { institution: 'Jardín Los Pinos' } : {}),
            ...(channels.length > 0 ? { channels } : {}),
          },
          { kind: 'staff', principal: systemActor(organization.organizationId) },
          undefined,
        );
      });
    }
    const rest = values.filter((value) => !importable.includes(value.category));
    if (rest.length > 0) {
      const link = await inTransaction(store(), (trx) =>
        issueSelfServiceLink(keyDeps(), trx, scope, personId),
      );
      const data: Record<string, Record<string, unknown>> = {};
      for (const value of rest) {
        (data[value.category] ??= {})[value.field] = value.input;
      }
      await modifyOwnRecord(app.deps, link.token, personId, { data }, undefined);
    }
    const stored = await createPersonStore(store().db).values(scope, personId);
    expect(new Set(stored.map((row) => row.categoryId))).toEqual(new Set(categoryIds));
    return personId;
  }

  async function exportOf(
    organization: TestOrganization,
    active: ActivePolicy,
    personId: string,
    extra: Parameters<typeof writePersonExport>[5] = {},
  ) {
    const { sink, bytes } = memorySink();
    const result = await writePersonExport(
      app.deps,
      scopeOf(organization.organizationId),
      active,
      personId,
      sink,
      { generatedAt: app.clock.now(), ...extra },
    );
    const archive = bytes();
    expect(result.bytes).toBe(archive.length);
    const entries = await unzip(archive);
    expect([...entries.keys()]).toEqual(result.files);
    return { result, entries };
  }

  for (const { name, adminRole } of POLICIES) {
    describe(name, () => {
      let organization: TestOrganization;
      let admin: StaffSession;
      let active: ActivePolicy;

      beforeAll(async () => {
        organization = await newOrganization(app);
        ({ admin } = await activateExamplePolicy(
          app,
          organization,
          await logInAdmin(app, organization),
          name,
          adminRole,
        ));
        const found = await app.deps.policies.active(
          store().db,
          scopeOf(organization.organizationId),
        );
        if (found === undefined) {
          throw new Error('no active policy');
        }
        active = found;
      });

      it(`${name}: the export holds every value of every declared category, as JSON and CSV, and nothing of anyone else`, async () => {
        const kinds = active.policy.document.subjects
          .map((subject) => subject.id)
          .filter((kind) =>
            [...active.policy.categories.values()].some((category) =>
              category.definition.subjects.includes(kind),
            ),
          );
        // Two people of every kind: the first of each is exported, and every other person's
        // canaries (the second of each kind, and the firsts of the other kinds) must stay out.
        const people: {
          kind: string;
          id: string;
          values: WrittenValue[];
          isExported: boolean;
        }[] = [];
        for (const [index, kind] of kinds.entries()) {
          for (const variant of [0, 1] as const) {
            const marker = `CANARY-${variant === 0 ? 'A' : 'B'}${index}-${kind}`;
            const values = everyValue(active, kind, marker, variant);
            const id = await writeEveryCategory(
              organization,
              admin,
              active,
              kind,
              `${name}-${kind}-${variant}`,
              values,
            );
            people.push({ kind, id, values, isExported: variant === 0 });
          }
        }
        // Every category the policy declares is written for someone, and exported with them.
        expect(
          new Set(people.flatMap((person) => person.values.map((value) => value.category))),
        ).toEqual(new Set(active.policy.categories.keys()));
        for (const exported of people.filter((person) => person.isExported)) {
          // Reads of this person and of another: only the first belong in its access log.
          const read = await admin.request(
            'GET',
            `${organizationUrl(organization)}/people/${exported.id}`,
          );
          expect(read.statusCode, read.body).toBe(200);
          const others = people.filter((person) => person.id !== exported.id);
          for (const other of others.slice(0, 1)) {
            await admin.request('GET', `${organizationUrl(organization)}/people/${other.id}`);
          }

          const { result, entries } = await exportOf(organization, active, exported.id);
          const categories = [...new Set(exported.values.map((value) => value.category))];
          expect(result.categories).toBe(categories.length);
          expect(result.files).toEqual(
            expect.arrayContaining([
              'person.json',
              ...categories.map((category) => `categories/${category}.csv`),
              'enrollments.json',
              'enrollments.csv',
              'consents.json',
              'consents.csv',
              'requests.json',
              'access-log.json',
              'access-log.csv',
              'index.html',
            ]),
          );

          const document = jsonOf(entries, 'person.json') as PersonDocument;
          expect(document.person).toMatchObject({ id: exported.id, subjectKind: exported.kind });
          expect(Object.keys(document.categories).sort()).toEqual([...categories].sort());
          for (const value of exported.values) {
            expect(
              document.categories[value.category]?.values?.[value.field],
              `${value.category}.${value.field} in person.json`,
            ).toEqual(typedValue(value));
          }
          for (const category of categories) {
            const declared = active.policy.categories
              .get(category)
              ?.definition.fields.map((field) => field.name);
            const csv = textOf(entries, `categories/${category}.csv`);
            const [header]: string[][] = parse(csv, { bom: true, to_line: 1 });
            expect(header, `${category}.csv header`).toEqual(declared);
            const records = csvRecords(csv);
            expect(records).toHaveLength(1);
            for (const value of exported.values.filter((entry) => entry.category === category)) {
              expect(records[0]?.[value.field], `${category}.${value.field} in CSV`).toBe(
                csvCell(value.text),
              );
            }
          }

          const html = textOf(entries, 'index.html');
          const hasScript = exported.values.some((value) => value.text.includes(SCRIPT));
          if (hasScript) {
            expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
          }
          expect(html).not.toContain('<script');
          for (const value of exported.values) {
            expect(html, `${value.category}.${value.field} in index.html`).toContain(
              value.text
                .replaceAll('&', '&amp;')
                .replaceAll('<', '&lt;')
                .replaceAll('>', '&gt;')
                .replaceAll('"', '&quot;')
                .replaceAll("'", '&#39;'),
            );
          }

          const log = jsonOf(entries, 'access-log.json') as AccessEntry[];
          expect(result.accessEntries).toBe(log.length);
          // Exactly the trail about this person: every entry, and no one else's.
          const trail = await createAuditStore(store().db, store().dialect).list(
            scopeOf(organization.organizationId),
            { limit: 10_000 },
          );
          expect(log.map((entry) => entry.sequence)).toEqual(
            trail.filter((entry) => entry.subjectId === exported.id).map((entry) => entry.sequence),
          );
          expect(log).toContainEqual(
            expect.objectContaining({
              action: 'person.read',
              actorType: 'staff',
              actorId: admin.userId,
              outcome: 'success',
            }),
          );
          expect(csvRecords(textOf(entries, 'access-log.csv'))).toHaveLength(log.length);
          expect(
            csvRecords(textOf(entries, 'access-log.csv')).some(
              (record) => record.action === 'person.read' && record.actorId === admin.userId,
            ),
          ).toBe(true);
          expect(jsonOf(entries, 'consents.json') as unknown[]).toHaveLength(result.consents);

          const everything = [...entries.values()]
            .map((entry) => entry.toString('utf8'))
            .join('\n');
          for (const other of others) {
            expect(everything, `${other.kind} person's id`).not.toContain(other.id);
            for (const value of other.values.filter((entry) => CANARY_TYPES.has(entry.type))) {
              const marker =
                value.type === 'json' ? JSON.stringify(value.input).slice(1, -1) : value.text;
              if (exported.values.some((mine) => mine.text.includes(marker))) {
                continue; // the same fixed value for both (a phone, an instant): not a canary
              }
              expect(everything, `${other.kind} ${value.category}.${value.field}`).not.toContain(
                marker,
              );
            }
          }
        }
      }, 120_000);
    });
  }

  describe('kajuyali: enrollments, consent history, guardians, requests and failures', () => {
    let organization: TestOrganization;
    let admin: StaffSession;
    let active: ActivePolicy;
    const url = (path: string) => `${organizationUrl(organization)}${path}`;

    beforeAll(async () => {
      organization = await newOrganization(app);
      ({ admin } = await activateExamplePolicy(
        app,
        organization,
        await logInAdmin(app, organization),
        'kajuyali',
        'level-a',
      ));
      const found = await app.deps.policies.active(
        store().db,
        scopeOf(organization.organizationId),
      );
      if (found === undefined) {
        throw new Error('no active policy');
      }
      active = found;
    });

    it('kajuyali §5.2: the export lists enrollments, the consent history with its paper form, the guardian link and the requests', async () => {
      const guardian = await admin.request('POST', url('/people'), {
        payload: {
          subjectKind: 'guardian',
          data: {
            'contact-data': {
              full_name: 'Marta GUARDIAN-CANARY Ríos',
              email: 'marta@example.org',
              phone: '+57 300 555 0101',
            },
          },
        },
      });
      expect(guardian.statusCode, guardian.body).toBe(201);
      const guardianId = guardian.json<{ id: string }>().id;
      const scan = Buffer.from('%PDF-1.4 signed by Marta Ríos').toString('base64');
      const child = await admin.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          guardians: [{ guardianId, relationship: 'mother' }],
          consents: [
            {
              consent: 'terms-and-data-authorisation',
              givenBy: 'staff-paper-form',
              evidenceReference: 'KCTGMPDATAFORM22-0457',
              evidence: { mediaType: 'application/pdf', base64: scan },
            },
          ],
          data: {
            'contact-data': {
              full_name: 'Sofía Ríos',
              email: 'sofia@example.org',
              phone: '+57 300 555 0102',
            },
            'participant-data': {
              full_name: 'Sofía Ríos',
              date_of_birth: '2015-05-20',
              emergency_contact: { name: 'Marta', phone: '+57 300 555 0101' },
            },
          },
        },
      });
      expect(child.statusCode, child.body).toBe(201);
      const personId = child.json<{ id: string }>().id;
      const accepted = await admin.request('POST', url(`/people/${personId}/terms-acceptances`), {
        payload: { acceptedBy: 'guardian', guardianId },
      });
      expect(accepted.statusCode, accepted.body).toBe(201);
      const programIds: string[] = [];
      for (const program of ['Campamento 2026', 'Taller de robótica']) {
        const created = await admin.request('POST', url('/programs'), {
          payload: { name: program, kind: 'camp' },
        });
        expect(created.statusCode, created.body).toBe(201);
        const programId = created.json<{ id: string }>().id;
        programIds.push(programId);
        const enrolled = await admin.request('POST', url(`/programs/${programId}/enrollments`), {
          payload: { personId },
        });
        expect(enrolled.statusCode, enrolled.body).toBe(201);
      }
      // The mother withdraws the authorisation by phone, then signs a new form: both are history.
      const withdrawn = await admin.request('POST', url(`/people/${personId}/consents/withdraw`), {
        payload: { consent: 'terms-and-data-authorisation', method: 'phone' },
      });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      const again = await admin.request('POST', url(`/people/${personId}/consents`), {
        payload: {
          consent: 'terms-and-data-authorisation',
          givenBy: 'staff-paper-form',
          evidenceReference: 'KCTGMPDATAFORM22-0459',
        },
      });
      expect(again.statusCode, again.body).toBe(201);

      const { result, entries } = await exportOf(organization, active, personId, {
        requests: [{ id: 'request-1', kind: 'access', status: 'answered' }],
      });
      expect(result).toMatchObject({ enrollments: 2, consents: 2 });
      const enrollments = jsonOf(entries, 'enrollments.json') as {
        programId: string;
        program: string;
      }[];
      expect(enrollments.map((row) => row.programId).sort()).toEqual([...programIds].sort());
      expect(enrollments.map((row) => row.program).sort()).toEqual([
        'Campamento 2026',
        'Taller de robótica',
      ]);
      expect(csvRecords(textOf(entries, 'enrollments.csv'))).toHaveLength(2);

      const consents = jsonOf(entries, 'consents.json') as Record<string, unknown>[];
      expect(consents).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            consent: 'terms-and-data-authorisation',
            status: 'withdrawn',
            givenBy: 'staff-paper-form',
            method: 'paper-form',
            evidenceReference: 'KCTGMPDATAFORM22-0457',
            evidence: expect.objectContaining({ mediaType: 'application/pdf' }) as unknown,
            withdrawalMethod: 'phone',
          }),
          expect.objectContaining({
            consent: 'terms-and-data-authorisation',
            status: 'given',
            evidenceReference: 'KCTGMPDATAFORM22-0459',
            evidence: null,
            withdrawnAt: null,
          }),
        ]),
      );
      const consentCsv = csvRecords(textOf(entries, 'consents.csv'));
      expect(consentCsv.map((record) => record.status).sort()).toEqual(['given', 'withdrawn']);
      const evidence = result.files.find((file) => file.startsWith('consent-evidence/'));
      expect(evidence).toMatch(/\.pdf$/);
      expect(entries.get(evidence ?? '')?.toString('utf8')).toBe('%PDF-1.4 signed by Marta Ríos');
      expect(jsonOf(entries, 'terms-acceptances.json') as unknown[]).toHaveLength(1);

      const document = jsonOf(entries, 'person.json') as PersonDocument;
      expect(document.guardians).toEqual([
        expect.objectContaining({ guardianId, relationship: 'mother' }),
      ]);
      expect(jsonOf(entries, 'requests.json') as unknown[]).toEqual([
        { id: 'request-1', kind: 'access', status: 'answered' },
      ]);
      const log = jsonOf(entries, 'access-log.json') as AccessEntry[];
      expect(log.map((entry) => entry.action)).toEqual(
        expect.arrayContaining([
          'person.create',
          'consent.given',
          'consent.withdrawn',
          'enrollment.create',
        ]),
      );
      // The guardian is linked by id; nothing the guardian's own record holds comes along.
      const everything = [...entries.values()].map((entry) => entry.toString('utf8')).join('\n');
      expect(everything).not.toContain('GUARDIAN-CANARY');
      expect(everything).not.toContain('marta@example.org');
      // Staff IP addresses are theirs, not the person's: only the person's own actions show one.
      expect(log.every((entry) => !('ip' in entry))).toBe(true);

      const html = textOf(entries, 'index.html');
      expect(html).toContain('Sofía Ríos');
      expect(html).toContain('Datos de contacto');
    });

    it('names a crypto-shredded category as erased and keeps exporting the readable ones (GDPR Art. 17)', async () => {
      const created = await admin.request('POST', url('/people'), {
        payload: {
          subjectKind: 'participant',
          consents: [
            {
              consent: 'terms-and-data-authorisation',
              givenBy: 'staff-paper-form',
              evidenceReference: 'KCTGMPDATAFORM22-0500',
            },
          ],
          data: {
            'contact-data': {
              full_name: 'Tomás Gil',
              email: 'tomas@example.org',
              phone: '+57 300 555 0103',
            },
            'participant-data': {
              full_name: 'Tomás Gil',
              date_of_birth: '2014-02-11',
              emergency_contact: { name: 'Ana', phone: '+57 300 555 0104' },
            },
            'medical-data': { allergies: 'ERASED-CANARY peanuts' },
          },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const personId = created.json<{ id: string }>().id;
      await shredCategoryKey(app.deps, scopeOf(organization.organizationId), {
        subjectId: personId,
        categoryId: 'medical-data',
        actor: { actorType: 'system', actorId: null },
      });

      const { result, entries } = await exportOf(organization, active, personId);
      const document = jsonOf(entries, 'person.json') as PersonDocument;
      expect(document.categories['medical-data']).toMatchObject({ erased: true, values: null });
      expect(document.categories['participant-data']).toMatchObject({
        erased: false,
        values: { full_name: 'Tomás Gil', date_of_birth: '2014-02-11' },
      });
      expect(result.categories).toBe(3);
      expect(result.files).not.toContain('categories/medical-data.csv');
      expect(result.files).toContain('categories/participant-data.csv');
      expect(textOf(entries, 'index.html')).toContain('Erased: the key to this data was destroyed');
      const everything = [...entries.values()].map((entry) => entry.toString('utf8')).join('\n');
      expect(everything).not.toContain('ERASED-CANARY');
    });

    it('refuses an unknown person before writing a byte', async () => {
      const { sink, bytes } = memorySink();
      const error: unknown = await writePersonExport(
        app.deps,
        scopeOf(organization.organizationId),
        active,
        'no-such-person',
        sink,
      ).catch((caught: unknown) => caught);
      expect(isAppError(error) && error.code).toBe('NOT_FOUND');
      expect(bytes().length).toBe(0);
    });

    it('destroys the output when it fails half-way, so a truncated archive never looks complete', async () => {
      const created = await admin.request('POST', url('/people'), {
        payload: {
          subjectKind: 'prospect',
          data: {
            'contact-data': {
              full_name: 'Half Way',
              email: 'half@example.org',
              phone: '+57 300 555 0199',
            },
          },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      let written = 0;
      const failing = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          callback(written > 200 ? new Error('disk full') : null);
        },
      });
      await expect(
        writePersonExport(
          app.deps,
          scopeOf(organization.organizationId),
          active,
          created.json<{ id: string }>().id,
          failing,
        ),
      ).rejects.toThrow('disk full');
      expect(failing.destroyed).toBe(true);
    });
  });
});

import type { FieldType } from '../../domain/field-values.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { createAuditStore, type AuditEventRow } from '../../store/audit-store.js';
import { createConsentStore, type ConsentRecordRow } from '../../store/consent-store.js';
import type { Executor, Store } from '../../store/db.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import { createProgramStore } from '../../store/program-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { decryptSubjectFields } from '../keys/decrypt-subject-fields.js';
import { CONSENT_EVIDENCE_KEY } from '../keys/key-hierarchy.js';
import { categoryValues, isErasedKeyError, requirePerson } from '../people/people-support.js';
import { groupByCategory } from '../people/read-person.js';
import { capitalise, fieldNameInWords } from '../../policy/render/words.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { csvFile, jsonArray } from './export/export-formats.js';
import { writeSummaryPage, type SummaryCategory } from './export/summary-page.js';
import { createZipWriter, type EntrySource } from './export/zip-writer.js';

/**
 * The export of everything Custodia holds about one person (issue 8): GDPR Art. 15 (right of
 * access: the data, the processing, "the recipients", a copy) and Art. 20 (portability: "a
 * structured, commonly used and machine-readable format"), Law 1581 Art. 8(a)/(e) (consultation)
 * and PIPEDA principle 4.9 (access). A zip holding:
 *
 * - `person.json`: the person's record and every category held, decrypted, typed by the policy's
 *   field types; erased categories (crypto-shredded, Art. 17) are named, never faked;
 * - `categories/<category>.csv`: one per readable category held, the policy's declared fields as
 *   header and the person's one row (held fields no longer declared follow, so nothing is hidden);
 * - `enrollments.json|csv`, `consents.json|csv` (the history: how each was given, when and how
 *   withdrawn), `terms-acceptances.json`, `consent-evidence/<record>.<ext>` (scans kept as proof),
 *   `requests.json` (the caller's rights requests about the person);
 * - `access-log.json|csv`: every audit entry whose subject is the person — who read, wrote,
 *   exported or erased their data, when, and under which purpose (Art. 15(1)(c), kexara: "who
 *   accessed their data"); the actors are staff ids, token ids or the person themself;
 * - `index.html`: a readable summary, every value HTML-escaped.
 *
 * Bounded memory: each entry is generated as it is compressed and written, with backpressure from
 * `out`; enrollments and the access log are read a page at a time and written as they are read
 * (JSON arrays element by element), so 10,000 enrollments and 50,000 audit entries never sit in
 * memory. What is read whole is small by construction: the person's values (one per declared
 * field), their consents, guardians and terms acceptances, and the summary page.
 *
 * Nothing of anyone else: every query is by this person's id (values, enrollments, consents,
 * guardians, audit entries by subject). Other people appear only as ids where the link is the
 * person's own data — the guardians linked to them, a guardian or staff member who acted — never
 * with any of their values. The IP address and browser of an audit entry or consent are shown only
 * when the person themself was the actor: a staff member's are the staff member's personal data.
 *
 * Consistency: the pages are separate queries (a long transaction would hold SQLite's only
 * connection for the whole download). The access log stops at the audit head seen at the start,
 * so the export's own audit entry, written by the caller, and later reads are not chased; an
 * enrollment changed during the export may show in one of its two files only.
 *
 * The caller authorises (the person themself, or staff handling a rights request), audits the
 * export, and sets the response headers; an unknown id throws NOT_FOUND before a byte is written.
 * A failure half-way destroys `out` rather than ending it, so a truncated archive never looks whole.
 */
export async function writePersonExport(
  deps: { store: Store; masterKeys: MasterKeyProvider },
  scope: OrganizationScope,
  active: ActivePolicy,
  personId: string,
  out: NodeJS.WritableStream,
  extra: PersonExportExtra = {},
): Promise<PersonExportResult> {
  const db = deps.store.db;
  const keyDeps = { masterKeys: deps.masterKeys, dialect: deps.store.dialect };
  const generatedAt = extra.generatedAt ?? new Date();
  const language = labelLanguage(active, extra.language);
  const person = await requirePerson(db, scope, personId);
  const people = createPersonStore(db);
  const consentStore = createConsentStore(db);
  const auditStore = createAuditStore(db, deps.store.dialect);
  const programs = createProgramStore(db);

  const categories = await heldCategories(keyDeps, db, scope, active, person, language);
  const guardians = await people.guardiansOf(scope, personId);
  const consents = await consentStore.listForPerson(scope, personId);
  const termsAcceptances = await consentStore.termsAcceptances(scope, personId);
  const requests = extra.requests ?? [];
  const auditHead = (await auditStore.head(scope))?.sequence ?? 0;

  async function* enrollmentPages() {
    let after: { enrolledAt: string; id: string } | undefined;
    for (;;) {
      const page = await programs.enrollmentPageOf(scope, personId, {
        ...(after === undefined ? {} : { after }),
        limit: PAGE_SIZE,
      });
      yield page;
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE_SIZE) {
        return;
      }
      after = { enrolledAt: last.enrolledAt, id: last.id };
    }
  }
  async function* accessPages() {
    let afterSequence = 0;
    for (;;) {
      const page = await auditStore.pageAboutSubject(scope, personId, {
        afterSequence,
        throughSequence: auditHead,
        limit: PAGE_SIZE,
      });
      yield page;
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE_SIZE) {
        return;
      }
      afterSequence = last.sequence;
    }
  }
  let enrollmentCount = 0;
  let accessCount = 0;
  const counted = async function* <T>(
    pages: AsyncIterable<readonly T[]>,
    count: (n: number) => void,
  ) {
    for await (const page of pages) {
      count(page.length);
      yield page;
    }
  };

  const files: { name: string; description: string }[] = [];
  const zip = createZipWriter(out, generatedAt);
  const add = async (name: string, description: string, source: EntrySource) => {
    await zip.add(name, source);
    files.push({ name, description });
  };
  try {
    await add(
      'person.json',
      'Your record and every category of data held about you, in full, as structured data.',
      [
        `${JSON.stringify(
          personDocument(active, person, categories, guardians, generatedAt),
          null,
          2,
        )}\n`,
      ],
    );
    for (const category of categories) {
      if (category.values === 'erased') {
        continue;
      }
      const values = category.values;
      await add(
        `categories/${category.id}.csv`,
        `${category.label}: the fields the policy declares and your values, as a spreadsheet.`,
        csvFile(
          category.fields.map((field) => field.name),
          [[values]],
          (held) => category.fields.map((field) => held[field.name] ?? ''),
        ),
      );
    }
    await add(
      'enrollments.json',
      'The programmes you are or were enrolled in, with status and dates.',
      jsonArray(
        counted(enrollmentPages(), (n) => (enrollmentCount += n)),
        (row) => ({
          id: row.id,
          programId: row.programId,
          program: row.programName,
          programKind: row.programKind,
          status: row.status,
          enrolledAt: row.enrolledAt,
          updatedAt: row.updatedAt,
          policyVersionId: row.policyVersionId,
        }),
      ),
    );
    await add(
      'enrollments.csv',
      'The same enrolments, as a spreadsheet.',
      csvFile(ENROLLMENT_COLUMNS, enrollmentPages(), (row) => [
        row.id,
        row.programId,
        row.programName,
        row.programKind,
        row.status,
        row.enrolledAt,
        row.updatedAt,
      ]),
    );
    await add(
      'consents.json',
      'Every consent on record: what for, who gave it and how, the evidence kept, and when and how it was withdrawn.',
      jsonArray([consents], (record) => consentDocument(active, person, record)),
    );
    await add(
      'consents.csv',
      'The same consent history, as a spreadsheet.',
      csvFile(CONSENT_COLUMNS, [consents], (record) => consentRecord(active, person, record)),
    );
    await add(
      'terms-acceptances.json',
      'Each acceptance of the terms and policy on record, and how it was given.',
      jsonArray([termsAcceptances], (acceptance) => ({
        id: acceptance.id,
        policyVersionId: acceptance.policyVersionId,
        acceptedAt: acceptance.acceptedAt,
        acceptedBy: acceptance.acceptedBy,
        acceptedByReference: acceptance.acceptedByReference,
        recordedBy: acceptance.recordedBy,
        method: acceptance.method,
        ...(isOwnAction(acceptance.recordedBy, acceptance.acceptedBy)
          ? { ip: acceptance.ip, userAgent: acceptance.userAgent }
          : {}),
      })),
    );
    for (const record of consents) {
      if (record.evidenceSha256 === null) {
        continue;
      }
      const scan = await consentEvidence(keyDeps, db, scope, person, record.id);
      if (scan !== undefined) {
        await add(
          `consent-evidence/${record.id}.${extensionOf(scan.mediaType)}`,
          `The scanned form kept as evidence of consent record ${record.id}.`,
          [scan.bytes],
        );
      }
    }
    await add(
      'requests.json',
      'Your requests about your data (access, rectification, erasure…) and how they were answered.',
      jsonArray([requests], (request) => request),
    );
    await add(
      'access-log.json',
      'Who accessed or changed your data and when: every entry of the audit trail about you.',
      jsonArray(
        counted(accessPages(), (n) => (accessCount += n)),
        (entry) => accessDocument(person, entry),
      ),
    );
    await add(
      'access-log.csv',
      'The same access log, as a spreadsheet.',
      csvFile(ACCESS_COLUMNS, accessPages(), (entry) => accessRecord(person, entry)),
    );
    // Written last so it can count what the other files hold; it lists itself first.
    const summary = writeSummaryPage({
      organization: {
        name: active.policy.document.organisation.name,
        contactEmail: active.policy.document.organisation.contact.email,
      },
      generatedAt: generatedAt.toISOString(),
      language,
      person: {
        id: person.id,
        subjectKind: subjectLabel(active, person.subjectKind, language),
        createdAt: person.createdAt,
        policyVersion: active.version,
      },
      categories: categories.map(summaryCategory),
      counts: {
        guardians: guardians.length,
        enrollments: enrollmentCount,
        consents: consents.length,
        withdrawnConsents: consents.filter((record) => record.withdrawnAt !== null).length,
        termsAcceptances: termsAcceptances.length,
        requests: requests.length,
        accessEntries: accessCount,
      },
      files: [{ name: 'index.html', description: 'This page.' }, ...files],
    });
    await add('index.html', 'A readable summary of this archive.', [summary]);
    const bytes = await zip.finish();
    return {
      files: files.map((file) => file.name),
      categories: categories.length,
      enrollments: enrollmentCount,
      consents: consents.length,
      accessEntries: accessCount,
      bytes,
    };
  } catch (error) {
    await zip.abort(error);
    throw error;
  }
}

/** Optional parts of an export that come from outside the stores this function reads. */
export interface PersonExportExtra {
  /** The person's rights requests, as the rights-request use cases show them; written as given. */
  requests?: readonly Record<string, unknown>[];
  /** The instant the export is dated (default: now). */
  generatedAt?: Date;
  /**
   * The language for the labels in `index.html` (`en`, `es`, `fr`): used when the policy has
   * notices in it, otherwise the policy's default language.
   */
  language?: string;
}

export interface PersonExportResult {
  /** The archive's entries, in order (`index.html` last). */
  files: string[];
  /** Categories held about the person, erased ones included. */
  categories: number;
  enrollments: number;
  consents: number;
  /** Audit entries about the person in the access log. */
  accessEntries: number;
  /** The size of the zip written to `out`. */
  bytes: number;
}

/** Rows per query when paging enrollments and the audit trail. */
const PAGE_SIZE = 1000;

const ENROLLMENT_COLUMNS = [
  'id',
  'programId',
  'program',
  'programKind',
  'status',
  'enrolledAt',
  'updatedAt',
] as const;

const CONSENT_COLUMNS = [
  'id',
  'consent',
  'purposes',
  'status',
  'givenAt',
  'givenBy',
  'givenByReference',
  'method',
  'channels',
  'evidenceReference',
  'hasEvidence',
  'withdrawnAt',
  'withdrawnBy',
  'withdrawalMethod',
] as const;

const ACCESS_COLUMNS = [
  'sequence',
  'at',
  'actorType',
  'actorId',
  'action',
  'outcome',
  'categories',
  'purpose',
  'requestId',
  'details',
] as const;

interface HeldCategory {
  id: string;
  label: string;
  /** The declared fields, then any held field the policy no longer declares. */
  fields: { name: string; label: string; type: FieldType | undefined }[];
  values: Record<string, string> | 'erased';
  policyVersionId: string;
  collectedAt: string;
  updatedAt: string;
}

function labelLanguage(active: ActivePolicy, asked: string | undefined): string {
  const organisation = active.policy.document.organisation;
  return asked !== undefined && (organisation.notice_languages as readonly string[]).includes(asked)
    ? asked
    : organisation.default_language;
}

function labelIn(
  labels: Partial<Record<string, string>> | undefined,
  language: string,
  fallback: string,
): string {
  return labels?.[language] ?? fallback;
}

function subjectLabel(active: ActivePolicy, subjectKind: string, language: string): string {
  const subject = active.policy.document.subjects.find((candidate) => candidate.id === subjectKind);
  return labelIn(subject?.labels, language, subjectKind);
}

/**
 * Every category held about the person, decrypted. A category the active policy no longer declares
 * (data kept under an older version, awaiting its retention rule) is still held, so it is exported
 * under its id.
 */
async function heldCategories(
  keyDeps: { masterKeys: MasterKeyProvider; dialect: Store['dialect'] },
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  language: string,
): Promise<HeldCategory[]> {
  const rows = await createPersonStore(db).values(scope, person.id);
  const held: HeldCategory[] = [];
  for (const [categoryId, values] of groupByCategory(rows)) {
    const definition = active.policy.categories.get(categoryId)?.definition;
    const declared = (definition?.fields ?? []).map((field) => ({
      name: field.name,
      label: labelIn(field.labels, language, capitalise(fieldNameInWords(field.name))),
      type: field.type,
    }));
    const declaredNames = new Set(declared.map((field) => field.name));
    const undeclared = values
      .filter((row) => !declaredNames.has(row.field))
      .map((row) => ({ name: row.field, label: row.field, type: undefined }));
    held.push({
      id: categoryId,
      label: labelIn(definition?.labels, language, categoryId),
      fields: [...declared, ...undeclared],
      values: await categoryValues(keyDeps, db, scope, person.id, categoryId, values),
      policyVersionId: values[0]?.policyVersionId ?? '',
      collectedAt: minimum(values.map((row) => row.collectedAt)),
      updatedAt: maximum(values.map((row) => row.updatedAt)),
    });
  }
  return held;
}

function minimum(texts: readonly string[]): string {
  return texts.reduce((low, text) => (text < low ? text : low), texts[0] ?? '');
}

function maximum(texts: readonly string[]): string {
  return texts.reduce((high, text) => (text > high ? text : high), texts[0] ?? '');
}

/**
 * A stored value as JSON of its type, for portability: booleans and numbers as such, `json` fields
 * as the structure they hold; everything else (dates, e-mail addresses, amounts) as the text
 * stored, which is already canonical (src/domain/field-values.ts).
 */
function typedValue(type: FieldType | undefined, text: string): unknown {
  if (type === 'boolean') {
    return text === 'true' ? true : text === 'false' ? false : text;
  }
  if (type === 'integer' || type === 'number') {
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }
  if (type === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function personDocument(
  active: ActivePolicy,
  person: PersonRow,
  categories: readonly HeldCategory[],
  guardians: readonly { guardianId: string; relationship: string; createdAt: string }[],
  generatedAt: Date,
) {
  return {
    export: {
      format: 'custodia-person-export',
      version: 1,
      generatedAt: generatedAt.toISOString(),
      organisation: active.policy.document.organisation.name,
      policyVersion: active.version,
      policyVersionId: active.versionId,
    },
    person: {
      id: person.id,
      subjectKind: person.subjectKind,
      externalReference: person.externalReference,
      policyVersionId: person.policyVersionId,
      createdAt: person.createdAt,
      createdBy: person.createdBy,
      lastEnrollmentAt: person.lastEnrollmentAt,
    },
    categories: Object.fromEntries(
      categories.map((category) => {
        const values = category.values;
        return [
          category.id,
          {
            label: category.label,
            erased: values === 'erased',
            values:
              values === 'erased'
                ? null
                : Object.fromEntries(
                    category.fields.flatMap((field) => {
                      const text = values[field.name];
                      return text === undefined ? [] : [[field.name, typedValue(field.type, text)]];
                    }),
                  ),
            policyVersionId: category.policyVersionId,
            collectedAt: category.collectedAt,
            updatedAt: category.updatedAt,
          },
        ];
      }),
    ),
    guardians: guardians.map((link) => ({
      guardianId: link.guardianId,
      relationship: link.relationship,
      linkedAt: link.createdAt,
    })),
  };
}

function summaryCategory(category: HeldCategory): SummaryCategory {
  const values = category.values;
  return {
    id: category.id,
    label: category.label,
    isErased: values === 'erased',
    fields: category.fields.map((field) => ({
      name: field.name,
      label: field.label,
      value: values === 'erased' ? undefined : values[field.name],
    })),
  };
}

/**
 * Whether the person themself did this, through their own link: only then are the IP address and
 * browser theirs to receive (staff recording a consent leave their own).
 */
function isOwnAction(recordedBy: string | null, givenBy: string): boolean {
  return recordedBy === null && givenBy === 'subject';
}

function consentDocument(active: ActivePolicy, person: PersonRow, record: ConsentRecordRow) {
  return {
    id: record.id,
    consent: record.consentId,
    purposes: [...(active.policy.consents.get(record.consentId)?.purposes ?? [])],
    policyVersionId: record.policyVersionId,
    status: record.withdrawnAt === null ? 'given' : 'withdrawn',
    givenAt: record.givenAt,
    givenBy: record.givenBy,
    givenByReference: record.givenByReference,
    recordedBy: record.recordedBy,
    method: record.method,
    channels: record.channels,
    evidenceReference: record.evidenceReference,
    evidence:
      record.evidenceSha256 === null
        ? null
        : { sha256: record.evidenceSha256, mediaType: record.evidenceMediaType },
    withdrawnAt: record.withdrawnAt,
    withdrawnBy: record.withdrawnBy,
    withdrawalMethod: record.withdrawalMethod,
    ...(record.method === 'signed-link' && isOwnAction(record.recordedBy, record.givenBy)
      ? { ip: record.ip, userAgent: record.userAgent }
      : {}),
  };
}

function consentRecord(active: ActivePolicy, person: PersonRow, record: ConsentRecordRow) {
  const document = consentDocument(active, person, record);
  return [
    document.id,
    document.consent,
    document.purposes.join(' '),
    document.status,
    document.givenAt,
    document.givenBy,
    document.givenByReference ?? '',
    document.method,
    (document.channels ?? []).join(' '),
    document.evidenceReference ?? '',
    document.evidence === null ? 'no' : 'yes',
    document.withdrawnAt ?? '',
    document.withdrawnBy ?? '',
    document.withdrawalMethod ?? '',
  ];
}

function accessDocument(person: PersonRow, entry: AuditEventRow) {
  const isOwn = entry.actorType === 'person' && entry.actorId === person.id;
  return {
    sequence: entry.sequence,
    at: entry.occurredAt,
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    outcome: entry.outcome,
    requestId: entry.requestId,
    ...(isOwn ? { ip: entry.ip, userAgent: entry.userAgent } : {}),
    details: entry.details,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

function accessRecord(person: PersonRow, entry: AuditEventRow): string[] {
  const purpose = entry.details.purpose;
  return [
    String(entry.sequence),
    entry.occurredAt,
    entry.actorType,
    entry.actorId ?? '',
    entry.action,
    entry.outcome,
    strings(entry.details.categories).join(' '),
    typeof purpose === 'string' ? purpose : '',
    entry.requestId ?? '',
    JSON.stringify(accessDocument(person, entry).details),
  ];
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

function extensionOf(mediaType: string): string {
  return EXTENSIONS[mediaType] ?? 'bin';
}

/** A consent's evidence scan, decrypted; none once the person's key was destroyed. */
async function consentEvidence(
  keyDeps: { masterKeys: MasterKeyProvider; dialect: Store['dialect'] },
  db: Executor,
  scope: OrganizationScope,
  person: PersonRow,
  recordId: string,
): Promise<{ mediaType: string; bytes: Buffer } | undefined> {
  const stored = await createConsentStore(db).evidence(scope, recordId);
  if (stored?.personId !== person.id || stored.evidence === null || stored.mediaType === null) {
    return undefined;
  }
  try {
    const plain = await decryptSubjectFields(keyDeps, db, scope, {
      subjectId: person.id,
      category: 'consent-evidence',
      keyCategory: CONSENT_EVIDENCE_KEY,
      fields: { [recordId]: stored.evidence },
    });
    return { mediaType: stored.mediaType, bytes: Buffer.from(plain[recordId] ?? '', 'base64') };
  } catch (error) {
    if (isErasedKeyError(error)) {
      return undefined;
    }
    throw error;
  }
}

import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import type { FieldType } from '../../domain/field-values.js';
import {
  validatePersonalData,
  type ValidatedCategory,
} from '../../domain/personal-data-validation.js';
import { AppError, isAppError } from '../../errors.js';
import type { CompiledPolicy } from '../../policy/compile.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actingUserId, actorOf, type Actor, type AppDeps } from '../context.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { ageOn, minorStatus } from '../../domain/age.js';
import { decideConsentBasis } from '../../domain/access-decision.js';
import type { Executor } from '../../store/db.js';
import type { PersonRow } from '../../store/person-store.js';
import { DATE_OF_BIRTH_FIELD, loadPersonFacts } from '../consents/person-facts.js';
import { isMarketingConsent, recordConsentIn } from '../consents/record-consent.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import {
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
  storeCategories,
} from './people-support.js';

/**
 * Records one consent of an imported row as given on a signed paper form. A marketing opt-in for
 * an address on the suppression list is skipped (false): a re-import never resubscribes anyone.
 */
async function recordImportedConsent(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  row: CheckedRow,
  consent: CheckedRow['consents'][number],
  actor: Actor,
): Promise<boolean> {
  const facts = await loadPersonFacts(deps, trx, scope, active, person, {
    dateOfBirth: row.dateOfBirth,
  });
  try {
    await recordConsentIn(
      deps,
      trx,
      scope,
      active,
      person,
      facts,
      {
        consent: consent.consentId,
        givenBy: 'staff-paper-form',
        evidenceReference: consent.evidenceReference,
        ...(consent.channels === undefined
          ? {}
          : { channels: consent.channels as ('email' | 'sms' | 'phone')[] }),
      },
      { kind: 'staff', principal: actor },
      undefined,
      'import',
    );
    return true;
  } catch (error) {
    if (
      isAppError(error) &&
      error.code === 'CONFLICT' &&
      isMarketingConsent(active, consent.consentId)
    ) {
      return false;
    }
    if (isAppError(error)) {
      throw changedUnderImport(`Line ${row.line}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Bulk import of people from CSV (issue 5: "validating every row and reporting bad rows by line
 * number without importing half a row").
 *
 * Two streaming passes over the file, so memory does not grow with its size (only with the set of
 * external references, to catch repeats — tens of bytes a row):
 * 1. **Check**: the header must name only fields the active policy declares (`category.field`,
 *    plus `external_reference` and `subject_kind`); every row is validated as `createPerson`
 *    validates one person, and its external reference must be new in the file and the
 *    organisation. Any problem, in any row, and nothing is written.
 * 2. **Import**: the file is read again and every row re-validated (a file edited between the
 *    passes cannot slip an unchecked row in) and written in transactions of `batchSize` rows, each
 *    holding whole people: the person, their values (encrypted categories under their own key) and
 *    one `person.import` audit entry each. Batches keep the organisation's audit lock and SQLite's
 *    write lock short, so a live server keeps serving during a long import.
 *
 * What a failure in pass 2 leaves (only possible when something changed under the import: another
 * writer took an external reference, a policy was activated, the file was edited, the database
 * failed): every batch before the failing one is committed, the failing batch and everything
 * after it is not, and the result says which lines are in (`interrupted`). Re-running the file
 * then refuses the lines already imported by their external reference — re-importing a reference
 * is always refused, never an update, so an import cannot overwrite data someone has since
 * corrected.
 */

/** Columns that are not personal data. */
export const EXTERNAL_REFERENCE_COLUMN = 'external_reference';
export const SUBJECT_KIND_COLUMN = 'subject_kind';

/** More problems than this are counted but not listed, so a wholly wrong file stays bounded. */
export const MAX_LISTED_PROBLEMS = 1000;

/** A record longer than this (characters) is refused before it is held in memory. */
const MAX_RECORD_CHARACTERS = 1_000_000;

export const ImportPeopleRequest = z.strictObject({
  /** The kind of person for rows without a `subject_kind` value. */
  subjectKind: z.string().min(1).max(64).default('participant'),
  /** Check every row and stop: nothing is written. */
  dryRun: z.boolean().default(false),
  /** Rows per transaction in the import pass. */
  batchSize: z.number().int().min(1).max(5000).default(500),
});
export type ImportPeopleRequest = z.input<typeof ImportPeopleRequest>;

/** The file to import, opened once per pass and streamed. */
export interface ImportSource {
  open(): AsyncIterable<Buffer | string>;
}

/** One problem: the line where the row starts (1 = the header), the column, the reason. */
export interface ImportProblem {
  line: number;
  column: string | null;
  message: string;
}

export type ImportProgress =
  | { phase: 'checking'; rows: number; bytes: number }
  | { phase: 'importing'; rows: number; total: number };

export type ImportPeopleResult =
  /** Problems found: nothing was written. */
  | {
      outcome: 'refused';
      rows: number;
      badRows: number;
      problemCount: number;
      /** The first MAX_LISTED_PROBLEMS problems, in file order. */
      problems: ImportProblem[];
    }
  /** A dry run over a file without problems: nothing was written. */
  | { outcome: 'checked'; rows: number; policyVersionId: string; version: string }
  | {
      outcome: 'imported';
      rows: number;
      policyVersionId: string;
      version: string;
      bySubjectKind: Record<string, number>;
      /** Marketing opt-ins left out: their address is on the suppression list. */
      suppressedOptIns: number;
    }
  /**
   * Pass 2 failed: the first `imported` rows are committed, whole; nothing from
   * `firstLineNotImported` on is (null: every row read was imported, the file then ended early).
   */
  | {
      outcome: 'interrupted';
      rows: number;
      imported: number;
      firstLineNotImported: number | null;
      reason: string;
      /** The original error, for the caller to log or rethrow. */
      error: unknown;
    };

interface ColumnPlan {
  externalReference: number | undefined;
  subjectKind: number | undefined;
  fields: { index: number; category: string; field: string; type: FieldType }[];
  /** `consent.<id>`: the reference of the signed paper form; `consent.<id>.channels`: channels. */
  consents: { index: number; consentId: string; channelsIndex: number | undefined }[];
}

interface CheckedRow {
  line: number;
  subjectKind: string;
  externalReference: string | null;
  categories: ValidatedCategory[];
  consents: { consentId: string; evidenceReference: string; channels: string[] | undefined }[];
  dateOfBirth: string | undefined;
}

/** A column of consents given on a signed paper form (kajuyali §5.2), e.g. `consent.promotions`. */
export const CONSENT_COLUMN_PREFIX = 'consent.';

/**
 * Imports people from a CSV file under the organisation's active policy. The system actor (the
 * operator at the console) may write every category; a staff principal needs `write` on every
 * category the header names.
 */
export async function importPeople(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  actor: Actor,
  organizationId: string,
  source: ImportSource,
  request: z.output<typeof ImportPeopleRequest>,
  onProgress: (progress: ImportProgress) => void = () => undefined,
): Promise<ImportPeopleResult> {
  const scope =
    actor.kind === 'system' && actor.organizationId === organizationId
      ? scopeOf(organizationId)
      : actor.kind === 'system'
        ? notFound()
        : authorizeInOrganization(actor, organizationId);
  const active = await requireActivePolicy(deps, scope);

  const check = await checkFile(deps, scope, active, actor, source, request, onProgress);
  if (check.outcome === 'refused' || request.dryRun) {
    return check.outcome === 'refused'
      ? check
      : {
          outcome: 'checked',
          rows: check.rows,
          policyVersionId: active.versionId,
          version: active.version,
        };
  }
  return importFile(deps, scope, active, actor, source, request, check.rows, onProgress);
}

function notFound(): never {
  throw new AppError('NOT_FOUND', 'Not found.');
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

interface SourceRecord {
  line: number;
  cells: string[];
  bytes: number;
}

/** Streams the file's records with the line each starts on (quoted fields may span lines). */
async function* readRecords(source: ImportSource): AsyncGenerator<SourceRecord> {
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARACTERS,
  });
  const feeding = pipeline(source.open(), parser);
  // The loop below sees the same error through the parser; this only keeps it from going unhandled.
  feeding.catch(() => undefined);
  for await (const entry of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    const newlines = entry.record.reduce((count, cell) => count + countNewlines(cell), 0);
    yield { line: entry.info.lines - newlines, cells: entry.record, bytes: entry.info.bytes };
  }
  await feeding;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    count += 1;
  }
  return count;
}

function planColumns(
  policy: CompiledPolicy,
  header: readonly string[],
): { plan: ColumnPlan; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const plan: ColumnPlan = {
    externalReference: undefined,
    subjectKind: undefined,
    fields: [],
    consents: [],
  };
  const channelColumns = new Map<string, number>();
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const name = raw.trim();
    const problem = (message: string) => {
      problems.push({ line: 1, column: name === '' ? `column ${index + 1}` : name, message });
    };
    if (seen.has(name)) {
      problem('appears twice in the header');
      return;
    }
    seen.add(name);
    if (name === EXTERNAL_REFERENCE_COLUMN) {
      plan.externalReference = index;
      return;
    }
    if (name === SUBJECT_KIND_COLUMN) {
      plan.subjectKind = index;
      return;
    }
    if (name.startsWith(CONSENT_COLUMN_PREFIX)) {
      const rest = name.slice(CONSENT_COLUMN_PREFIX.length);
      const isChannels = rest.endsWith('.channels');
      const consentId = isChannels ? rest.slice(0, -'.channels'.length) : rest;
      const consent = policy.consents.get(consentId);
      if (consent === undefined) {
        problem(`"${consentId}" is not a consent the policy declares`);
      } else if (!consent.given_by.includes('staff-paper-form')) {
        problem(`the policy does not let "${consentId}" be given on a paper form`);
      } else if (isChannels) {
        channelColumns.set(consentId, index);
      } else {
        plan.consents.push({ index, consentId, channelsIndex: undefined });
      }
      return;
    }
    const dot = name.indexOf('.');
    if (dot <= 0) {
      problem(
        `is not a column of an import: name a field as category.field, or use ${EXTERNAL_REFERENCE_COLUMN} or ${SUBJECT_KIND_COLUMN}`,
      );
      return;
    }
    const categoryId = name.slice(0, dot);
    const field = name.slice(dot + 1);
    const category = policy.categories.get(categoryId);
    if (category === undefined) {
      problem(`"${categoryId}" is not a category the policy declares, so it may not be stored`);
      return;
    }
    const definition = category.definition.fields.find((candidate) => candidate.name === field);
    if (definition === undefined) {
      problem(`is not a field of "${categoryId}" in the policy, so it may not be stored`);
      return;
    }
    plan.fields.push({ index, category: categoryId, field, type: definition.type });
  });
  for (const consent of plan.consents) {
    consent.channelsIndex = channelColumns.get(consent.consentId);
  }
  return { plan, problems };
}

/**
 * A CSV cell is text; booleans and JSON are spelled out (`true`, `{"name": "Ana"}`) and turned
 * into values here, every other type is judged as text by `validatePersonalData`.
 */
function cellValue(type: FieldType, cell: string): { ok: true; value: unknown } | { ok: false } {
  if (type === 'boolean') {
    const lower = cell.trim().toLowerCase();
    return { ok: true, value: lower === 'true' ? true : lower === 'false' ? false : cell };
  }
  if (type === 'json') {
    try {
      return { ok: true, value: JSON.parse(cell) as unknown };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: cell };
}

/** Validates one row as createPerson validates one person; returns its problems or the person. */
function checkRow(
  policy: CompiledPolicy,
  now: Date,
  plan: ColumnPlan,
  header: readonly string[],
  record: SourceRecord,
  defaultKind: string,
): { row: CheckedRow; problems: [] } | { row: undefined; problems: ImportProblem[] } {
  const { line, cells } = record;
  const problems: ImportProblem[] = [];
  if (cells.length !== header.length) {
    return {
      row: undefined,
      problems: [
        {
          line,
          column: null,
          message: `has ${cells.length} fields where the header has ${header.length}`,
        },
      ],
    };
  }
  const kindCell = plan.subjectKind === undefined ? '' : (cells[plan.subjectKind] ?? '').trim();
  const subjectKind = kindCell === '' ? defaultKind : kindCell;
  if (!policy.document.subjects.some((subject) => subject.id === subjectKind)) {
    problems.push({
      line,
      column: SUBJECT_KIND_COLUMN,
      message: `"${subjectKind}" is not a kind of person the policy declares (${policy.document.subjects.map((subject) => subject.id).join(', ')})`,
    });
  }
  const referenceCell =
    plan.externalReference === undefined ? '' : (cells[plan.externalReference] ?? '').trim();
  if (referenceCell.length > 200) {
    problems.push({
      line,
      column: EXTERNAL_REFERENCE_COLUMN,
      message: 'must be at most 200 characters',
    });
  }
  const data: Record<string, Record<string, unknown>> = {};
  for (const column of plan.fields) {
    const cell = cells[column.index] ?? '';
    // An empty cell is a field not given: CSV cannot tell "" from nothing.
    if (cell.trim() === '') {
      continue;
    }
    const value = cellValue(column.type, cell);
    if (!value.ok) {
      problems.push({
        line,
        column: `${column.category}.${column.field}`,
        message: 'must be JSON',
      });
      continue;
    }
    (data[column.category] ??= {})[column.field] = value.value;
  }
  if (Object.keys(data).length === 0 && problems.length === 0) {
    problems.push({ line, column: null, message: 'holds no personal data (every field is empty)' });
  }
  if (problems.some((problem) => problem.column === SUBJECT_KIND_COLUMN)) {
    return { row: undefined, problems };
  }
  const validated = validatePersonalData(policy, subjectKind, data, { requireComplete: true });
  // A cell already refused (not JSON) is left out of the data; do not also call it missing.
  const refused = new Set(problems.map((problem) => problem.column));
  for (const issue of validated.issues) {
    const column = issue.path.replace(/^data\./, '');
    if (!refused.has(column)) {
      problems.push({ line, column, message: issue.message });
    }
  }
  const consents: CheckedRow['consents'] = [];
  for (const column of plan.consents) {
    const reference = (cells[column.index] ?? '').trim();
    if (reference === '') {
      continue;
    }
    const form = policy.consents.get(column.consentId)?.paper_form_reference;
    if (form !== undefined && !reference.startsWith(form)) {
      problems.push({
        line,
        column: `${CONSENT_COLUMN_PREFIX}${column.consentId}`,
        message: `must be a reference of the form ${form}`,
      });
    }
    const channelCell =
      column.channelsIndex === undefined ? '' : (cells[column.channelsIndex] ?? '').trim();
    consents.push({
      consentId: column.consentId,
      evidenceReference: reference,
      channels: channelCell === '' ? undefined : channelCell.split(/[\s,]+/),
    });
  }
  const dateOfBirth = validated.categories
    .flatMap((category) => category.values)
    .find((entry) => entry.field === DATE_OF_BIRTH_FIELD)?.text;
  const mayBeMinor = policy.document.subjects.some(
    (subject) => subject.id === subjectKind && subject.may_be_minor,
  );
  const age = dateOfBirth === undefined ? undefined : ageOn(dateOfBirth, now);
  if (
    age !== undefined &&
    !mayBeMinor &&
    minorStatus(policy.document.minors, age, false).isBelowMinimumAge
  ) {
    problems.push({
      line,
      column: null,
      message: `is about someone under ${String(policy.document.minors?.minimum_account_age ?? '')}, whom the policy does not let the organisation hold data about`,
    });
  }
  // Each category must have a lawful basis with the consents this row brings (none are on record
  // yet: the person is new).
  const consented = new Set(
    consents.flatMap((consent) => policy.consents.get(consent.consentId)?.purposes ?? []),
  );
  for (const category of validated.categories) {
    const decision = decideConsentBasis(policy, category.categoryId, 'write', undefined, {
      consentedPurposes: consented,
    });
    if (!decision.allowed) {
      problems.push({ line, column: category.categoryId, message: decision.reason });
    }
  }
  if (problems.length > 0) {
    return { row: undefined, problems };
  }
  return {
    row: {
      line,
      subjectKind,
      externalReference: referenceCell === '' ? null : referenceCell,
      categories: validated.categories,
      consents,
      dateOfBirth,
    },
    problems: [],
  };
}

function csvProblem(error: CsvError, fallbackLine: number): ImportProblem {
  const lines = (error as CsvError & { lines?: unknown }).lines;
  return {
    line: typeof lines === 'number' ? lines : fallbackLine,
    column: null,
    message: `is not valid CSV: ${error.message}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Pass 1: check
// ---------------------------------------------------------------------------------------------

type CheckResult =
  Extract<ImportPeopleResult, { outcome: 'refused' }> | { outcome: 'ok'; rows: number };

async function checkFile(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  scope: OrganizationScope,
  active: ActivePolicy,
  actor: Actor,
  source: ImportSource,
  request: z.output<typeof ImportPeopleRequest>,
  onProgress: (progress: ImportProgress) => void,
): Promise<CheckResult> {
  const people = createPersonStore(deps.store.db);
  const problems: ImportProblem[] = [];
  let problemCount = 0;
  let badRows = 0;
  let rows = 0;
  let lastLine = 1;
  let lastBytes = 0;
  const report = (found: readonly ImportProblem[]) => {
    for (const problem of found) {
      problemCount += 1;
      if (problems.length < MAX_LISTED_PROBLEMS) {
        problems.push(problem);
      }
    }
  };
  // External reference → the line that first used it; references waiting for the database check.
  const referenceLines = new Map<string, number>();
  let pending: { reference: string; line: number }[] = [];
  const flushPending = async () => {
    const taken = new Set(
      await people.takenExternalReferences(
        scope,
        pending.map((entry) => entry.reference),
      ),
    );
    for (const entry of pending) {
      if (taken.has(entry.reference)) {
        badRows += 1;
        report([
          {
            line: entry.line,
            column: EXTERNAL_REFERENCE_COLUMN,
            message: `a person with external reference "${entry.reference}" already exists (a re-import is refused, never an update)`,
          },
        ]);
      }
    }
    pending = [];
  };

  let header: string[] | undefined;
  let plan: ColumnPlan | undefined;
  try {
    for await (const record of readRecords(source)) {
      lastLine = record.line;
      lastBytes = record.bytes;
      if (header === undefined || plan === undefined) {
        header = record.cells;
        const planned = planColumns(active.policy, header);
        if (planned.problems.length > 0) {
          report(planned.problems);
          return { outcome: 'refused', rows: 0, badRows: 0, problemCount, problems };
        }
        if (actor.kind !== 'system') {
          requireDataAccess(
            active,
            actor.role,
            [...new Set(planned.plan.fields.map((column) => column.category))],
            'write',
            undefined,
          );
        }
        plan = planned.plan;
        continue;
      }
      rows += 1;
      const checked = checkRow(
        active.policy,
        deps.clock.now(),
        plan,
        header,
        record,
        request.subjectKind,
      );
      if (checked.row === undefined) {
        badRows += 1;
        report(checked.problems);
      } else if (checked.row.externalReference !== null) {
        const reference = checked.row.externalReference;
        const firstLine = referenceLines.get(reference);
        if (firstLine === undefined) {
          referenceLines.set(reference, record.line);
          pending.push({ reference, line: record.line });
          if (pending.length >= 500) {
            await flushPending();
          }
        } else {
          badRows += 1;
          report([
            {
              line: record.line,
              column: EXTERNAL_REFERENCE_COLUMN,
              message: `"${reference}" repeats line ${firstLine}`,
            },
          ]);
        }
      }
      if (rows % 250 === 0) {
        onProgress({ phase: 'checking', rows, bytes: record.bytes });
      }
    }
  } catch (error) {
    if (!(error instanceof CsvError)) {
      throw error;
    }
    report([csvProblem(error, lastLine)]);
    return { outcome: 'refused', rows, badRows: badRows + 1, problemCount, problems };
  }
  if (header === undefined) {
    report([
      {
        line: 1,
        column: null,
        message: 'the file is empty: the first line must name the columns (category.field, …)',
      },
    ]);
    return { outcome: 'refused', rows: 0, badRows: 0, problemCount, problems };
  }
  await flushPending();
  onProgress({ phase: 'checking', rows, bytes: lastBytes });
  // References already taken are found a batch late; list every problem in file order.
  problems.sort((left, right) => left.line - right.line);
  return problemCount > 0
    ? { outcome: 'refused', rows, badRows, problemCount, problems }
    : { outcome: 'ok', rows };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: import
// ---------------------------------------------------------------------------------------------

/** Something changed between the passes; the batch in hand is rolled back. */
function changedUnderImport(message: string): AppError {
  return new AppError('CONFLICT', message);
}

async function importFile(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  scope: OrganizationScope,
  active: ActivePolicy,
  actor: Actor,
  source: ImportSource,
  request: z.output<typeof ImportPeopleRequest>,
  total: number,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportPeopleResult> {
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const importId = deps.ids.next();
  const bySubjectKind: Record<string, number> = {};
  let imported = 0;
  let suppressedOptIns = 0;
  let batch: CheckedRow[] = [];

  const writeBatch = async (rows: readonly CheckedRow[]) => {
    const at = deps.clock.now().toISOString();
    await inTransaction(deps.store, async (trx) => {
      const stillActive = await deps.policies.active(trx, scope);
      if (stillActive?.versionId !== active.versionId) {
        throw changedUnderImport('Another policy version was activated during the import.');
      }
      const people = createPersonStore(trx);
      const references = rows.flatMap((row) =>
        row.externalReference === null ? [] : [row.externalReference],
      );
      const taken = new Set(await people.takenExternalReferences(scope, references));
      const clash = rows.find(
        (row) => row.externalReference !== null && taken.has(row.externalReference),
      );
      if (clash !== undefined) {
        throw changedUnderImport(
          `Line ${clash.line}: a person with its external reference was created during the import.`,
        );
      }
      for (const row of rows) {
        const id = deps.ids.next();
        await people.insert(scope, {
          id,
          subjectKind: row.subjectKind,
          externalReference: row.externalReference,
          policyVersionId: active.versionId,
          createdAt: at,
          createdBy: actingUserId(actor),
        });
        if (row.consents.length > 0) {
          const person = await requirePerson(trx, scope, id);
          for (const consent of row.consents) {
            // Consents before data: the data's lawful basis. Marketing addresses are not known
            // until the data is stored, so marketing consents follow it (below).
            if (!isMarketingConsent(active, consent.consentId)) {
              await recordImportedConsent(keyDeps, trx, scope, active, person, row, consent, actor);
            }
          }
        }
        await storeCategories(keyDeps, trx, scope, id, row.categories, {
          policyVersionId: active.versionId,
          at,
        });
        for (const consent of row.consents) {
          if (isMarketingConsent(active, consent.consentId)) {
            const person = await requirePerson(trx, scope, id);
            const recorded = await recordImportedConsent(
              keyDeps,
              trx,
              scope,
              active,
              person,
              row,
              consent,
              actor,
            );
            if (!recorded) {
              suppressedOptIns += 1;
            }
          }
        }
        await writeAuditEvent(keyDeps, trx, scope, undefined, {
          ...actorOf(actor),
          action: 'person.import',
          outcome: 'success',
          subjectId: id,
          details: {
            categories: row.categories.map((category) => category.categoryId),
            policyVersionId: active.versionId,
            importId,
            line: row.line,
          },
        });
      }
    });
    for (const row of rows) {
      bySubjectKind[row.subjectKind] = (bySubjectKind[row.subjectKind] ?? 0) + 1;
    }
    imported += rows.length;
    onProgress({ phase: 'importing', rows: imported, total });
  };

  let header: string[] | undefined;
  let plan: ColumnPlan | undefined;
  let rows = 0;
  // The row read but not yet in the batch, should reading or re-checking it fail.
  let readingLine: number | null = null;
  try {
    for await (const record of readRecords(source)) {
      readingLine = record.line;
      if (header === undefined || plan === undefined) {
        header = record.cells;
        const planned = planColumns(active.policy, header);
        if (planned.problems.length > 0) {
          throw changedUnderImport('The file changed after it was checked (its header).');
        }
        plan = planned.plan;
        continue;
      }
      rows += 1;
      const checked = checkRow(
        active.policy,
        deps.clock.now(),
        plan,
        header,
        record,
        request.subjectKind,
      );
      if (checked.row === undefined || rows > total) {
        throw changedUnderImport(`The file changed after it was checked (line ${record.line}).`);
      }
      batch.push(checked.row);
      readingLine = null;
      if (batch.length >= request.batchSize) {
        await writeBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) {
      await writeBatch(batch);
      batch = [];
    }
    if (rows !== total) {
      throw changedUnderImport(
        `The file changed after it was checked: ${total} rows were checked, only ${rows} were there to import.`,
      );
    }
  } catch (error) {
    return {
      outcome: 'interrupted',
      rows: total,
      imported,
      firstLineNotImported: batch[0]?.line ?? readingLine,
      reason: isAppError(error)
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error),
      error,
    };
  }
  return {
    outcome: 'imported',
    rows,
    policyVersionId: active.versionId,
    version: active.version,
    bySubjectKind,
    suppressedOptIns,
  };
}

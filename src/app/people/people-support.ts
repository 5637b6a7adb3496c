import { KeyUnavailableError } from '../../crypto/envelope.js';
import {
  decideConsentBasis,
  decideDataAccess,
  type ConsentFacts,
} from '../../domain/access-decision.js';
import type { ValidatedCategory } from '../../domain/personal-data-validation.js';
import { AppError, type FieldIssue } from '../../errors.js';
import type { DataAction } from '../../policy/schema.js';
import type { Executor } from '../../store/db.js';
import {
  createPersonStore,
  type PersonalValueRow,
  type PersonRow,
} from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { decryptSubjectFields } from '../keys/decrypt-subject-fields.js';
import { encryptSubjectFields } from '../keys/encrypt-subject-fields.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import type { AppDeps, Principal } from '../context.js';
import { authorizeInOrganization } from '../authorize.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/** Personal data is only kept under a policy: before one is active there is nothing to enforce. */
export async function requireActivePolicy(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  scope: OrganizationScope,
): Promise<ActivePolicy> {
  const active = await deps.policies.active(deps.store.db, scope);
  if (active === undefined) {
    throw new AppError('CONFLICT', 'Activate a policy before keeping personal data.');
  }
  return active;
}

/** Unknown and foreign ids answer the same NOT_FOUND, so existence does not leak. */
export async function requirePerson(
  db: Executor,
  scope: OrganizationScope,
  personId: string,
): Promise<PersonRow> {
  const person = await createPersonStore(db).findById(scope, personId);
  if (person === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return person;
}

export function throwIfInvalid(issues: readonly FieldIssue[]): void {
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'The personal data does not match the policy.', {
      details: { issues: [...issues] },
    });
  }
}

/**
 * The category that governs a record of this kind of person when no data is involved (creating an
 * empty record, deleting one whose data is gone, linking a guardian): the first category the
 * policy keeps about the kind. Actions on the record itself need the role's permission on it,
 * so a role with no say over a kind of person cannot create, link or delete such people.
 */
export function governingCategoryIds(active: ActivePolicy, subjectKind: string): string[] {
  const first = [...active.policy.categories.values()].find((category) =>
    category.definition.subjects.includes(subjectKind),
  );
  return first === undefined ? [] : [first.id];
}

/**
 * The categories an enrollment of this kind of person is recorded under: those the policy marks
 * `record_type: enrollment`, or, where it marks none, the first category kept about the kind. An
 * enrollment is personal data (who takes part in what), so changing one is a write of them.
 */
export function enrollmentCategoryIds(active: ActivePolicy, subjectKind: string): string[] {
  const kept = [...active.policy.categories.values()].filter((category) =>
    category.definition.subjects.includes(subjectKind),
  );
  const records = kept.filter((category) => category.definition.record_type === 'enrollment');
  return records.length > 0
    ? records.map((category) => category.id)
    : governingCategoryIds(active, subjectKind);
}

/** Every category must allow the action for this role (and purpose); FORBIDDEN names the first refusal. */
export function requireDataAccess(
  active: ActivePolicy,
  role: string,
  categoryIds: readonly string[],
  action: DataAction,
  purpose: string | undefined,
): void {
  for (const categoryId of categoryIds) {
    const decision = decideDataAccess(active.policy, role, categoryId, action, purpose);
    if (!decision.allowed) {
      throw new AppError('FORBIDDEN', `Not allowed: ${decision.reason}.`);
    }
  }
}

/**
 * At least one of the categories must allow the action for this role: recording or reading a
 * consent is part of the processing its purposes cover, so a role that handles any category of
 * those purposes (a researcher, for research consent) may record it.
 */
export function requireAnyDataAccess(
  active: ActivePolicy,
  role: string,
  categoryIds: readonly string[],
  action: DataAction,
  purposeIds: readonly string[] = [],
): void {
  // A role limited to some purposes (a researcher: research only) acts for one of them.
  const decisions = categoryIds.flatMap((categoryId) =>
    [undefined, ...purposeIds].map((purposeId) =>
      decideDataAccess(active.policy, role, categoryId, action, purposeId),
    ),
  );
  if (!decisions.some((decision) => decision.allowed)) {
    throw new AppError(
      'FORBIDDEN',
      `Not allowed: the role "${role}" may not ${action} any category this concerns (${categoryIds.join(', ')}).`,
    );
  }
}

/** The purposes a consent covers (every purpose when none is named). */
export function consentPurposeIds(active: ActivePolicy, consentId: string | undefined): string[] {
  return consentId === undefined
    ? [...active.policy.purposes.keys()]
    : [...(active.policy.consents.get(consentId)?.purposes ?? [])];
}

/** The categories a consent's purposes use that the policy keeps about this kind of person. */
export function consentCategoryIds(
  active: ActivePolicy,
  subjectKind: string,
  consentId: string | undefined,
): string[] {
  const purposeIds =
    consentId === undefined
      ? [...active.policy.purposes.keys()]
      : (active.policy.consents.get(consentId)?.purposes ?? []);
  const ids = new Set(
    purposeIds.flatMap((purposeId) => [
      ...(active.policy.purposes.get(purposeId)?.categoryIds ?? []),
    ]),
  );
  const kept = [...ids].filter((categoryId) =>
    active.policy.categories.get(categoryId)?.definition.subjects.includes(subjectKind),
  );
  return kept.length > 0 ? kept : governingCategoryIds(active, subjectKind);
}

/**
 * Opens a person for a staff action on their consents, terms or links: the organisation's active
 * policy, the person (404 when unknown or foreign), and a role that handles at least one category
 * the consent's purposes use (every purpose when `consentId` is left out).
 */
export async function authorizeConsentWork(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  consentId: string | undefined,
  action: DataAction,
): Promise<{ scope: OrganizationScope; active: ActivePolicy; person: PersonRow }> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, personId);
  requireAnyDataAccess(
    active,
    principal.role,
    consentCategoryIds(active, person.subjectKind, consentId),
    action,
    consentPurposeIds(active, consentId),
  );
  return { scope, active, person };
}

/** Every category must have a lawful basis for this person now; CONSENT_REQUIRED names the first gap. */
export function requireConsentBasis(
  active: ActivePolicy,
  categoryIds: readonly string[],
  action: DataAction,
  purpose: string | undefined,
  facts: ConsentFacts,
): void {
  for (const categoryId of categoryIds) {
    const decision = decideConsentBasis(active.policy, categoryId, action, purpose, facts);
    if (!decision.allowed) {
      throw new AppError('CONSENT_REQUIRED', `Not allowed: ${decision.reason}.`);
    }
  }
}

/**
 * Whether a key error means the person was crypto-shredded: their data key, or the organisation key
 * that wrapped it, was destroyed. Other key errors (a master key missing from the configuration, a
 * key row missing beside encrypted values) are faults of the installation, not outcomes.
 */
export function isErasedKeyError(error: unknown): error is KeyUnavailableError {
  return (
    error instanceof KeyUnavailableError &&
    (error.reason === 'subject-key-destroyed' || error.reason === 'organization-key-destroyed')
  );
}

/** The answer to any write for a crypto-shredded person: their data must not come back. */
export function dataErasedError(cause: unknown): AppError {
  return new AppError(
    'DATA_ERASED',
    'This person’s data was erased (their key was destroyed): nothing can be stored for them again.',
    { cause },
  );
}

/**
 * Stores validated categories for a person in the caller's transaction, encrypting the fields of
 * categories the policy marks encrypted under the person's own data key.
 */
export async function storeCategories(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  personId: string,
  categories: readonly ValidatedCategory[],
  meta: { policyVersionId: string; at: string },
): Promise<void> {
  const people = createPersonStore(trx);
  for (const category of categories) {
    let values = category.values.map((entry) => ({
      field: entry.field,
      value: entry.text,
      isEncrypted: false,
    }));
    if (category.isEncrypted) {
      const encrypted = await encryptSubjectFields(deps, trx, scope, {
        subjectId: personId,
        category: category.categoryId,
        fields: Object.fromEntries(category.values.map((entry) => [entry.field, entry.text])),
      }).catch((error: unknown) => {
        throw isErasedKeyError(error) ? dataErasedError(error) : error;
      });
      values = Object.entries(encrypted).map(([field, value]) => ({
        field,
        value,
        isEncrypted: true,
      }));
    }
    await people.upsertValues(scope, personId, category.categoryId, values, meta);
  }
}

/**
 * One category's values as plain text, decrypting the encrypted fields with the person's key;
 * 'erased' once that key was destroyed.
 */
export async function categoryValues(
  deps: { masterKeys: AppDeps['masterKeys']; dialect: AppDeps['store']['dialect'] },
  db: Executor,
  scope: OrganizationScope,
  personId: string,
  categoryId: string,
  rows: readonly PersonalValueRow[],
): Promise<Record<string, string> | 'erased'> {
  const plain = Object.fromEntries(
    rows.filter((row) => !row.isEncrypted).map((row) => [row.field, row.value]),
  );
  const encrypted = rows.filter((row) => row.isEncrypted);
  if (encrypted.length === 0) {
    return plain;
  }
  try {
    const decrypted = await decryptSubjectFields(deps, db, scope, {
      subjectId: personId,
      category: categoryId,
      fields: Object.fromEntries(encrypted.map((row) => [row.field, row.value])),
    });
    return { ...plain, ...decrypted };
  } catch (error) {
    if (isErasedKeyError(error)) {
      return 'erased';
    }
    throw error;
  }
}

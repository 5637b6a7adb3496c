import { decideDataAccess } from '../../domain/access-decision.js';
import type { ValidatedCategory } from '../../domain/personal-data-validation.js';
import { AppError, type FieldIssue } from '../../errors.js';
import type { DataAction } from '../../policy/schema.js';
import type { Executor } from '../../store/db.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { encryptSubjectFields } from '../keys/encrypt-subject-fields.js';
import type { KeyDeps } from '../keys/key-hierarchy.js';
import type { AppDeps } from '../context.js';
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

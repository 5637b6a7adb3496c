import type { CompiledPolicy } from '../policy/compile.js';
import type { DataAction } from '../policy/schema.js';

/**
 * The one decision every read, write, delete and export of personal data goes through: may this
 * role do this action on this category (for this purpose)? Deny by default; the reason is safe to
 * show the caller and is written to the audit log.
 */
export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

/** What the decision needs to know about the person whose data it is. */
export interface ConsentFacts {
  /** Purposes covered by a consent of theirs that was given and not withdrawn. */
  readonly consentedPurposes: ReadonlySet<string>;
  /** Categories whose processing the person had restricted (Art. 18); `*` for all of them. */
  readonly restrictedCategories?: ReadonlySet<string>;
  /** Purposes the person objected to, with no overriding grounds recorded (Art. 21). */
  readonly objectedPurposes?: ReadonlySet<string>;
}

/**
 * Actions that do not process data for a purpose, so need no lawful basis of their own: erasing
 * (never blocked for want of consent) and exporting a copy to the person (a right, Art. 15/20).
 */
const ACTIONS_WITHOUT_PURPOSE: ReadonlySet<DataAction> = new Set([
  'delete',
  'export',
  'approve-export',
]);

/**
 * Consent as a condition of processing (GDPR Art. 6(1)(a), 7(3); Law 1581 Art. 9): a purpose that
 * rests on consent stops the moment the consent is missing or withdrawn.
 * - A stated purpose that needs consent needs one on record now.
 * - With no stated purpose, a category may be processed while at least one purpose that uses it
 *   has a basis now: a basis other than consent, or a consent on record. So withdrawing the only
 *   consent behind a category (career-masterclass: research on ethnic origin) stops it entirely.
 * - Children's categories need a consent on record for one of their purposes whatever other bases
 *   exist (kindergarten §8: no child data without parental consent; Law 1581 Art. 7).
 */
export function decideConsentBasis(
  policy: CompiledPolicy,
  categoryId: string,
  action: DataAction,
  purposeId: string | undefined,
  facts: ConsentFacts,
): AccessDecision {
  if (ACTIONS_WITHOUT_PURPOSE.has(action)) {
    return { allowed: true };
  }
  const restricted = facts.restrictedCategories;
  if (restricted !== undefined && (restricted.has('*') || restricted.has(categoryId))) {
    // Art. 18(2): restricted data is only stored (and erased or exported on request).
    return {
      allowed: false,
      reason: `the person restricted the processing of "${categoryId}" (GDPR Art. 18)`,
    };
  }
  const objected = facts.objectedPurposes ?? new Set<string>();
  const category = policy.categories.get(categoryId);
  const purposes = (policy.purposesByCategory.get(categoryId) ?? []).filter(
    (purpose) => !objected.has(purpose.id),
  );
  if (purposeId !== undefined) {
    const purpose = policy.purposes.get(purposeId);
    if (objected.has(purposeId)) {
      return {
        allowed: false,
        reason: `the person objected to "${purposeId}" and no overriding grounds are recorded (GDPR Art. 21)`,
      };
    }
    if (purpose?.requiresConsent === true && !facts.consentedPurposes.has(purposeId)) {
      return {
        allowed: false,
        reason: `the purpose "${purposeId}" needs consent, and none is on record`,
      };
    }
  } else if (
    !purposes.some((purpose) => !purpose.requiresConsent || facts.consentedPurposes.has(purpose.id))
  ) {
    return {
      allowed: false,
      reason:
        purposes.length === 0 && objected.size > 0
          ? `the person objected to every purpose that uses "${categoryId}" (GDPR Art. 21)`
          : `every purpose of "${categoryId}" needs consent, and none is on record`,
    };
  }
  if (
    category?.definition.children === true &&
    !purposes.some((purpose) => facts.consentedPurposes.has(purpose.id))
  ) {
    return {
      allowed: false,
      reason: `"${categoryId}" holds children's data: it needs a consent on record first`,
    };
  }
  return { allowed: true };
}

export function decideDataAccess(
  policy: CompiledPolicy,
  role: string,
  categoryId: string,
  action: DataAction,
  purposeId?: string,
  facts?: ConsentFacts,
): AccessDecision {
  if (!policy.categories.has(categoryId)) {
    return { allowed: false, reason: `"${categoryId}" is not a category the policy declares` };
  }
  if (purposeId !== undefined) {
    const purpose = policy.purposes.get(purposeId);
    if (purpose === undefined) {
      return { allowed: false, reason: `"${purposeId}" is not a purpose the policy declares` };
    }
    if (!purpose.categoryIds.has(categoryId)) {
      return {
        allowed: false,
        reason: `the purpose "${purposeId}" does not use the category "${categoryId}"`,
      };
    }
  }
  if (!policy.can(role, categoryId, action, purposeId)) {
    return {
      allowed: false,
      reason:
        purposeId === undefined
          ? `the role "${role}" may not ${action} "${categoryId}"`
          : `the role "${role}" may not ${action} "${categoryId}" for "${purposeId}"`,
    };
  }
  if (facts !== undefined) {
    return decideConsentBasis(policy, categoryId, action, purposeId, facts);
  }
  return { allowed: true };
}

import type { CompiledPolicy } from '../policy/compile.js';
import type { DataAction } from '../policy/schema.js';

/**
 * The one decision every read, write, delete and export of personal data goes through: may this
 * role do this action on this category (for this purpose)? Deny by default; the reason is safe to
 * show the caller and is written to the audit log.
 */
export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export function decideDataAccess(
  policy: CompiledPolicy,
  role: string,
  categoryId: string,
  action: DataAction,
  purposeId?: string,
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
  return { allowed: true };
}

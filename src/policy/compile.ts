/**
 * Compiles a checked policy document into the immutable object enforcement code queries on every
 * request: maps by id, each role's inherited permissions resolved once, and an access decision
 * that is a hash lookup, never a scan. Pure and deep-frozen: one compiled policy may be shared by
 * every request of an organisation without anyone changing it under another.
 */
import { parseDuration, type Duration } from './duration.js';
import type {
  Category,
  Consent,
  DataAction,
  Jurisdiction,
  LawfulBasis,
  PolicyDocument,
  Purpose,
  RetentionRule,
  RightKind,
  Role,
  SystemAction,
  ThirdParty,
} from './schema.js';

export interface CompiledCategory {
  readonly id: string;
  readonly definition: Category;
  /** Resolved: explicit setting, else on for sensitive, special-category and children's data. */
  readonly isEncrypted: boolean;
  readonly isSensitive: boolean;
  readonly fieldNames: ReadonlySet<string>;
  readonly purposeIds: readonly string[];
}

export interface CompiledPurpose {
  readonly id: string;
  readonly definition: Purpose;
  readonly categoryIds: ReadonlySet<string>;
  /** True when processing needs a consent on record before it may start. */
  readonly requiresConsent: boolean;
  readonly consentIds: readonly string[];
  readonly isProtected: boolean;
  readonly isMarketing: boolean;
}

export interface CompiledRole {
  readonly id: string;
  readonly definition: Role;
  /** Every role this one inherits from, directly or not (not including itself). */
  readonly inheritedRoleIds: ReadonlySet<string>;
  readonly mfaRequired: boolean;
  readonly systemActions: ReadonlySet<SystemAction>;
}

export interface CompiledRetentionRule {
  readonly id: string;
  readonly definition: RetentionRule;
  readonly period: Duration;
  readonly answerWithin: Duration | undefined;
  readonly extendBy: Duration | undefined;
  /** Undefined means every purpose of the category. */
  readonly purposeIds: ReadonlySet<string> | undefined;
}

export interface RightsDeadlineRule {
  readonly jurisdiction: Jurisdiction;
  readonly requestKind: 'any' | 'consultation' | 'claim';
  readonly respondWithin: PolicyDocument['rights']['deadlines'][number]['respond_within'];
  readonly extension: PolicyDocument['rights']['deadlines'][number]['extension'];
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly jurisdictions: ReadonlySet<Jurisdiction>;
  readonly categories: ReadonlyMap<string, CompiledCategory>;
  readonly categoryGroups: ReadonlyMap<string, ReadonlySet<string>>;
  readonly purposes: ReadonlyMap<string, CompiledPurpose>;
  readonly consents: ReadonlyMap<string, Consent>;
  readonly roles: ReadonlyMap<string, CompiledRole>;
  readonly thirdParties: ReadonlyMap<string, ThirdParty>;
  readonly purposesByCategory: ReadonlyMap<string, readonly CompiledPurpose[]>;
  readonly retentionByCategory: ReadonlyMap<string, readonly CompiledRetentionRule[]>;
  readonly thirdPartiesByCategory: ReadonlyMap<string, readonly ThirdParty[]>;
  readonly consentsByPurpose: ReadonlyMap<string, readonly Consent[]>;
  /**
   * May `roleId` perform `action` on `categoryId`? With a purpose, permissions restricted to
   * purposes count when it is one of them; without one, only unrestricted permissions count.
   * Deny by default: unknown roles, categories and actions answer false.
   */
  can(roleId: string, categoryId: string, action: DataAction, purposeId?: string): boolean;
  /** May `roleId` perform a system action (manage users, restore a backup…)? */
  canSystem(roleId: string, action: SystemAction): boolean;
  /** The lawful basis of a purpose in one jurisdiction. */
  lawfulBasis(purposeId: string, jurisdiction: Jurisdiction): LawfulBasis | undefined;
  /** The response clock for a right in a jurisdiction and, for Law 1581, a request kind. */
  rightsDeadline(
    jurisdiction: Jurisdiction,
    right: RightKind,
    requestKind?: 'consultation' | 'claim',
  ): RightsDeadlineRule | undefined;
}

// ---------------------------------------------------------------------------------------------
// Freezing
// ---------------------------------------------------------------------------------------------

function refuseMutation(): never {
  throw new TypeError('a compiled policy is immutable');
}

/**
 * Object.freeze does not stop Map.prototype.set, so frozen maps and sets also get own methods
 * that refuse mutation. Values inside are frozen recursively.
 */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) {
    return value;
  }
  seen.add(value);
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      deepFreeze(key, seen);
      deepFreeze(entry, seen);
    }
    Object.defineProperties(value, {
      set: { value: refuseMutation },
      delete: { value: refuseMutation },
      clear: { value: refuseMutation },
    });
  } else if (value instanceof Set) {
    for (const entry of value) {
      deepFreeze(entry, seen);
    }
    Object.defineProperties(value, {
      add: { value: refuseMutation },
      delete: { value: refuseMutation },
      clear: { value: refuseMutation },
    });
  } else {
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
    }
  }
  return Object.freeze(value);
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

function durationOf(text: string): Duration {
  const duration = parseDuration(text);
  if (duration === undefined) {
    // The checker rejects bad durations before compiling; reaching this is a bug.
    throw new Error(`invalid duration "${text}" in a checked policy`);
  }
  return duration;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [value]);
  } else {
    list.push(value);
  }
}

/** Role ids reachable through `inherits`, tolerant of cycles (the checker reports those). */
function resolveInheritance(roles: ReadonlyMap<string, Role>, roleId: string): Set<string> {
  const reached = new Set<string>();
  const pending = [...(roles.get(roleId)?.inherits ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next === roleId || reached.has(next)) {
      continue;
    }
    reached.add(next);
    pending.push(...(roles.get(next)?.inherits ?? []));
  }
  return reached;
}

/** The key of one (role, category, action) decision; NUL cannot occur in ids. */
function decisionKey(roleId: string, categoryId: string, action: DataAction): string {
  return `${roleId}\u0000${categoryId}\u0000${action}`;
}

/** Compiles a document that `checkPolicySource` accepted. */
export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const consentsByPurpose = new Map<string, Consent[]>();
  for (const consent of document.consents) {
    for (const purposeId of consent.purposes) {
      pushTo(consentsByPurpose, purposeId, consent);
    }
  }

  const purposes = new Map<string, CompiledPurpose>();
  const purposesByCategory = new Map<string, CompiledPurpose[]>();
  for (const purpose of document.purposes) {
    const consentIds = (consentsByPurpose.get(purpose.id) ?? []).map((consent) => consent.id);
    const compiled: CompiledPurpose = {
      id: purpose.id,
      definition: purpose,
      categoryIds: new Set(purpose.categories),
      requiresConsent:
        purpose.requires_consent ||
        Object.values(purpose.lawful_basis).some((basis) => basis.basis === 'consent'),
      consentIds,
      isProtected: purpose.protected,
      isMarketing: purpose.marketing,
    };
    purposes.set(purpose.id, compiled);
    for (const categoryId of purpose.categories) {
      pushTo(purposesByCategory, categoryId, compiled);
    }
  }

  const categories = new Map<string, CompiledCategory>();
  for (const category of document.categories) {
    const isSensitive = category.sensitivity !== 'ordinary' || category.children;
    categories.set(category.id, {
      id: category.id,
      definition: category,
      // Encryption defaults on where a leak would do most harm (GDPR Art. 32(1)(a)).
      isEncrypted: category.encrypted_at_rest ?? isSensitive,
      isSensitive,
      fieldNames: new Set(category.fields.map((field) => field.name)),
      purposeIds: (purposesByCategory.get(category.id) ?? []).map((purpose) => purpose.id),
    });
  }

  const categoryGroups = new Map<string, ReadonlySet<string>>();
  for (const group of document.category_groups) {
    categoryGroups.set(group.id, new Set(group.categories));
  }
  const expandCategories = (references: readonly string[]): string[] =>
    references.flatMap((reference) =>
      reference === '*'
        ? [...categories.keys()]
        : [...(categoryGroups.get(reference) ?? [reference])],
    );

  const roleDefinitions = new Map(document.access.roles.map((role) => [role.id, role]));
  const roles = new Map<string, CompiledRole>();
  const allowed = new Set<string>();
  const allowedForPurposes = new Map<string, Set<string>>();
  for (const role of document.access.roles) {
    const inheritedRoleIds = resolveInheritance(roleDefinitions, role.id);
    const sources = [role, ...[...inheritedRoleIds].flatMap((id) => roleDefinitions.get(id) ?? [])];
    const systemActions = new Set<SystemAction>();
    for (const source of sources) {
      source.system.forEach((action) => systemActions.add(action));
      for (const permission of source.data) {
        for (const categoryId of expandCategories(permission.categories)) {
          for (const action of permission.actions) {
            const key = decisionKey(role.id, categoryId, action);
            if (permission.purposes === undefined) {
              allowed.add(key);
            } else {
              const set = allowedForPurposes.get(key) ?? new Set<string>();
              permission.purposes.forEach((purposeId) => set.add(purposeId));
              allowedForPurposes.set(key, set);
            }
          }
        }
      }
    }
    roles.set(role.id, {
      id: role.id,
      definition: role,
      inheritedRoleIds,
      mfaRequired: role.mfa_required,
      systemActions,
    });
  }

  const retentionByCategory = new Map<string, CompiledRetentionRule[]>();
  for (const rule of document.retention.rules) {
    pushTo(retentionByCategory, rule.category, {
      id: rule.id,
      definition: rule,
      period: durationOf(rule.period),
      answerWithin: rule.review === undefined ? undefined : durationOf(rule.review.answer_within),
      extendBy: rule.review === undefined ? undefined : durationOf(rule.review.on_keep.extend_by),
      purposeIds: rule.purposes === undefined ? undefined : new Set(rule.purposes),
    });
  }

  const thirdParties = new Map(document.third_parties.map((party) => [party.id, party]));
  const thirdPartiesByCategory = new Map<string, ThirdParty[]>();
  for (const party of document.third_parties) {
    for (const categoryId of party.categories) {
      pushTo(thirdPartiesByCategory, categoryId, party);
    }
  }

  // One lookup per (jurisdiction, right, request kind); specific rules win over general ones.
  const deadlines = new Map<string, RightsDeadlineRule>();
  const sortedDeadlines = [...document.rights.deadlines].sort(
    (left, right) => Number(left.rights !== undefined) - Number(right.rights !== undefined),
  );
  for (const deadline of sortedDeadlines) {
    const rule: RightsDeadlineRule = {
      jurisdiction: deadline.jurisdiction,
      requestKind: deadline.request_kind,
      respondWithin: deadline.respond_within,
      extension: deadline.extension,
    };
    for (const right of deadline.rights ?? document.rights.available) {
      deadlines.set(`${deadline.jurisdiction}\u0000${right}\u0000${deadline.request_kind}`, rule);
    }
  }

  const compiled: CompiledPolicy = {
    document,
    jurisdictions: new Set(document.organisation.jurisdictions),
    categories,
    categoryGroups,
    purposes,
    consents: new Map(document.consents.map((consent) => [consent.id, consent])),
    roles,
    thirdParties,
    purposesByCategory,
    retentionByCategory,
    thirdPartiesByCategory,
    consentsByPurpose,
    can(roleId, categoryId, action, purposeId) {
      const key = decisionKey(roleId, categoryId, action);
      if (allowed.has(key)) {
        return true;
      }
      return purposeId !== undefined && (allowedForPurposes.get(key)?.has(purposeId) ?? false);
    },
    canSystem(roleId, action) {
      return roles.get(roleId)?.systemActions.has(action) ?? false;
    },
    lawfulBasis(purposeId, jurisdiction) {
      return purposes.get(purposeId)?.definition.lawful_basis[jurisdiction];
    },
    rightsDeadline(jurisdiction, right, requestKind) {
      const prefix = `${jurisdiction}\u0000${right}\u0000`;
      return (
        (requestKind === undefined ? undefined : deadlines.get(prefix + requestKind)) ??
        deadlines.get(`${prefix}any`) ??
        deadlines.get(`${prefix}consultation`) ??
        deadlines.get(`${prefix}claim`)
      );
    },
  };
  deepFreeze(allowed);
  deepFreeze(allowedForPurposes);
  deepFreeze(deadlines);
  return deepFreeze(compiled);
}

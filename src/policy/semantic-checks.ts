/**
 * Checks a policy against itself, after its shape has been validated: every reference resolves,
 * every promise has what it needs to be kept, and nothing contradicts the law it declares.
 * Each check returns findings with the path of the offending value; check.ts places them.
 */
import { approximateDays, longestCalendarDays, parseDuration } from './duration.js';
import { GDPR_JURISDICTIONS, JURISDICTION_TERRITORIES, expandTerritory } from './jurisdictions.js';
import type { Finding, ProblemCode } from './problem.js';
import type {
  Jurisdiction,
  Language,
  LocalisedText,
  PolicyDocument,
  RightKind,
  TriggerEvent,
} from './schema.js';
import type { PathSegment } from './source-positions.js';

type Report = (code: ProblemCode, path: readonly PathSegment[], message: string) => void;

/** Ids declared in each namespace, for reference checks. */
interface Declared {
  subjects: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  purposes: ReadonlySet<string>;
  consents: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  thirdParties: ReadonlySet<string>;
}

/** Safeguards that make a transfer abroad lawful; a DPA alone governs processing, not transfer. */
const TRANSFER_SAFEGUARDS = new Set([
  'scc',
  'uk-idta',
  'uk-addendum',
  'adequacy',
  'bcr',
  'contractual-protections',
  'consent-to-transfer',
]);

/** GDPR Art. 33(1): the authority is told within 72 hours. */
const GDPR_AUTHORITY_DEADLINE_HOURS = 72;

export function checkSemantics(policy: PolicyDocument): Finding[] {
  const findings: Finding[] = [];
  const report: Report = (code, path, message) => {
    findings.push({ code, path, message });
  };
  checkDuplicateIds(policy, report);
  const declared = collectDeclared(policy);
  checkReferences(policy, declared, report);
  checkOrganisation(policy, report);
  checkTranslations(policy, report);
  checkCategories(policy, report);
  checkPurposes(policy, report);
  checkConsents(policy, report);
  checkRoles(policy, report);
  checkThirdParties(policy, report);
  checkRetention(policy, report);
  checkRights(policy, report);
  checkBreach(policy, report);
  checkMinorsAndMarketing(policy, report);
  checkCookies(policy, report);
  return findings;
}

// ---------------------------------------------------------------------------------------------

function idsOf(items: readonly { id: string }[]): ReadonlySet<string> {
  return new Set(items.map((item) => item.id));
}

function collectDeclared(policy: PolicyDocument): Declared {
  return {
    subjects: idsOf(policy.subjects),
    categories: idsOf(policy.categories),
    groups: idsOf(policy.category_groups),
    purposes: idsOf(policy.purposes),
    consents: idsOf(policy.consents),
    roles: idsOf(policy.access.roles),
    thirdParties: idsOf(policy.third_parties),
  };
}

function checkDuplicateIds(policy: PolicyDocument, report: Report): void {
  const reportDuplicates = (
    items: readonly { id: string }[],
    path: readonly PathSegment[],
    what: string,
    seen: Map<string, string> = new Map(),
  ): void => {
    items.forEach((item, index) => {
      const previous = seen.get(item.id);
      if (previous !== undefined) {
        report(
          'duplicate-id',
          [...path, index, 'id'],
          `${what} id "${item.id}" is already used by ${previous}`,
        );
      } else {
        seen.set(item.id, `${what} ${formatIndexPath(path, index)}`);
      }
    });
  };
  reportDuplicates(policy.subjects, ['subjects'], 'subject');
  // Categories and groups share one namespace: a permission names either.
  const categoryNamespace = new Map<string, string>();
  reportDuplicates(policy.categories, ['categories'], 'category', categoryNamespace);
  reportDuplicates(
    policy.category_groups,
    ['category_groups'],
    'category group',
    categoryNamespace,
  );
  reportDuplicates(policy.purposes, ['purposes'], 'purpose');
  reportDuplicates(policy.consents, ['consents'], 'consent');
  reportDuplicates(policy.retention.rules, ['retention', 'rules'], 'retention rule');
  reportDuplicates(policy.access.roles, ['access', 'roles'], 'role');
  reportDuplicates(policy.third_parties, ['third_parties'], 'third party');
  reportDuplicates(policy.cookies, ['cookies'], 'cookie');
  policy.categories.forEach((category, categoryIndex) => {
    const fieldNames = new Set<string>();
    category.fields.forEach((field, fieldIndex) => {
      if (fieldNames.has(field.name)) {
        report(
          'duplicate-id',
          ['categories', categoryIndex, 'fields', fieldIndex, 'name'],
          `category "${category.id}" declares the field "${field.name}" twice`,
        );
      }
      fieldNames.add(field.name);
    });
  });
}

function formatIndexPath(path: readonly PathSegment[], index: number): string {
  return `${path.join('.')}[${index}]`;
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

function checkReferences(policy: PolicyDocument, declared: Declared, report: Report): void {
  const expect = (
    ids: ReadonlySet<string>,
    code: ProblemCode,
    what: string,
    id: string,
    path: readonly PathSegment[],
    context: string,
  ): void => {
    if (!ids.has(id)) {
      report(code, path, `${context} names the unknown ${what} "${id}"`);
    }
  };
  const declaredJurisdictions = new Set(policy.organisation.jurisdictions);
  const expectJurisdiction = (
    jurisdiction: string,
    path: readonly PathSegment[],
    context: string,
  ) => {
    if (!declaredJurisdictions.has(jurisdiction as Jurisdiction)) {
      report(
        'undeclared-jurisdiction',
        path,
        `${context} is given for "${jurisdiction}", which organisation.jurisdictions does not declare`,
      );
    }
  };

  for (const jurisdiction of Object.keys(policy.organisation.supervisory_authorities)) {
    expectJurisdiction(
      jurisdiction,
      ['organisation', 'supervisory_authorities', jurisdiction],
      'a supervisory authority',
    );
  }

  policy.categories.forEach((category, index) => {
    const context = `category "${category.id}"`;
    category.subjects.forEach((subject, subjectIndex) => {
      expect(
        declared.subjects,
        'unknown-subject',
        'subject',
        subject,
        ['categories', index, 'subjects', subjectIndex],
        context,
      );
    });
    category.sources.forEach((source, sourceIndex) => {
      if (typeof source !== 'string') {
        expect(
          declared.thirdParties,
          'unknown-third-party',
          'third party',
          source.third_party,
          ['categories', index, 'sources', sourceIndex, 'third_party'],
          context,
        );
      }
    });
  });

  policy.category_groups.forEach((group, index) => {
    group.categories.forEach((category, categoryIndex) => {
      expect(
        declared.categories,
        'unknown-category',
        'category',
        category,
        ['category_groups', index, 'categories', categoryIndex],
        `category group "${group.id}"`,
      );
    });
  });

  policy.purposes.forEach((purpose, index) => {
    const context = `purpose "${purpose.id}"`;
    purpose.categories.forEach((category, categoryIndex) => {
      expect(
        declared.categories,
        'unknown-category',
        'category',
        category,
        ['purposes', index, 'categories', categoryIndex],
        context,
      );
    });
    for (const jurisdiction of Object.keys(purpose.lawful_basis)) {
      expectJurisdiction(
        jurisdiction,
        ['purposes', index, 'lawful_basis', jurisdiction],
        `${context}: a lawful basis`,
      );
    }
    for (const jurisdiction of Object.keys(purpose.special_category_condition ?? {})) {
      expectJurisdiction(
        jurisdiction,
        ['purposes', index, 'special_category_condition', jurisdiction],
        `${context}: a special-category condition`,
      );
    }
  });

  policy.consents.forEach((consent, index) => {
    consent.purposes.forEach((purpose, purposeIndex) => {
      expect(
        declared.purposes,
        'unknown-purpose',
        'purpose',
        purpose,
        ['consents', index, 'purposes', purposeIndex],
        `consent "${consent.id}"`,
      );
    });
  });

  policy.retention.rules.forEach((rule, index) => {
    const context = `retention rule "${rule.id}"`;
    expect(
      declared.categories,
      'unknown-category',
      'category',
      rule.category,
      ['retention', 'rules', index, 'category'],
      context,
    );
    rule.purposes?.forEach((purpose, purposeIndex) => {
      expect(
        declared.purposes,
        'unknown-purpose',
        'purpose',
        purpose,
        ['retention', 'rules', index, 'purposes', purposeIndex],
        context,
      );
    });
  });
  policy.retention.legal_holds?.placed_by.forEach((role, index) => {
    expect(
      declared.roles,
      'unknown-role',
      'role',
      role,
      ['retention', 'legal_holds', 'placed_by', index],
      'retention.legal_holds',
    );
  });

  policy.access.roles.forEach((role, index) => {
    const context = `role "${role.id}"`;
    role.inherits.forEach((parent, parentIndex) => {
      expect(
        declared.roles,
        'unknown-role',
        'role',
        parent,
        ['access', 'roles', index, 'inherits', parentIndex],
        context,
      );
    });
    role.data.forEach((permission, permissionIndex) => {
      permission.categories.forEach((category, categoryIndex) => {
        if (
          category !== '*' &&
          !declared.categories.has(category) &&
          !declared.groups.has(category)
        ) {
          report(
            'unknown-category',
            ['access', 'roles', index, 'data', permissionIndex, 'categories', categoryIndex],
            `${context} names the unknown category or category group "${category}"`,
          );
        }
      });
      permission.purposes?.forEach((purpose, purposeIndex) => {
        expect(
          declared.purposes,
          'unknown-purpose',
          'purpose',
          purpose,
          ['access', 'roles', index, 'data', permissionIndex, 'purposes', purposeIndex],
          context,
        );
      });
    });
  });

  policy.third_parties.forEach((party, index) => {
    const context = `third party "${party.id}"`;
    party.categories.forEach((category, categoryIndex) => {
      expect(
        declared.categories,
        'unknown-category',
        'category',
        category,
        ['third_parties', index, 'categories', categoryIndex],
        context,
      );
    });
    party.purposes.forEach((purpose, purposeIndex) => {
      expect(
        declared.purposes,
        'unknown-purpose',
        'purpose',
        purpose,
        ['third_parties', index, 'purposes', purposeIndex],
        context,
      );
    });
  });

  policy.rights.deadlines.forEach((deadline, index) => {
    expectJurisdiction(
      deadline.jurisdiction,
      ['rights', 'deadlines', index, 'jurisdiction'],
      'a rights deadline',
    );
  });

  policy.breach.lockdown.forEach((action, index) => {
    if (action.action === 'suspend-roles' || action.action === 'revoke-sessions') {
      action.roles.forEach((role, roleIndex) => {
        expect(
          declared.roles,
          'unknown-role',
          'role',
          role,
          ['breach', 'lockdown', index, 'roles', roleIndex],
          'breach lockdown',
        );
      });
    }
  });
  const leadRole = policy.breach.investigation?.lead_role;
  if (leadRole !== undefined) {
    expect(
      declared.roles,
      'unknown-role',
      'role',
      leadRole,
      ['breach', 'investigation', 'lead_role'],
      'breach investigation',
    );
  }

  const marketing = policy.marketing;
  if (marketing !== undefined) {
    if (marketing.audience?.consent !== undefined) {
      expect(
        declared.consents,
        'unknown-consent',
        'consent',
        marketing.audience.consent,
        ['marketing', 'audience', 'consent'],
        'marketing audience',
      );
    }
    marketing.bulk_export?.supervisor_roles.forEach((role, index) => {
      expect(
        declared.roles,
        'unknown-role',
        'role',
        role,
        ['marketing', 'bulk_export', 'supervisor_roles', index],
        'marketing bulk export',
      );
    });
  }

  policy.cookies.forEach((cookie, index) => {
    if (cookie.third_party !== undefined) {
      expect(
        declared.thirdParties,
        'unknown-third-party',
        'third party',
        cookie.third_party,
        ['cookies', index, 'third_party'],
        `cookie "${cookie.id}"`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Organisation and translations
// ---------------------------------------------------------------------------------------------

function checkOrganisation(policy: PolicyDocument, report: Report): void {
  const organisation = policy.organisation;
  if (!organisation.notice_languages.includes(organisation.default_language)) {
    report(
      'default-language-not-listed',
      ['organisation', 'default_language'],
      `the default language "${organisation.default_language}" is not one of notice_languages`,
    );
  }
  if (
    organisation.valid_until !== undefined &&
    organisation.valid_until <= organisation.effective_date
  ) {
    report(
      'bad-date-range',
      ['organisation', 'valid_until'],
      `valid_until ${organisation.valid_until} is not after effective_date ${organisation.effective_date}`,
    );
  }
  for (const jurisdiction of organisation.jurisdictions) {
    if (organisation.supervisory_authorities[jurisdiction] === undefined) {
      // GDPR Art. 13(2)(d), PIPEDA principle 4.10, Law 1581 Art. 17: people are told where to complain.
      report(
        'missing-supervisory-authority',
        ['organisation', 'supervisory_authorities'],
        `no supervisory authority is given for the declared jurisdiction "${jurisdiction}"`,
      );
    }
  }
}

function checkTranslations(policy: PolicyDocument, report: Report): void {
  const languages = policy.organisation.notice_languages;
  const require = (
    text: LocalisedText | undefined,
    path: readonly PathSegment[],
    what: string,
  ): void => {
    if (text === undefined) {
      return;
    }
    const missing = languages.filter((language: Language) => text[language] === undefined);
    if (missing.length > 0) {
      report(
        'missing-translation',
        path,
        `${what} has no text in ${missing.join(', ')}, a notice language`,
      );
    }
  };
  require(policy.organisation.privacy_officer.title, [
    'organisation',
    'privacy_officer',
    'title',
  ], 'the privacy officer title');
  policy.subjects.forEach((subject, index) => {
    require(subject.labels, ['subjects', index, 'labels'], `subject "${subject.id}" labels`);
  });
  policy.categories.forEach((category, index) => {
    require(category.labels, ['categories', index, 'labels'], `category "${category.id}" labels`);
  });
  policy.category_groups.forEach((group, index) => {
    require(group.labels, ['category_groups', index, 'labels'], `category group "${group.id}"`);
  });
  policy.purposes.forEach((purpose, index) => {
    require(purpose.labels, ['purposes', index, 'labels'], `purpose "${purpose.id}" labels`);
    for (const [jurisdiction, basis] of Object.entries(purpose.lawful_basis)) {
      const path = ['purposes', index, 'lawful_basis', jurisdiction];
      if (basis.basis === 'legitimate-interest') {
        require(basis.interest, [...path, 'interest'], `purpose "${purpose.id}" interest`);
        require(basis.balancing, [...path, 'balancing'], `purpose "${purpose.id}" balancing`);
      } else if (basis.basis === 'legal-obligation') {
        require(basis.law, [...path, 'law'], `purpose "${purpose.id}" law`);
      }
    }
  });
  policy.consents.forEach((consent, index) => {
    require(consent.labels, ['consents', index, 'labels'], `consent "${consent.id}" labels`);
  });
  policy.retention.rules.forEach((rule, index) => {
    require(rule.reason, ['retention', 'rules', index, 'reason'], `retention rule "${rule.id}"`);
  });
  policy.retention.legal_holds?.reasons.forEach((reason, index) => {
    require(reason.labels, [
      'retention',
      'legal_holds',
      'reasons',
      index,
      'labels',
    ], `legal hold reason "${reason.id}"`);
  });
  policy.access.roles.forEach((role, index) => {
    require(role.labels, ['access', 'roles', index, 'labels'], `role "${role.id}" labels`);
  });
  policy.third_parties.forEach((party, index) => {
    require(party.service, ['third_parties', index, 'service'], `third party "${party.id}"`);
  });
  policy.cookies.forEach((cookie, index) => {
    require(cookie.labels, ['cookies', index, 'labels'], `cookie "${cookie.id}" labels`);
    require(cookie.purpose, ['cookies', index, 'purpose'], `cookie "${cookie.id}" purpose`);
  });
}

// ---------------------------------------------------------------------------------------------
// Categories and purposes
// ---------------------------------------------------------------------------------------------

function checkCategories(policy: PolicyDocument, report: Report): void {
  const usedCategories = new Set(policy.purposes.flatMap((purpose) => purpose.categories));
  const retainedCategories = new Set(policy.retention.rules.map((rule) => rule.category));
  policy.categories.forEach((category, index) => {
    const path = ['categories', index];
    const isSpecial = category.sensitivity === 'special-category';
    if (isSpecial && category.special_kind === undefined) {
      report(
        'special-kind-mismatch',
        [...path, 'sensitivity'],
        `category "${category.id}" is special-category but names no special_kind (GDPR Art. 9(1))`,
      );
    } else if (!isSpecial && category.special_kind !== undefined) {
      report(
        'special-kind-mismatch',
        [...path, 'special_kind'],
        `category "${category.id}" names special_kind "${category.special_kind}" but its sensitivity is ${category.sensitivity}, not special-category`,
      );
    }
    if (
      category.encrypted_at_rest === false &&
      (category.sensitivity !== 'ordinary' || category.children)
    ) {
      report(
        'unencrypted-sensitive-category',
        [...path, 'encrypted_at_rest'],
        `category "${category.id}" holds ${category.children ? "children's" : category.sensitivity} data and must be encrypted at rest (GDPR Art. 32)`,
      );
    }
    if (category.children && policy.minors === undefined) {
      report(
        'children-without-guardian-rule',
        [...path, 'children'],
        `category "${category.id}" holds children's data but the policy has no minors section saying when a guardian must consent (GDPR Art. 8)`,
      );
    }
    if (!usedCategories.has(category.id)) {
      // GDPR Art. 5(1)(b)–(c), PIPEDA principle 4.4: nothing is collected without a purpose.
      report(
        'unused-category',
        [...path, 'id'],
        `category "${category.id}" is used by no purpose, so it may not be collected`,
      );
    }
    if (!retainedCategories.has(category.id)) {
      // GDPR Art. 5(1)(e), PIPEDA principle 4.5.3: every category has a retention limit.
      report(
        'no-retention-rule',
        [...path, 'id'],
        `category "${category.id}" has no retention rule`,
      );
    }
  });
}

function checkPurposes(policy: PolicyDocument, report: Report): void {
  const categoriesById = new Map(policy.categories.map((category) => [category.id, category]));
  const declaredJurisdictions = policy.organisation.jurisdictions;
  const coveringConsents = (purposeId: string) =>
    policy.consents.filter((consent) => consent.purposes.includes(purposeId));
  policy.purposes.forEach((purpose, index) => {
    const path = ['purposes', index];
    for (const jurisdiction of declaredJurisdictions) {
      const basis = purpose.lawful_basis[jurisdiction];
      if (basis === undefined) {
        report(
          'missing-lawful-basis',
          [...path, 'lawful_basis'],
          `purpose "${purpose.id}" has no lawful basis for the declared jurisdiction "${jurisdiction}"`,
        );
        continue;
      }
      if (
        basis.basis === 'legitimate-interest' &&
        GDPR_JURISDICTIONS.has(jurisdiction) &&
        !basis.right_to_object
      ) {
        report(
          'objection-denied',
          [...path, 'lawful_basis', jurisdiction, 'right_to_object'],
          `purpose "${purpose.id}" relies on legitimate interest under ${jurisdiction}, where the person may always object (GDPR Art. 21(1))`,
        );
      }
    }
    const isConsentBased =
      purpose.requires_consent ||
      Object.values(purpose.lawful_basis).some((basis) => basis.basis === 'consent');
    if (isConsentBased && coveringConsents(purpose.id).length === 0) {
      report(
        'consent-missing',
        [...path, 'id'],
        `purpose "${purpose.id}" is based on consent but no entry in consents covers it, so consent can be neither given nor withdrawn (GDPR Art. 7(3))`,
      );
    }
    const specialCategories = purpose.categories
      .map((id) => categoriesById.get(id))
      .filter((category) => category?.sensitivity === 'special-category');
    if (specialCategories.length > 0) {
      for (const jurisdiction of declaredJurisdictions) {
        if (!GDPR_JURISDICTIONS.has(jurisdiction)) {
          continue;
        }
        const condition = purpose.special_category_condition?.[jurisdiction];
        if (condition === undefined) {
          report(
            'missing-special-category-condition',
            [...path, 'categories'],
            `purpose "${purpose.id}" uses special-category data (${specialCategories.map((category) => category?.id).join(', ')}) but gives no Art. 9(2) condition for ${jurisdiction}`,
          );
        } else if (
          condition.condition === 'explicit-consent' &&
          !coveringConsents(purpose.id).some((consent) => consent.form === 'explicit')
        ) {
          report(
            'explicit-consent-missing',
            [...path, 'special_category_condition', jurisdiction, 'condition'],
            `purpose "${purpose.id}" relies on explicit consent (Art. 9(2)(a)) but no consent of form "explicit" covers it`,
          );
        }
      }
    }
    if (purpose.marketing) {
      if (policy.marketing === undefined) {
        report(
          'marketing-section-missing',
          [...path, 'marketing'],
          `purpose "${purpose.id}" is marketing but the policy has no marketing section`,
        );
      } else if (policy.marketing.opt_in_required) {
        for (const [jurisdiction, basis] of Object.entries(purpose.lawful_basis)) {
          if (basis.basis !== 'consent') {
            report(
              'marketing-without-opt-in',
              [...path, 'lawful_basis', jurisdiction, 'basis'],
              `marketing requires opt-in, but purpose "${purpose.id}" is based on ${basis.basis} under ${jurisdiction}`,
            );
          }
        }
      }
    }
  });

  const needsObjection = policy.purposes.some((purpose) =>
    Object.entries(purpose.lawful_basis).some(
      ([jurisdiction, basis]) =>
        basis.basis === 'legitimate-interest' &&
        GDPR_JURISDICTIONS.has(jurisdiction as Jurisdiction),
    ),
  );
  if (needsObjection && !policy.rights.available.includes('objection')) {
    report(
      'objection-right-missing',
      ['rights', 'available'],
      'a purpose relies on legitimate interest under the GDPR, so the right to object must be available (Art. 21)',
    );
  }
}

function checkConsents(policy: PolicyDocument, report: Report): void {
  policy.consents.forEach((consent, index) => {
    if (consent.withdrawal.length === 0) {
      report(
        'no-withdrawal-method',
        ['consents', index, 'withdrawal'],
        `consent "${consent.id}" gives no way to withdraw it (GDPR Art. 7(3), Law 1581 Art. 8(e))`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

function checkRoles(policy: PolicyDocument, report: Report): void {
  const roles = policy.access.roles;
  const indexById = new Map(roles.map((role, index) => [role.id, index]));
  // Depth-first search; an edge into a role still on the stack closes a cycle.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (roleId: string): void => {
    state.set(roleId, 'visiting');
    const roleIndex = indexById.get(roleId);
    const role = roleIndex === undefined ? undefined : roles[roleIndex];
    role?.inherits.forEach((parent, parentIndex) => {
      const parentState = state.get(parent);
      if (parentState === 'visiting') {
        const edge = `${roleId}>${parent}`;
        if (!reported.has(edge)) {
          reported.add(edge);
          report(
            'role-inheritance-cycle',
            ['access', 'roles', roleIndex ?? 0, 'inherits', parentIndex],
            `role "${roleId}" inherits "${parent}", which inherits "${roleId}" back: inheritance must not loop`,
          );
        }
      } else if (parentState === undefined && indexById.has(parent)) {
        visit(parent);
      }
    });
    state.set(roleId, 'done');
  };
  for (const role of roles) {
    if (!state.has(role.id)) {
      visit(role.id);
    }
  }
  if (policy.security.mfa_for_staff) {
    roles.forEach((role, index) => {
      if (!role.mfa_required) {
        report(
          'mfa-claim-contradicted',
          ['access', 'roles', index, 'mfa_required'],
          `security claims multi-factor authentication for staff, but role "${role.id}" does not require it`,
        );
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Third parties
// ---------------------------------------------------------------------------------------------

function checkThirdParties(policy: PolicyDocument, report: Report): void {
  const home = new Set<string>();
  for (const location of policy.organisation.storage_locations) {
    expandTerritory(location.territory).forEach((territory) => home.add(territory));
  }
  for (const jurisdiction of policy.organisation.jurisdictions) {
    JURISDICTION_TERRITORIES[jurisdiction].forEach((territory) => home.add(territory));
  }
  const purposesById = new Map(policy.purposes.map((purpose) => [purpose.id, purpose]));
  policy.third_parties.forEach((party, index) => {
    const receivesData = party.categories.length > 0;
    const isSafeguarded = party.safeguards.some((safeguard) => TRANSFER_SAFEGUARDS.has(safeguard));
    if (receivesData && !isSafeguarded) {
      party.locations.forEach((territory, locationIndex) => {
        if (!home.has(territory)) {
          report(
            'unsafeguarded-transfer',
            ['third_parties', index, 'locations', locationIndex],
            `third party "${party.id}" receives personal data in ${territory}, outside the declared storage locations and jurisdictions, with no transfer safeguard (GDPR Art. 44–46, PIPEDA principle 4.1.3, Law 1581 Art. 26)`,
          );
        }
      });
    }
    if (party.purposes.length > 0) {
      party.categories.forEach((categoryId, categoryIndex) => {
        const isUsed = party.purposes.some((purposeId) =>
          purposesById.get(purposeId)?.categories.includes(categoryId),
        );
        if (!isUsed && party.purposes.every((purposeId) => purposesById.has(purposeId))) {
          report(
            'recipient-category-outside-purpose',
            ['third_parties', index, 'categories', categoryIndex],
            `third party "${party.id}" receives "${categoryId}", which none of its purposes uses`,
          );
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------------

/** Why a trigger can never happen in this policy, or undefined when it can. */
function impossibleTriggerReason(
  policy: PolicyDocument,
  trigger: TriggerEvent,
  categoryId: string | undefined,
): string | undefined {
  const hasRecordType = (type: string) =>
    policy.categories.some((category) => category.record_type === type);
  switch (trigger) {
    case 'collected':
      return undefined;
    case 'account-closed':
    case 'last-activity':
      return hasRecordType('account') ? undefined : 'no category has record_type "account"';
    case 'last-enrollment':
    case 'program-ended':
      return hasRecordType('enrollment') ? undefined : 'no category has record_type "enrollment"';
    case 'transaction-date':
      return hasRecordType('payment') ? undefined : 'no category has record_type "payment"';
    case 'application-closed':
      return hasRecordType('application') ? undefined : 'no category has record_type "application"';
    case 'unsubscribed':
      return policy.purposes.some((purpose) => purpose.marketing)
        ? undefined
        : 'no purpose is marketing, so nobody can unsubscribe';
    case 'contract-terminated':
      return hasRecordType('contract') ||
        policy.purposes.some((purpose) =>
          Object.values(purpose.lawful_basis).some((basis) => basis.basis === 'contract'),
        )
        ? undefined
        : 'no purpose is based on a contract and no category has record_type "contract"';
    case 'deletion-requested':
      return policy.rights.available.includes('erasure')
        ? undefined
        : 'the right to erasure is not available';
    case 'consent-withdrawn': {
      const consentPurposes = new Set(policy.consents.flatMap((consent) => consent.purposes));
      const isCovered = policy.purposes.some(
        (purpose) =>
          consentPurposes.has(purpose.id) &&
          (categoryId === undefined || purpose.categories.includes(categoryId)),
      );
      return isCovered ? undefined : 'no consent covers a purpose that uses this data';
    }
  }
}

/** Field types that name a person or a device by themselves: anonymisation cannot keep them. */
const DIRECT_IDENTIFIER_TYPES: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'address',
  'url',
  'identifier',
  'image',
  'file',
  'ip-address',
]);

/** The field types each generalisation applies to. */
const GENERALISABLE: Readonly<Record<string, ReadonlySet<string>>> = {
  year: new Set(['date', 'datetime']),
  month: new Set(['date', 'datetime']),
  network: new Set(['ip-address']),
};

/**
 * Anonymisation as the policy declares it per field: a kept direct identifier would leave the
 * data personal (GDPR Recital 26), a generalisation must fit the field's type, and a rule that
 * anonymises a category all of whose fields are removed is a deletion under another name.
 */
function checkAnonymisation(policy: PolicyDocument, report: Report): void {
  policy.categories.forEach((category, categoryIndex) => {
    category.fields.forEach((field, fieldIndex) => {
      const path = ['categories', categoryIndex, 'fields', fieldIndex, 'anonymise'];
      const treatment = field.anonymise;
      if (treatment === 'keep' && DIRECT_IDENTIFIER_TYPES.has(field.type)) {
        report(
          'anonymise-keeps-identifier',
          path,
          `field "${field.name}" of "${category.id}" is of type ${field.type}, which identifies a person: anonymisation must remove or generalise it`,
        );
      }
      const fits = treatment === undefined ? undefined : GENERALISABLE[treatment];
      if (fits !== undefined && !fits.has(field.type)) {
        report(
          'anonymise-mismatch',
          path,
          `field "${field.name}" of "${category.id}" is of type ${field.type}: "${String(treatment)}" applies only to ${[...fits].join(' or ')} fields`,
        );
      }
    });
  });
  const categoriesById = new Map(policy.categories.map((category) => [category.id, category]));
  policy.retention.rules.forEach((rule, index) => {
    const anonymises =
      rule.action === 'anonymise' ||
      rule.review?.on_no === 'anonymise' ||
      rule.review?.on_no_answer === 'anonymise';
    const category = categoriesById.get(rule.category);
    if (
      anonymises &&
      category !== undefined &&
      category.fields.every((field) => (field.anonymise ?? 'remove') === 'remove')
    ) {
      report(
        'anonymise-keeps-nothing',
        ['retention', 'rules', index, 'action'],
        `retention rule "${rule.id}" anonymises "${rule.category}", but every field of it is removed: say delete, or mark the fields anonymisation keeps (anonymise: keep, year, month or network)`,
      );
    }
  });
}

function checkRetention(policy: PolicyDocument, report: Report): void {
  checkAnonymisation(policy, report);
  const purposesById = new Map(policy.purposes.map((purpose) => [purpose.id, purpose]));
  policy.retention.rules.forEach((rule, index) => {
    const path = ['retention', 'rules', index];
    for (const key of ['trigger', 'fallback_trigger'] as const) {
      const trigger = rule[key];
      if (trigger === undefined) {
        continue;
      }
      const reason = impossibleTriggerReason(policy, trigger, rule.category);
      if (reason !== undefined) {
        report(
          'impossible-trigger',
          [...path, key],
          `retention rule "${rule.id}" counts from "${trigger}", which can never happen: ${reason}`,
        );
      }
    }
    if (rule.action === 'review' && rule.review === undefined) {
      report(
        'review-incomplete',
        [...path, 'action'],
        `retention rule "${rule.id}" ends in a review but has no review section saying whom to ask, how long to wait and what silence means`,
      );
    }
    if (rule.action !== 'review' && rule.review !== undefined) {
      report(
        'review-unexpected',
        [...path, 'review'],
        `retention rule "${rule.id}" has a review section but its action is ${rule.action}`,
      );
    }
    rule.purposes?.forEach((purposeId, purposeIndex) => {
      const purpose = purposesById.get(purposeId);
      if (purpose !== undefined && !purpose.categories.includes(rule.category)) {
        report(
          'retention-purpose-mismatch',
          [...path, 'purposes', purposeIndex],
          `retention rule "${rule.id}" applies to "${rule.category}" for purpose "${purposeId}", which does not use that category`,
        );
      }
    });
  });
  policy.marketing?.stop_on.forEach((trigger, index) => {
    const reason = impossibleTriggerReason(policy, trigger, undefined);
    if (reason !== undefined) {
      report(
        'impossible-trigger',
        ['marketing', 'stop_on', index],
        `marketing stops on "${trigger}", which can never happen: ${reason}`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Rights and breach
// ---------------------------------------------------------------------------------------------

/** Complaints go to the supervisory authority; the organisation's own clock does not bind them. */
const RIGHTS_WITHOUT_CLOCK: ReadonlySet<RightKind> = new Set(['complaint']);

function checkRights(policy: PolicyDocument, report: Report): void {
  const deadlines = policy.rights.deadlines;
  for (const jurisdiction of policy.organisation.jurisdictions) {
    for (const right of policy.rights.available) {
      if (RIGHTS_WITHOUT_CLOCK.has(right)) {
        continue;
      }
      const matching = deadlines
        .map((deadline, index) => ({ deadline, index }))
        .filter(
          ({ deadline }) =>
            deadline.jurisdiction === jurisdiction &&
            (deadline.rights === undefined || deadline.rights.includes(right)),
        );
      if (matching.length === 0) {
        report(
          'missing-rights-deadline',
          ['rights', 'deadlines'],
          `no response deadline covers the right "${right}" under ${jurisdiction}`,
        );
      }
      const specific = matching.filter(({ deadline }) => deadline.rights !== undefined);
      const general = matching.filter(({ deadline }) => deadline.rights === undefined);
      const ambiguous = specific.length > 1 ? specific : general.length > 1 ? general : [];
      const second = ambiguous[1];
      if (second !== undefined) {
        report(
          'ambiguous-rights-deadline',
          ['rights', 'deadlines', second.index],
          `two response deadlines cover the right "${right}" under ${jurisdiction}; a request must have one clock`,
        );
      }
    }
  }
}

function checkBreach(policy: PolicyDocument, report: Report): void {
  const hasGdpr = policy.organisation.jurisdictions.some((jurisdiction) =>
    GDPR_JURISDICTIONS.has(jurisdiction),
  );
  if (!hasGdpr) {
    return;
  }
  const deadline = policy.breach.notify_authority_within;
  if (deadline === undefined) {
    report(
      'breach-deadline-exceeds-law',
      ['breach'],
      'under the GDPR the supervisory authority is notified within 72 hours (Art. 33(1)): set notify_authority_within',
    );
    return;
  }
  // A period in business days is judged by the longest it can last: over a weekend, three
  // business days are more than 72 hours.
  const duration = typeof deadline === 'string' ? parseDuration(deadline) : undefined;
  const days =
    typeof deadline === 'string'
      ? duration === undefined
        ? 0
        : approximateDays(duration)
      : longestCalendarDays(deadline);
  if (days * 24 > GDPR_AUTHORITY_DEADLINE_HOURS) {
    const written = typeof deadline === 'string' ? deadline : `${deadline.amount} ${deadline.unit}`;
    report(
      'breach-deadline-exceeds-law',
      ['breach', 'notify_authority_within'],
      `notify_authority_within ${written} is longer than the 72 hours GDPR Art. 33(1) allows`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Minors, marketing, cookies
// ---------------------------------------------------------------------------------------------

function checkMinorsAndMarketing(policy: PolicyDocument, report: Report): void {
  const minors = policy.minors;
  if (
    minors !== undefined &&
    minors.guardian_may_act_below_age < minors.guardian_consent_below_age
  ) {
    report(
      'minor-ages-inconsistent',
      ['minors', 'guardian_may_act_below_age'],
      `a guardian consents below ${minors.guardian_consent_below_age} but may act only below ${minors.guardian_may_act_below_age}: whoever consents must be able to withdraw`,
    );
  }
  const childrenAllowed = policy.marketing?.children === 'guardian-consent';
  if (childrenAllowed) {
    return;
  }
  const childCategories = new Set(
    policy.categories.filter((category) => category.children).map((category) => category.id),
  );
  policy.purposes.forEach((purpose, index) => {
    if (!purpose.marketing) {
      return;
    }
    purpose.categories.forEach((categoryId, categoryIndex) => {
      if (childCategories.has(categoryId)) {
        report(
          'children-in-marketing',
          ['purposes', index, 'categories', categoryIndex],
          `marketing purpose "${purpose.id}" uses children's data ("${categoryId}"), which the policy forbids for marketing`,
        );
      }
    });
  });
}

function checkCookies(policy: PolicyDocument, report: Report): void {
  // PECR reg. 6 (UK) and ePrivacy Art. 5(3) (EU): only strictly necessary cookies skip consent.
  const needsCookieConsent = policy.organisation.jurisdictions.some((jurisdiction) =>
    GDPR_JURISDICTIONS.has(jurisdiction),
  );
  if (!needsCookieConsent) {
    return;
  }
  policy.cookies.forEach((cookie, index) => {
    if (!cookie.strictly_necessary && !cookie.consent_required) {
      report(
        'cookie-consent-missing',
        ['cookies', index, 'consent_required'],
        `cookie "${cookie.id}" is not strictly necessary, so it needs consent (PECR reg. 6, ePrivacy Art. 5(3))`,
      );
    }
  });
}

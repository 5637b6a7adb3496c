/**
 * The Custodia policy language: the zod schema of one policy file, and the single source of its
 * TypeScript types. `custodia policy schema` prints it as JSON Schema for editors.
 *
 * Naming rule, chosen once: **keys are snake_case, values are kebab-case**.
 * - Keys become property names of the inferred types (`purpose.lawful_basis`), and snake_case keys
 *   are plain identifiers in TypeScript and in most YAML tooling, so they never need quoting.
 * - Ids and enumerated values (`uk-gdpr`, `last-enrollment`, `level-a`) are kebab-case, the form
 *   they take in URLs, CLI arguments and the legal vocabulary the notice prints.
 * Field names inside a category are keys of stored records, so they are snake_case too.
 *
 * Every object is `.strict()`: a misspelt key (`retension:`) is an error, never silently ignored,
 * because an ignored key is a promise that is published but not enforced.
 */
import { z } from 'zod';
import { isDuration } from './duration.js';

// ---------------------------------------------------------------------------------------------
// Shared building blocks
// ---------------------------------------------------------------------------------------------

/** A kebab-case id: lower-case letters and digits in words joined by single hyphens. */
export const Identifier = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, {
    message: 'must be a kebab-case id such as "contact-details"',
  })
  .describe('A kebab-case id, unique within its section.');

/** A snake_case field name: the key under which a category's field is stored. */
export const FieldName = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, {
    message: 'must be a snake_case field name such as "date_of_birth"',
  })
  .describe('A snake_case field name, unique within its category.');

/** Languages the notice templates exist in. A notice may be published in any subset of them. */
export const Language = z
  .enum(['en', 'es', 'fr'])
  .describe('A notice language: en (English), es (Spanish) or fr (French).');
export type Language = z.infer<typeof Language>;

/**
 * Text per language. Some languages may be missing: the checker requires labels in every notice
 * language, while organisation free text may be partial and falls back visibly when rendered.
 */
export const LocalisedText = z
  .partialRecord(Language, z.string().trim().min(1, { message: 'must not be empty' }))
  .describe('Text per notice language, e.g. { en: "Contact details", es: "Datos de contacto" }.');
export type LocalisedText = z.infer<typeof LocalisedText>;

/** An ISO 8601 duration such as P7Y, P12M, P30D or PT72H: whole numbers only. */
export const DurationText = z
  .string()
  .refine(isDuration, {
    message: 'must be an ISO 8601 duration with whole numbers, such as P7Y, P30D or PT72H',
    params: { code: 'bad-duration' },
  })
  .describe('An ISO 8601 duration with whole numbers: P7Y, P12M, P30D, PT72H. P0D means "until".');

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) {
    return false;
  }
  const [year, month, day] = match.slice(1).map(Number);
  if (year === undefined || month === undefined || day === undefined) {
    return false;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date, YYYY-MM-DD. */
export const DateText = z
  .string()
  .refine(isCalendarDate, {
    message: 'must be a calendar date written YYYY-MM-DD',
    params: { code: 'bad-date' },
  })
  .describe('A calendar date, YYYY-MM-DD.');

/**
 * Where data may be: an ISO 3166-1 alpha-2 country code (CA, GB, CO, US), or EU / EEA for the
 * whole European Economic Area.
 */
export const Territory = z
  .string()
  .regex(/^(?:[A-Z]{2}|EEA)$/, {
    message: 'must be an ISO 3166-1 alpha-2 country code such as "CA", or "EU"/"EEA"',
  })
  .describe('ISO 3166-1 alpha-2 country code (CA, GB, CO, US), or EU / EEA.');

/** Data protection regimes Custodia knows the rules and notice text of. */
export const Jurisdiction = z
  .enum(['pipeda', 'uk-gdpr', 'eu-gdpr', 'colombia-1581'])
  .describe(
    'pipeda: Canada; uk-gdpr: UK GDPR and DPA 2018; eu-gdpr: Regulation (EU) 2016/679; ' +
      'colombia-1581: Colombian Law 1581 of 2012 and Decree 1377 of 2013.',
  );
export type Jurisdiction = z.infer<typeof Jurisdiction>;

/** Ways to reach someone. At least one must be given. */
export const Contact = z
  .object({
    email: z.email().optional().describe('An e-mail address.'),
    phone: z.string().min(3).optional().describe('A telephone number, as it should be printed.'),
    postal_address: z
      .string()
      .min(3)
      .optional()
      .describe('A postal address; line breaks are kept when the notice is rendered.'),
    website: z.url().optional().describe('A web address.'),
  })
  .strict()
  .refine((contact) => Object.values(contact).some((value) => value !== undefined), {
    message: 'give at least one of email, phone, postal_address or website',
  });

// ---------------------------------------------------------------------------------------------
// Organisation
// ---------------------------------------------------------------------------------------------

export const SupervisoryAuthority = z
  .object({
    name: z.string().min(2).describe('Official name, e.g. "Information Commissioner\'s Office".'),
    contact: Contact.describe('How a person complains to the authority.'),
  })
  .strict();

export const StorageLocation = z
  .object({
    territory: Territory,
    description: LocalisedText.optional().describe('e.g. "our servers in Toronto".'),
  })
  .strict();

export const Organisation = z
  .object({
    name: z.string().min(1).describe('The name people know the organisation by.'),
    legal_name: z.string().min(1).optional().describe('The registered legal name, if different.'),
    contact: Contact.describe('Where people send privacy questions and requests.'),
    privacy_officer: z
      .object({
        name: z.string().min(1).optional().describe('Left out where only a role is published.'),
        title: LocalisedText.describe('e.g. "Data Protection Officer".'),
        contact: Contact,
      })
      .strict()
      .describe('PIPEDA principle 4.1, GDPR Art. 37–39, Law 1581 Decree 1377 Art. 23.'),
    jurisdictions: z
      .array(Jurisdiction)
      .min(1)
      .describe('Every regime the organisation answers to; each needs a lawful basis per purpose.'),
    storage_locations: z
      .array(StorageLocation)
      .min(1)
      .describe('Where the organisation itself stores data. Recipients elsewhere need safeguards.'),
    policy_version: z.string().min(1).describe('The version people accept, e.g. "2025-03-15".'),
    effective_date: DateText.describe('The date this version takes effect.'),
    valid_until: DateText.optional().describe('Set where the policy itself says it expires.'),
    notice_languages: z
      .array(Language)
      .min(1)
      .describe('Languages the notice is published in; every label must exist in each of them.'),
    default_language: Language.describe('The language a missing translation falls back to.'),
    supervisory_authorities: z
      .partialRecord(Jurisdiction, SupervisoryAuthority)
      .describe('Per jurisdiction, where people may complain (GDPR Art. 13(2)(d)).'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Data subjects and categories
// ---------------------------------------------------------------------------------------------

export const Subject = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    description: LocalisedText.optional(),
    may_be_minor: z
      .boolean()
      .default(false)
      .describe(
        'People of this kind may be children below minors.minimum_account_age, recorded with a ' +
          'linked guardian who consents for them (camp participants, kindergarten children). ' +
          'Otherwise a person found below that age is refused and their data deleted. One of ' +
          'unknown age (no date_of_birth field) is treated as a child.',
      ),
  })
  .strict()
  .describe('A kind of person the organisation holds data about: participant, guardian, staff…');

export const FieldType = z.enum([
  'string',
  'text',
  'email',
  'phone',
  'date',
  'datetime',
  'integer',
  'number',
  'boolean',
  'money',
  'country',
  'address',
  'url',
  'ip-address',
  'identifier',
  'image',
  'file',
  'json',
]);
export type FieldType = z.infer<typeof FieldType>;

/**
 * What anonymising a category does to one field: `remove` it (the default: direct identifiers and
 * free text), `keep` it as it is (answers and measures worth aggregating), or generalise it — a
 * date or instant to its `year` or `month`, an IP address to its `network` (IPv4 /16, IPv6 /32).
 */
export const Anonymisation = z.enum(['remove', 'keep', 'year', 'month', 'network']);
export type Anonymisation = z.infer<typeof Anonymisation>;

export const Field = z
  .object({
    name: FieldName,
    type: FieldType.describe('How the value is validated and stored.'),
    required: z.boolean().default(false).describe('Whether a record is refused without it.'),
    labels: LocalisedText.optional(),
    anonymise: Anonymisation.optional().describe(
      'What an `anonymise` retention rule does to this field (default: remove).',
    ),
  })
  .strict();

/** GDPR Art. 9(1) special categories, and Art. 10 criminal convictions (kept separate by law). */
export const SpecialKind = z
  .enum([
    'racial-or-ethnic-origin',
    'political-opinions',
    'religious-or-philosophical-beliefs',
    'trade-union-membership',
    'genetic',
    'biometric',
    'health',
    'sex-life-or-sexual-orientation',
    'criminal-convictions',
  ])
  .describe('GDPR Art. 9(1) kind, or criminal-convictions (Art. 10).');

/** Where data in a category comes from (GDPR Art. 14(2)(f) requires naming the source). */
export const Source = z.union([
  z
    .enum(['subject', 'guardian', 'staff', 'institution', 'automatic', 'public'])
    .describe(
      'subject: the person; guardian: a parent or guardian; staff: entered by staff; ' +
        'institution: a client institution; automatic: collected by the system; public: public sources.',
    ),
  z.object({ third_party: Identifier.describe('The id of an entry in third_parties.') }).strict(),
]);

/**
 * What the runtime records in a category. Trigger events depend on it: a last-enrollment rule
 * needs an enrollment category, a transaction-date rule a payment category.
 */
export const RecordType = z.enum([
  'account',
  'enrollment',
  'payment',
  'contract',
  'communication',
  'usage',
  'marketing-preferences',
  'application',
  'other',
]);

export const Sensitivity = z
  .enum(['ordinary', 'sensitive', 'special-category'])
  .describe(
    'ordinary; sensitive (financial, identity documents: PIPEDA 4.3.4 sensitivity); ' +
      'special-category (GDPR Art. 9/10, Law 1581 Art. 5 datos sensibles).',
  );

export const Category = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    description: LocalisedText.optional(),
    subjects: z.array(Identifier).min(1).describe('Whose data this is (ids from subjects).'),
    fields: z.array(Field).min(1),
    sensitivity: Sensitivity.default('ordinary'),
    special_kind: SpecialKind.optional().describe('Required when sensitivity is special-category.'),
    children: z
      .boolean()
      .default(false)
      .describe("Holds children's data: needs the minors section, never marketing if forbidden."),
    encrypted_at_rest: z
      .boolean()
      .optional()
      .describe('Default: on for sensitive, special-category and children’s data; off otherwise.'),
    sources: z.array(Source).min(1),
    record_type: RecordType.optional(),
  })
  .strict();
export type Category = z.infer<typeof Category>;

export const CategoryGroup = z
  .object({
    id: Identifier,
    labels: LocalisedText.optional(),
    categories: z.array(Identifier).min(1),
  })
  .strict()
  .describe('A named set of categories, usable in access permissions.');

// ---------------------------------------------------------------------------------------------
// Purposes and consents
// ---------------------------------------------------------------------------------------------

/** The lawful basis of a purpose in one jurisdiction (GDPR Art. 6(1) a–f; PIPEDA 4.3; 1581 Art. 9–10). */
export const LawfulBasis = z.discriminatedUnion('basis', [
  z
    .object({
      basis: z.literal('consent'),
      note: LocalisedText.optional(),
    })
    .strict(),
  z.object({ basis: z.literal('contract'), note: LocalisedText.optional() }).strict(),
  z
    .object({
      basis: z.literal('legal-obligation'),
      law: LocalisedText.describe('The law that obliges, e.g. "Income Tax Act s. 230".'),
    })
    .strict(),
  z
    .object({
      basis: z.literal('legitimate-interest'),
      interest: LocalisedText.describe('The interest pursued.'),
      balancing: LocalisedText.describe('Why it is not overridden by the person’s interests.'),
      right_to_object: z
        .boolean()
        .default(true)
        .describe('GDPR Art. 21(1): the person may always object; false is an error under GDPR.'),
    })
    .strict(),
  z.object({ basis: z.literal('vital-interests'), note: LocalisedText.optional() }).strict(),
  z.object({ basis: z.literal('public-task'), note: LocalisedText.optional() }).strict(),
]);
export type LawfulBasis = z.infer<typeof LawfulBasis>;

/** GDPR Art. 9(2) a–j, and Art. 10 for criminal convictions. */
export const SpecialCategoryCondition = z
  .object({
    condition: z.enum([
      'explicit-consent',
      'employment-social-security',
      'vital-interests',
      'not-for-profit-body',
      'made-public',
      'legal-claims',
      'substantial-public-interest',
      'health-or-social-care',
      'public-health',
      'archiving-research-statistics',
      'authorised-by-law',
    ]),
    note: LocalisedText.optional().describe('e.g. the DPA 2018 Schedule 1 condition relied on.'),
  })
  .strict();

export const Purpose = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    description: LocalisedText.optional(),
    categories: z.array(Identifier).min(1).describe('Categories this purpose uses.'),
    lawful_basis: z
      .partialRecord(Jurisdiction, LawfulBasis)
      .describe(
        'One basis per declared jurisdiction: the basis is fixed before processing starts.',
      ),
    special_category_condition: z
      .partialRecord(Jurisdiction, SpecialCategoryCondition)
      .optional()
      .describe('Required under GDPR when a used category is special-category.'),
    marketing: z.boolean().default(false).describe('Direct marketing: honours opt-outs at once.'),
    requires_consent: z
      .boolean()
      .default(false)
      .describe('Consent needed even where the lawful basis is not consent (e.g. photo sharing).'),
    protected: z
      .boolean()
      .default(false)
      .describe('Wins over an erasure request (e.g. a legal obligation), like Moodle’s flag.'),
  })
  .strict();
export type Purpose = z.infer<typeof Purpose>;

export const ConsentGiver = z
  .enum(['subject', 'guardian', 'institution-attestation', 'staff-paper-form'])
  .describe(
    'subject: the person; guardian: on behalf of a minor; institution-attestation: a client ' +
      'institution attests it holds parental consent; staff-paper-form: staff enter a signed form.',
  );

export const WithdrawalMethod = z.enum([
  'self-service',
  'unsubscribe-link',
  'email',
  'phone',
  'postal',
  'web-form',
  'staff-on-request',
]);

export const MarketingChannel = z.enum(['email', 'sms', 'phone', 'post', 'social-media', 'in-app']);

export const Consent = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    description: LocalisedText.optional(),
    purposes: z.array(Identifier).min(1).describe('Purposes this consent covers.'),
    form: z
      .enum(['express', 'explicit', 'implied'])
      .default('express')
      .describe('explicit is required for GDPR Art. 9(2)(a); implied only where PIPEDA allows.'),
    given_by: z.array(ConsentGiver).min(1),
    withdrawal: z
      .array(WithdrawalMethod)
      .describe('GDPR Art. 7(3): withdrawing must be as easy as giving. At least one method.'),
    channels: z.array(MarketingChannel).optional().describe('For marketing: per-channel opt-in.'),
    separate: z
      .boolean()
      .default(false)
      .describe('Asked on its own, never bundled with other terms (e.g. photo sharing).'),
    paper_form_reference: z
      .string()
      .optional()
      .describe('The reference of the paper form staff record, e.g. KCTGMPDATAFORM22.'),
  })
  .strict();
export type Consent = z.infer<typeof Consent>;

// ---------------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------------

/** Events that start a retention period. The runtime records each as it happens. */
export const TriggerEvent = z
  .enum([
    'collected',
    'account-closed',
    'deletion-requested',
    'last-enrollment',
    'program-ended',
    'unsubscribed',
    'contract-terminated',
    'transaction-date',
    'last-activity',
    'consent-withdrawn',
    'application-closed',
  ])
  .describe('The event a retention period counts from.');
export type TriggerEvent = z.infer<typeof TriggerEvent>;

export const EndAction = z.enum(['delete', 'anonymise']);

export const RetentionRule = z
  .object({
    id: Identifier,
    category: Identifier,
    purposes: z
      .array(Identifier)
      .optional()
      .describe('Limit the rule to data held for these purposes; all purposes when left out.'),
    period: DurationText.describe('How long after the trigger; P0D means "until the trigger".'),
    trigger: TriggerEvent,
    fallback_trigger: TriggerEvent.optional().describe(
      'Counted from when the trigger never happened for a person (e.g. never enrolled).',
    ),
    action: z.enum(['delete', 'anonymise', 'review']),
    review: z
      .object({
        ask: z.enum(['subject', 'staff']).default('subject'),
        answer_within: DurationText,
        on_keep: z
          .object({ extend_by: DurationText })
          .strict()
          .describe('What a "keep" answer buys: the rule runs again after this period.'),
        on_no: EndAction,
        on_no_answer: z.enum(['delete', 'anonymise', 'keep']),
      })
      .strict()
      .optional()
      .describe('Required when action is review: whom to ask and what silence means.'),
    reason: LocalisedText.describe('Why this long: printed in the notice.'),
  })
  .strict();
export type RetentionRule = z.infer<typeof RetentionRule>;

export const Retention = z
  .object({
    rules: z.array(RetentionRule).min(1),
    legal_holds: z
      .object({
        placed_by: z.array(Identifier).min(1).describe('Roles that may place a hold.'),
        reasons: z
          .array(z.object({ id: Identifier, labels: LocalisedText }).strict())
          .min(1)
          .describe('Accepted reasons: litigation, investigation…'),
        max_period: DurationText.optional().describe('A hold expires unless renewed.'),
      })
      .strict()
      .optional()
      .describe('A hold suspends every retention action on the data it covers.'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------

/** Actions on personal data, per category. */
export const DataAction = z.enum([
  'read',
  'write',
  'delete',
  'export',
  'bulk-export',
  'approve-export',
]);
export type DataAction = z.infer<typeof DataAction>;

/** Actions on the system, not tied to a category. */
export const SystemAction = z.enum([
  'manage-users',
  'manage-roles',
  'manage-policy',
  'manage-keys',
  'restore-backup',
  'access-backups',
  'physical-server-access',
  'view-audit-log',
  'manage-retention',
  'place-legal-hold',
  'handle-rights-requests',
  'send-marketing',
  'declare-breach',
  'manage-program-scripts',
]);
export type SystemAction = z.infer<typeof SystemAction>;

export const DataPermission = z
  .object({
    categories: z
      .array(z.union([Identifier, z.literal('*')]))
      .min(1)
      .describe('Category or category-group ids; "*" for every category.'),
    actions: z.array(DataAction).min(1),
    purposes: z
      .array(Identifier)
      .optional()
      .describe('Only for these purposes; any purpose of the category when left out.'),
  })
  .strict();

export const Role = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    description: LocalisedText.optional(),
    holders: z.array(z.string().min(1)).optional().describe('Positions that hold this role.'),
    inherits: z
      .array(Identifier)
      .default([])
      .describe('Roles whose every permission this role also has (A inherits B: A ⊃ B).'),
    mfa_required: z.boolean().describe('Whether members must use a second factor (ASVS 4.3.1).'),
    data: z.array(DataPermission).default([]),
    system: z.array(SystemAction).default([]),
  })
  .strict();
export type Role = z.infer<typeof Role>;

export const Access = z.object({ roles: z.array(Role).min(1) }).strict();

// ---------------------------------------------------------------------------------------------
// Third parties: processors, recipients and named sources
// ---------------------------------------------------------------------------------------------

export const Safeguard = z
  .enum([
    'dpa',
    'scc',
    'uk-idta',
    'uk-addendum',
    'adequacy',
    'bcr',
    'contractual-protections',
    'consent-to-transfer',
  ])
  .describe(
    'dpa: Art. 28 contract; scc: EU Standard Contractual Clauses; uk-idta / uk-addendum: UK ' +
      'transfer tools; adequacy: an adequacy decision; bcr: binding corporate rules.',
  );

export const ThirdParty = z
  .object({
    id: Identifier,
    name: z.string().min(1),
    relationship: z.enum([
      'processor',
      'controller',
      'joint-controller',
      'public-authority',
      'source-only',
    ]),
    service: LocalisedText.describe('What they do for us, for the notice.'),
    locations: z.array(Territory).min(1).describe('Where they hold or access the data.'),
    categories: z.array(Identifier).default([]).describe('Categories they receive.'),
    purposes: z.array(Identifier).default([]).describe('Purposes they receive them for.'),
    safeguards: z.array(Safeguard).default([]),
    privacy_notice_url: z.url().optional(),
    privacy_contact: z
      .email()
      .optional()
      .describe(
        'Where rectification and erasure notices go (GDPR Art. 19; PIPEDA 4.9.5); without one, staff are told to notify them another way.',
      ),
  })
  .strict();
export type ThirdParty = z.infer<typeof ThirdParty>;

// ---------------------------------------------------------------------------------------------
// Rights
// ---------------------------------------------------------------------------------------------

export const RightKind = z.enum([
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'withdraw-consent',
  'complaint',
  'automated-decision-review',
]);
export type RightKind = z.infer<typeof RightKind>;

/** A period on a legal calendar; see {@link LegalPeriod} in duration.ts. */
export const Period = z
  .object({
    amount: z.number().int().positive(),
    unit: z.enum(['calendar-days', 'business-days', 'calendar-months']),
  })
  .strict()
  .describe('A legal period: business days skip weekends and public holidays.');

export const RightsDeadline = z
  .object({
    jurisdiction: Jurisdiction,
    request_kind: z
      .enum(['any', 'consultation', 'claim'])
      .default('any')
      .describe('Law 1581 Art. 14 consultations and Art. 15 claims run on different clocks.'),
    rights: z.array(RightKind).optional().describe('Rights this clock applies to; all if omitted.'),
    respond_within: Period,
    extension: z
      .object({
        amount: z.number().int().positive(),
        unit: z.enum(['calendar-days', 'business-days', 'calendar-months']),
        reason_required: z.boolean().default(true),
        notify_person: z
          .boolean()
          .default(true)
          .describe('The person is told before the clock ends.'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const Rights = z
  .object({
    available: z.array(RightKind).min(1),
    deadlines: z.array(RightsDeadline).min(1),
    channels: z.array(z.enum(['self-service', 'email', 'web-form', 'postal', 'phone'])).min(1),
    identity_verification: z
      .object({
        methods: z.array(z.enum(['authenticated-session', 'email-code', 'document-check'])).min(1),
      })
      .strict(),
    may_act_for_others: z
      .array(z.enum(['guardian-of-minor', 'authorised-agent', 'staff-on-behalf', 'institution']))
      .default([]),
    fee: z.enum(['none', 'reasonable-cost-if-excessive']).default('none'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Breach
// ---------------------------------------------------------------------------------------------

export const LockdownAction = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('suspend-roles'),
      roles: z.array(Identifier).min(1),
      for: DurationText,
    })
    .strict(),
  z
    .object({
      action: z.literal('take-offline'),
      systems: LocalisedText,
      for: DurationText,
    })
    .strict(),
  z.object({ action: z.literal('revoke-sessions'), roles: z.array(Identifier).min(1) }).strict(),
  z.object({ action: z.literal('freeze-exports'), for: DurationText }).strict(),
]);

/**
 * A breach notification clock: an exact ISO 8601 duration (GDPR Art. 33(1): PT72H), or a legal
 * period for laws that count in business days (the SIC's 15 business days under Law 1581).
 */
export const BreachDeadline = z
  .union([DurationText, Period])
  .describe('An ISO 8601 duration such as PT72H, or { amount, unit } such as 15 business-days.');
export type BreachDeadline = z.infer<typeof BreachDeadline>;

export const Breach = z
  .object({
    notify_authority_within: BreachDeadline.optional().describe('GDPR Art. 33(1): PT72H.'),
    notify_people_within: BreachDeadline.optional(),
    notify_people_when: z
      .enum(['always', 'risk-of-harm', 'high-risk'])
      .default('always')
      .describe('PIPEDA: real risk of significant harm; GDPR Art. 34: high risk.'),
    notice_contents: z
      .array(z.enum(['what-happened', 'data-involved', 'remedial-steps', 'precautions', 'contact']))
      .default([]),
    lockdown: z.array(LockdownAction).default([]),
    investigation: z
      .object({
        lead_role: Identifier.optional(),
        lead_title: LocalisedText.optional(),
        report_required: z.boolean(),
        action_plan_required: z.boolean().default(false),
      })
      .strict()
      .optional(),
    accountability: LocalisedText.optional().describe('Who is held responsible meanwhile.'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Minors, marketing, cookies, changes, security, texts
// ---------------------------------------------------------------------------------------------

export const Minors = z
  .object({
    minimum_account_age: z.number().int().min(0).max(21),
    guardian_consent_below_age: z
      .number()
      .int()
      .min(0)
      .max(21)
      .describe('Below this age a guardian consents on the child’s behalf (GDPR Art. 8).'),
    guardian_may_act_below_age: z
      .number()
      .int()
      .min(0)
      .max(21)
      .describe('Below this age a guardian may exercise the child’s rights.'),
    guardian_may: z
      .array(
        z.enum([
          'review',
          'modify',
          'delete',
          'consent',
          'withdraw-consent',
          'manage-media-sharing',
          'exercise-rights',
        ]),
      )
      .min(1),
    on_underage_data_found: z
      .object({ action: EndAction, within: DurationText })
      .strict()
      .describe('What happens to data of a child under the minimum age, found by chance.'),
    ask_again_at_age_of_consent: z
      .boolean()
      .default(true)
      .describe('A guardian’s consent is asked of the person when they come of age.'),
  })
  .strict();

export const Marketing = z
  .object({
    opt_in_required: z.boolean(),
    channels: z
      .array(MarketingChannel)
      .default([])
      .describe('Channels marketing may use; empty when the organisation does no marketing.'),
    audience: z
      .object({
        consent: Identifier.optional().describe('The consent a person must have given.'),
        last_enrollment_within: DurationText.optional(),
      })
      .strict()
      .optional(),
    stop_on: z.array(TriggerEvent).default([]).describe('Events that end marketing at once.'),
    unsubscribe_scopes: z.array(z.enum(['person', 'family'])).default(['person']),
    bulk_export: z
      .object({ supervisor_roles: z.array(Identifier).min(1) })
      .strict()
      .optional()
      .describe('Marketing list exports need one of these roles to approve.'),
    honour_gpc: z.boolean().default(false).describe('Treat Sec-GPC: 1 as an opt-out.'),
    children: z.enum(['forbidden', 'guardian-consent']).default('forbidden'),
    sells_personal_data: z.boolean().default(false),
  })
  .strict();

export const Cookie = z
  .object({
    id: Identifier,
    labels: LocalisedText,
    purpose: LocalisedText,
    strictly_necessary: z
      .boolean()
      .default(false)
      .describe('Only strictly necessary cookies are exempt from consent (ePrivacy Art. 5(3)).'),
    consent_required: z.boolean(),
    lifetime: z.union([z.literal('session'), DurationText]),
    third_party: Identifier.optional(),
  })
  .strict();

export const ChangeKind = z.enum([
  'new-purpose',
  'new-category',
  'new-special-category',
  'changed-lawful-basis',
  'longer-retention',
  'new-recipient',
  'new-transfer',
  'reduced-rights',
]);

export const Changes = z
  .object({
    notice_lead_time: DurationText.describe('How long before a significant change takes effect.'),
    channels: z.array(z.enum(['email', 'website-notice', 'in-app'])).min(1),
    reacceptance_required_for: z.array(ChangeKind).default([]),
    terms_acceptance_required_to_enroll: z.boolean().default(false),
    continued_use_means_acceptance: z.boolean().default(false),
  })
  .strict();

export const Security = z
  .object({
    encryption_in_transit: z.boolean(),
    encryption_at_rest: z.boolean(),
    mfa_for_staff: z.boolean(),
    access_logging: z.boolean(),
    tenant_isolation: z.boolean().default(false),
    measures: z.array(LocalisedText).default([]).describe('Further measures, for the notice.'),
  })
  .strict();

/** Notice sections organisation-specific text may be attached to. */
export const NoticeSection = z.enum([
  'introduction',
  'collection',
  'purposes',
  'sharing',
  'transfers',
  'retention',
  'rights',
  'security',
  'breach',
  'children',
  'marketing',
  'cookies',
  'changes',
  'contact',
]);
export type NoticeSection = z.infer<typeof NoticeSection>;

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

export const PolicyDocument = z
  .object({
    custodia_policy: z.literal(1).describe('The version of the policy language.'),
    organisation: Organisation,
    subjects: z.array(Subject).min(1),
    categories: z.array(Category).min(1),
    category_groups: z.array(CategoryGroup).default([]),
    purposes: z.array(Purpose).min(1),
    consents: z.array(Consent).default([]),
    retention: Retention,
    access: Access,
    third_parties: z.array(ThirdParty).default([]),
    rights: Rights,
    breach: Breach,
    minors: Minors.optional(),
    marketing: Marketing.optional(),
    cookies: z.array(Cookie).default([]),
    changes: Changes,
    security: Security,
    texts: z
      .partialRecord(NoticeSection, LocalisedText)
      .default({})
      .describe('Organisation-specific text per notice section, in some or all languages.'),
  })
  .strict()
  .describe('A Custodia privacy policy: enforced at run time and rendered as the notice.');

/** A policy file as written (before defaults). */
export type PolicyDocumentInput = z.input<typeof PolicyDocument>;
/** A validated policy document, defaults applied. */
export type PolicyDocument = z.output<typeof PolicyDocument>;

/** The JSON Schema of a policy file, for editors (`custodia policy schema`). */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicyDocument, { io: 'input', unrepresentable: 'any' });
}

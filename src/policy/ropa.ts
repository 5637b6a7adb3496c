/**
 * The GDPR Article 30(1) record of processing activities, from a compiled policy: one activity
 * per purpose, with the controller and its contact, the privacy officer, the lawful basis per
 * jurisdiction, the Art. 9 condition, the kinds of people and of data, recipients, transfers to
 * third countries and their safeguards, retention (in words and ISO 8601) and security measures.
 *
 * The JSON shape is the zod schema below, versioned, so auditors' tools and later issues can rely
 * on it. Text is in one language (the policy's default unless asked otherwise), falling back like
 * the notice does, with the language each value is in kept out of the record: the record is for
 * a regulator, not a lay reader, so ids travel beside every label.
 */
import { z } from 'zod';
import type { CompiledPolicy } from './compile.js';
import { MESSAGES } from './render/render-notice.js';
import { buildNoticeModel, type NoticeRetentionRule } from './render/notice-model.js';
import { describeRetentionRule } from './render/retention-words.js';
import { territoryName } from './render/words.js';
import { Jurisdiction, Language, type LocalisedText } from './schema.js';

const Nullable = z.string().nullable();

export const RopaContact = z
  .object({
    email: Nullable,
    phone: Nullable,
    postal_address: Nullable,
    website: Nullable,
  })
  .strict();

export const RopaActivity = z
  .object({
    /** The purpose id: stable across versions, the key a diff or a regulator refers to. */
    activity_id: z.string(),
    purpose: z.string(),
    description: Nullable,
    controller: z.object({ name: z.string(), legal_name: Nullable, contact: RopaContact }).strict(),
    privacy_officer: z.object({ title: z.string(), name: Nullable, contact: RopaContact }).strict(),
    lawful_basis: z.array(
      z
        .object({
          jurisdiction: Jurisdiction,
          basis: z.string().describe('consent, contract, legal-obligation, legitimate-interest…'),
          /** The law relied on, the interest pursued, or a note; null when none is given. */
          detail: Nullable,
        })
        .strict(),
    ),
    special_category_conditions: z.array(
      z.object({ jurisdiction: Jurisdiction, condition: z.string(), note: Nullable }).strict(),
    ),
    data_subjects: z.array(z.object({ id: z.string(), label: z.string() }).strict()),
    data_categories: z.array(
      z
        .object({
          id: z.string(),
          label: z.string(),
          sensitivity: z.enum(['ordinary', 'sensitive', 'special-category']),
          special_kind: Nullable,
          children: z.boolean(),
          encrypted_at_rest: z.boolean(),
        })
        .strict(),
    ),
    recipients: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          relationship: z.string(),
          locations: z.array(z.string()),
          safeguards: z.array(z.string()),
        })
        .strict(),
    ),
    /** Recipients holding data outside the controller's storage locations and laws' territories. */
    third_country_transfers: z.array(
      z
        .object({
          recipient_id: z.string(),
          recipient: z.string(),
          countries: z.array(z.string()),
          safeguards: z.array(z.string()),
        })
        .strict(),
    ),
    retention: z.array(
      z
        .object({
          rule_id: z.string(),
          category_id: z.string(),
          /** ISO 8601, as written in the policy. */
          period: z.string(),
          trigger: z.string(),
          fallback_trigger: Nullable,
          action: z.enum(['delete', 'anonymise', 'review']),
          in_words: z.string(),
        })
        .strict(),
    ),
    security_measures: z.array(z.string()),
    marketing: z.boolean(),
    consent_required: z.boolean(),
    protected_from_erasure: z.boolean(),
  })
  .strict();
export type RopaActivity = z.infer<typeof RopaActivity>;

export const Ropa = z
  .object({
    format: z.literal('custodia-ropa'),
    format_version: z.literal(1),
    organisation: z.string(),
    policy_version: z.string(),
    effective_date: z.string(),
    language: Language,
    activities: z.array(RopaActivity),
  })
  .strict()
  .describe('GDPR Art. 30(1) record of processing activities, one activity per purpose.');
export type Ropa = z.infer<typeof Ropa>;

export interface BuildRopaOptions {
  /** Language of labels and words; the policy's default language when left out. */
  readonly language?: Language;
}

function contactOf(contact: {
  email?: string | undefined;
  phone?: string | undefined;
  postal_address?: string | undefined;
  website?: string | undefined;
}): z.infer<typeof RopaContact> {
  return {
    email: contact.email ?? null,
    phone: contact.phone ?? null,
    postal_address: contact.postal_address ?? null,
    website: contact.website ?? null,
  };
}

/** Builds the record of processing activities. Pure and deterministic. */
export function buildRopa(policy: CompiledPolicy, options: BuildRopaOptions = {}): Ropa {
  const document = policy.document;
  const organisation = document.organisation;
  const language = options.language ?? organisation.default_language;
  const messages = MESSAGES[language];
  const order: readonly Language[] = [language, organisation.default_language, 'en', 'es', 'fr'];
  const text = (localised: LocalisedText | undefined): string | null => {
    for (const candidate of order) {
      const value = localised?.[candidate];
      if (value !== undefined) {
        return value;
      }
    }
    return null;
  };
  const label = (localised: LocalisedText, id: string): string => text(localised) ?? id;

  const model = buildNoticeModel(policy);
  const rulesById = new Map<string, NoticeRetentionRule>(
    model.retention.map((rule) => [rule.id, rule]),
  );
  const transferLocations = new Map(
    model.recipients.map((recipient) => [recipient.id, recipient.transferLocations]),
  );
  const subjects = new Map(document.subjects.map((subject) => [subject.id, subject]));

  const security = document.security;
  const securityMeasures = [
    ...(security.encryption_in_transit ? [messages.encryptionInTransit] : []),
    ...(security.encryption_at_rest ? [messages.encryptionAtRest] : []),
    ...(security.mfa_for_staff ? [messages.mfaForStaff] : []),
    ...(security.access_logging ? [messages.accessLogging] : []),
    ...(security.tenant_isolation ? [messages.tenantIsolation] : []),
    ...security.measures.flatMap((measure) => text(measure) ?? []),
  ];

  const controller = {
    name: organisation.name,
    legal_name: organisation.legal_name ?? null,
    contact: contactOf(organisation.contact),
  };
  const officer = organisation.privacy_officer;
  const privacyOfficer = {
    title: label(officer.title, 'privacy-officer'),
    name: officer.name ?? null,
    contact: contactOf(officer.contact),
  };

  const activities = document.purposes.map((purpose): RopaActivity => {
    const categoryIds = new Set(purpose.categories);
    const categories = purpose.categories.flatMap((id) => {
      const compiled = policy.categories.get(id);
      return compiled === undefined ? [] : [compiled];
    });
    const subjectIds = [...new Set(categories.flatMap((category) => category.definition.subjects))];
    // A recipient takes part in this activity when it serves the purpose, or serves no purpose
    // in particular and receives a category the purpose uses.
    const recipients = document.third_parties.filter(
      (party) =>
        party.relationship !== 'source-only' &&
        (party.purposes.length > 0
          ? party.purposes.includes(purpose.id)
          : party.categories.some((id) => categoryIds.has(id))),
    );
    const rules = document.retention.rules.filter(
      (rule) =>
        categoryIds.has(rule.category) &&
        (rule.purposes === undefined || rule.purposes.includes(purpose.id)),
    );
    return {
      activity_id: purpose.id,
      purpose: label(purpose.labels, purpose.id),
      description: text(purpose.description),
      controller,
      privacy_officer: privacyOfficer,
      lawful_basis: organisation.jurisdictions.flatMap((jurisdiction) => {
        const basis = purpose.lawful_basis[jurisdiction];
        if (basis === undefined) {
          return [];
        }
        const detail =
          basis.basis === 'legal-obligation'
            ? text(basis.law)
            : basis.basis === 'legitimate-interest'
              ? [text(basis.interest), text(basis.balancing)]
                  .filter((part) => part !== null)
                  .join(' — ')
              : text(basis.note);
        return [{ jurisdiction, basis: basis.basis, detail }];
      }),
      special_category_conditions: organisation.jurisdictions.flatMap((jurisdiction) => {
        const condition = purpose.special_category_condition?.[jurisdiction];
        return condition === undefined
          ? []
          : [{ jurisdiction, condition: condition.condition, note: text(condition.note) }];
      }),
      data_subjects: subjectIds.map((id) => {
        const subject = subjects.get(id);
        return { id, label: subject === undefined ? id : label(subject.labels, id) };
      }),
      data_categories: categories.map((category) => ({
        id: category.id,
        label: label(category.definition.labels, category.id),
        sensitivity: category.definition.sensitivity,
        special_kind: category.definition.special_kind ?? null,
        children: category.definition.children,
        encrypted_at_rest: category.isEncrypted,
      })),
      recipients: recipients.map((party) => ({
        id: party.id,
        name: party.name,
        relationship: party.relationship,
        locations: party.locations,
        safeguards: party.safeguards,
      })),
      third_country_transfers: recipients.flatMap((party) => {
        const countries = transferLocations.get(party.id) ?? [];
        return countries.length === 0
          ? []
          : [
              {
                recipient_id: party.id,
                recipient: party.name,
                countries: [...countries],
                safeguards: party.safeguards,
              },
            ];
      }),
      retention: rules.map((rule) => {
        const noticeRule = rulesById.get(rule.id);
        return {
          rule_id: rule.id,
          category_id: rule.category,
          period: rule.period,
          trigger: rule.trigger,
          fallback_trigger: rule.fallback_trigger ?? null,
          action: rule.action,
          in_words:
            noticeRule === undefined ? rule.period : describeRetentionRule(noticeRule, messages),
        };
      }),
      security_measures: securityMeasures,
      marketing: purpose.marketing,
      consent_required: policy.purposes.get(purpose.id)?.requiresConsent ?? false,
      protected_from_erasure: purpose.protected,
    };
  });

  return {
    format: 'custodia-ropa',
    format_version: 1,
    organisation: organisation.name,
    policy_version: organisation.policy_version,
    effective_date: organisation.effective_date,
    language,
    activities,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)
// ---------------------------------------------------------------------------------------------

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled.
 * A cell that a spreadsheet would read as a formula gets a leading apostrophe first, so opening
 * the record in a spreadsheet never runs policy text as a formula.
 */
export function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Columns of the CSV record, in order. */
export const ROPA_CSV_COLUMNS = [
  'activity_id',
  'purpose',
  'controller',
  'controller_contact',
  'privacy_officer',
  'privacy_officer_contact',
  'lawful_basis',
  'special_category_condition',
  'data_subjects',
  'data_categories',
  'special_categories',
  'recipients',
  'third_country_transfers',
  'retention',
  'retention_iso',
  'security_measures',
] as const;

function contactText(contact: z.infer<typeof RopaContact>): string {
  return [
    contact.email,
    contact.phone,
    contact.postal_address?.replace(/\s*\n\s*/g, ', '),
    contact.website,
  ]
    .filter((part): part is string => part !== null && part !== undefined)
    .join('; ');
}

/** The record as CSV: a header row, then one row per activity, CRLF line ends (RFC 4180). */
export function ropaToCsv(ropa: Ropa): string {
  const messages = MESSAGES[ropa.language];
  const places = (codes: readonly string[]): string =>
    codes.map((code) => territoryName(code, messages)).join(', ');
  const rows = ropa.activities.map(
    (activity): Record<(typeof ROPA_CSV_COLUMNS)[number], string> => ({
      activity_id: activity.activity_id,
      purpose: activity.purpose,
      controller: [activity.controller.name, activity.controller.legal_name]
        .filter((part) => part !== null)
        .join(' / '),
      controller_contact: contactText(activity.controller.contact),
      privacy_officer: [activity.privacy_officer.title, activity.privacy_officer.name]
        .filter((part) => part !== null)
        .join(' / '),
      privacy_officer_contact: contactText(activity.privacy_officer.contact),
      lawful_basis: activity.lawful_basis
        .map(
          (entry) =>
            `${entry.jurisdiction}: ${entry.basis}${entry.detail === null ? '' : ` (${entry.detail})`}`,
        )
        .join('; '),
      special_category_condition: activity.special_category_conditions
        .map(
          (entry) =>
            `${entry.jurisdiction}: ${entry.condition}${entry.note === null ? '' : ` (${entry.note})`}`,
        )
        .join('; '),
      data_subjects: activity.data_subjects.map((subject) => subject.label).join('; '),
      data_categories: activity.data_categories.map((category) => category.label).join('; '),
      special_categories: activity.data_categories
        .filter((category) => category.sensitivity !== 'ordinary')
        .map((category) => `${category.label} (${category.special_kind ?? category.sensitivity})`)
        .join('; '),
      recipients: activity.recipients
        .map(
          (recipient) =>
            `${recipient.name} (${recipient.relationship}; ${places(recipient.locations)})`,
        )
        .join('; '),
      third_country_transfers: activity.third_country_transfers
        .map(
          (transfer) =>
            `${transfer.recipient}: ${places(transfer.countries)} (${transfer.safeguards.join(', ') || 'no safeguard'})`,
        )
        .join('; '),
      retention: activity.retention
        .map((rule) => `${rule.category_id}: ${rule.in_words}`)
        .join(' | '),
      retention_iso: activity.retention
        .map(
          (rule) =>
            `${rule.category_id}: ${rule.period} after ${rule.trigger}${rule.fallback_trigger === null ? '' : ` (else ${rule.fallback_trigger})`}, ${rule.action}`,
        )
        .join('; '),
      security_measures: activity.security_measures.join('; '),
    }),
  );
  const lines = [
    ROPA_CSV_COLUMNS.map(csvField).join(','),
    ...rows.map((row) => ROPA_CSV_COLUMNS.map((column) => csvField(row[column])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkPolicySource } from '../../src/policy/check.js';
import { formatProblem } from '../../src/policy/problem.js';
import { escapeHtml } from '../../src/policy/render/html.js';
import { escapeMarkdown } from '../../src/policy/render/markdown.js';
import {
  NOTICE_FORMATS,
  NOTICE_LANGUAGES,
  renderNotice,
} from '../../src/policy/render/render-notice.js';
import { buildRopa, ropaToCsv } from '../../src/policy/ropa.js';
import type { Jurisdiction, Language, PolicyDocumentInput } from '../../src/policy/schema.js';

type Localised = Partial<Record<Language, string>>;

const JURISDICTIONS: readonly Jurisdiction[] = ['pipeda', 'uk-gdpr', 'eu-gdpr', 'colombia-1581'];
const HOME: Record<Jurisdiction, string> = {
  pipeda: 'CA',
  'uk-gdpr': 'GB',
  'eu-gdpr': 'EU',
  'colombia-1581': 'CO',
};

/** Policy text: letters, accents and the characters Markdown and HTML treat as markup. */
const text = fc
  .oneof(
    fc.stringMatching(/^[A-Za-zÀ-ÿ0-9<>&"'{}[\]|*_#`~!()., -]{1,24}$/),
    fc.constantFrom('<script>alert(1)</script>', 'Données & «santé»', 'a | b', '**x**'),
  )
  .map((value) => value.trim())
  .filter(
    (value) =>
      value.length > 0 &&
      !value.includes('{{') &&
      !value.includes('}}') &&
      !value.includes('undefined') &&
      !value.includes('NaN'),
  );

/** Text in every given language (labels: the checker requires all notice languages). */
function localised(languages: readonly Language[]): fc.Arbitrary<Localised> {
  return fc.tuple(...languages.map(() => text)).map((values) => {
    const result: Localised = {};
    languages.forEach((language, index) => {
      const value = values[index];
      if (value !== undefined) {
        result[language] = value;
      }
    });
    return result;
  });
}

/** Free text in some languages only, so rendering must fall back. */
const partialText = fc
  .tuple(
    fc.subarray([...NOTICE_LANGUAGES], { minLength: 1 }),
    fc.array(text, { minLength: 3, maxLength: 3 }),
  )
  .map(([languages, values]) => {
    const result: Localised = {};
    languages.forEach((language, index) => {
      const value = values[index];
      if (value !== undefined) {
        result[language] = value;
      }
    });
    return result;
  });

const period = fc.constantFrom('P0D', 'P30D', 'P6M', 'P12M', 'P1Y', 'P2Y6M', 'P10Y', 'PT72H');

const policyArbitrary: fc.Arbitrary<PolicyDocumentInput> = fc
  .record({
    languages: fc.subarray([...NOTICE_LANGUAGES], { minLength: 1 }),
    jurisdictions: fc.subarray([...JURISDICTIONS], { minLength: 1 }),
    categoryCount: fc.integer({ min: 1, max: 4 }),
    hasMarketing: fc.boolean(),
    partyCount: fc.integer({ min: 0, max: 2 }),
    cookieCount: fc.integer({ min: 0, max: 2 }),
    seed: fc.array(fc.nat(100), { minLength: 40, maxLength: 40 }),
  })
  .chain((shape) => {
    const { languages } = shape;
    const label = localised(languages);
    const pick = <T>(items: readonly T[], index: number): T => {
      const item = items[(shape.seed[index % shape.seed.length] ?? 0) % items.length];
      if (item === undefined) {
        throw new Error('empty pool');
      }
      return item;
    };
    const hasGdpr = shape.jurisdictions.some((j) => j === 'uk-gdpr' || j === 'eu-gdpr');
    return fc
      .record({
        organisationName: text,
        officerTitle: label,
        subjectLabel: label,
        categoryLabels: fc.array(label, {
          minLength: shape.categoryCount,
          maxLength: shape.categoryCount,
        }),
        purposeLabels: fc.array(label, {
          minLength: shape.categoryCount,
          maxLength: shape.categoryCount,
        }),
        reasons: fc.array(label, {
          minLength: shape.categoryCount,
          maxLength: shape.categoryCount,
        }),
        notes: fc.array(label, { minLength: 4, maxLength: 4 }),
        periods: fc.array(period, {
          minLength: shape.categoryCount,
          maxLength: shape.categoryCount,
        }),
        partyNames: fc.array(text, { minLength: 2, maxLength: 2 }),
        introduction: fc.option(partialText, { nil: undefined }),
        retentionText: fc.option(partialText, { nil: undefined }),
        measure: fc.option(partialText, { nil: undefined }),
      })
      .map((words): PolicyDocumentInput => {
        const categoryIds = Array.from(
          { length: shape.categoryCount },
          (_, index) => `category-${index}`,
        );
        const sensitivities = ['ordinary', 'sensitive', 'special-category'] as const;
        const bases = [
          'contract',
          'consent',
          'legal-obligation',
          'legitimate-interest',
          'public-task',
        ] as const;
        const categories = categoryIds.map((id, index) => {
          const sensitivity = index === 0 ? 'ordinary' : pick(sensitivities, index);
          return {
            id,
            labels: words.categoryLabels[index] ?? {},
            subjects: ['person'],
            fields: Array.from({ length: (index % 3) + 1 }, (_, field) => ({
              name: `field_${field}`,
              type: 'string' as const,
              // Something for an anonymise rule to keep.
              ...(field === 0 ? { anonymise: 'keep' as const } : {}),
            })),
            sensitivity,
            ...(sensitivity === 'special-category' ? { special_kind: 'health' as const } : {}),
            children: index > 0 && pick([true, false], index + 10),
            sources: [pick(['subject', 'guardian', 'automatic', 'staff'] as const, index + 20)],
            ...(index === 0 ? { record_type: 'account' as const } : {}),
          };
        });
        const special = new Set(
          categories
            .filter((category) => category.sensitivity === 'special-category')
            .map((category) => category.id),
        );
        const purposes = categoryIds.map((categoryId, index) => {
          const basis = pick(bases, index + 5);
          const lawful = Object.fromEntries(
            shape.jurisdictions.map((jurisdiction) => [
              jurisdiction,
              basis === 'legal-obligation'
                ? { basis, law: words.notes[0] }
                : basis === 'legitimate-interest'
                  ? { basis, interest: words.notes[1], balancing: words.notes[2] }
                  : { basis },
            ]),
          );
          return {
            id: `purpose-${index}`,
            labels: words.purposeLabels[index] ?? {},
            categories: [categoryId],
            lawful_basis: lawful,
            ...(special.has(categoryId)
              ? {
                  special_category_condition: Object.fromEntries(
                    shape.jurisdictions.map((jurisdiction) => [
                      jurisdiction,
                      { condition: 'explicit-consent' },
                    ]),
                  ),
                }
              : {}),
          };
        });
        const marketingPurpose = shape.hasMarketing
          ? [
              {
                id: 'marketing',
                labels: words.notes[3] ?? {},
                categories: ['category-0'],
                lawful_basis: Object.fromEntries(
                  shape.jurisdictions.map((jurisdiction) => [jurisdiction, { basis: 'consent' }]),
                ),
                marketing: true,
              },
            ]
          : [];
        const needsConsent = [...purposes, ...marketingPurpose].filter(
          (purpose) =>
            special.has(purpose.categories[0] ?? '') ||
            Object.values(purpose.lawful_basis).some((value) => value.basis === 'consent'),
        );
        const hasChildren = categories.some((category) => category.children);
        return {
          custodia_policy: 1,
          organisation: {
            name: words.organisationName,
            contact: { email: 'privacy@example.org', postal_address: 'Line 1\nLine 2' },
            privacy_officer: { title: words.officerTitle, contact: { email: 'dpo@example.org' } },
            jurisdictions: shape.jurisdictions,
            storage_locations: [{ territory: HOME[shape.jurisdictions[0] ?? 'pipeda'] }],
            policy_version: '1',
            effective_date: '2025-01-01',
            notice_languages: languages,
            default_language: languages[0] ?? 'en',
            supervisory_authorities: Object.fromEntries(
              shape.jurisdictions.map((jurisdiction) => [
                jurisdiction,
                {
                  name: `Authority ${jurisdiction}`,
                  contact: { website: 'https://authority.example' },
                },
              ]),
            ),
          },
          subjects: [{ id: 'person', labels: words.subjectLabel }],
          categories,
          purposes: [...purposes, ...marketingPurpose],
          consents: needsConsent.map((purpose) => ({
            id: `consent-${purpose.id}`,
            labels: purpose.labels,
            purposes: [purpose.id],
            form: 'explicit' as const,
            given_by: ['subject' as const],
            withdrawal: ['email' as const, 'self-service' as const],
          })),
          retention: {
            rules: categoryIds.map((categoryId, index) => {
              const action = pick(['delete', 'anonymise', 'review'] as const, index + 30);
              return {
                id: `rule-${index}`,
                category: categoryId,
                period: words.periods[index] ?? 'P1Y',
                trigger: pick(['collected', 'account-closed'] as const, index + 15),
                action,
                ...(action === 'review'
                  ? {
                      review: {
                        answer_within: 'P30D',
                        on_keep: { extend_by: 'P1Y' },
                        on_no: 'delete' as const,
                        on_no_answer: 'delete' as const,
                      },
                    }
                  : {}),
                reason: words.reasons[index] ?? {},
              };
            }),
          },
          access: {
            roles: [
              {
                id: 'admin',
                labels: words.subjectLabel,
                mfa_required: true,
                data: [{ categories: ['*'], actions: ['read' as const] }],
              },
            ],
          },
          third_parties: Array.from({ length: shape.partyCount }, (_, index) => ({
            id: `party-${index}`,
            name: words.partyNames[index] ?? 'Party',
            relationship: 'processor' as const,
            service: words.notes[index] ?? {},
            locations: [pick(['US', 'GB', 'CA', 'DE', 'CO'], index + 25)],
            categories: [pick(categoryIds, index + 26)],
            safeguards: ['dpa' as const, 'scc' as const],
          })),
          rights: {
            available: ['access', 'erasure', 'objection', 'withdraw-consent', 'complaint'],
            deadlines: shape.jurisdictions.map((jurisdiction, index) => ({
              jurisdiction,
              respond_within: {
                amount: 1 + (shape.seed[index] ?? 0),
                unit: pick(
                  ['calendar-days', 'business-days', 'calendar-months'] as const,
                  index + 35,
                ),
              },
              ...(index % 2 === 0
                ? { extension: { amount: 2, unit: 'calendar-months' as const } }
                : {}),
            })),
            channels: ['email'],
            identity_verification: { methods: ['email-code'] },
          },
          breach: {
            notify_authority_within: hasGdpr ? 'PT72H' : { amount: 15, unit: 'business-days' },
            lockdown: [{ action: 'suspend-roles', roles: ['admin'], for: 'PT6H' }],
          },
          ...(hasChildren
            ? {
                minors: {
                  minimum_account_age: 13,
                  guardian_consent_below_age: 16,
                  guardian_may_act_below_age: 18,
                  guardian_may: ['review', 'delete'],
                  on_underage_data_found: { action: 'delete', within: 'P0D' },
                },
              }
            : {}),
          ...(shape.hasMarketing
            ? {
                marketing: {
                  opt_in_required: true,
                  channels: ['email'],
                  stop_on: ['consent-withdrawn'],
                },
              }
            : {}),
          cookies: Array.from({ length: shape.cookieCount }, (_, index) => ({
            id: `cookie-${index}`,
            labels: words.categoryLabels[0] ?? {},
            purpose: words.reasons[0] ?? {},
            strictly_necessary: index === 0,
            consent_required: index !== 0,
            lifetime: index === 0 ? 'session' : 'P13M',
          })),
          changes: { notice_lead_time: 'P30D', channels: ['email'] },
          security: {
            encryption_in_transit: true,
            encryption_at_rest: pick([true, false], 39),
            mfa_for_staff: true,
            access_logging: true,
            ...(words.measure === undefined ? {} : { measures: [words.measure] }),
          },
          texts: {
            ...(words.introduction === undefined ? {} : { introduction: words.introduction }),
            ...(words.retentionText === undefined ? {} : { retention: words.retentionText }),
          },
        };
      });
  });

/** The label a notice in `language` shows: its own, the default language's, or any. */
function shownLabel(labels: Localised, language: Language, fallback: Language): string {
  return labels[language] ?? labels[fallback] ?? labels.en ?? labels.es ?? labels.fr ?? '';
}

describe('any valid generated policy', () => {
  it('passes its check, and renders in every language and format without missing strings', () => {
    fc.assert(
      fc.property(policyArbitrary, (document) => {
        const checked = checkPolicySource('generated.yaml', stringify(document));
        if (!checked.ok) {
          throw new Error(checked.problems.map(formatProblem).join('\n'));
        }
        const policy = checked.policy;
        for (const language of NOTICE_LANGUAGES) {
          for (const format of NOTICE_FORMATS) {
            const rendered = renderNotice(policy, { language, format });
            for (const forbidden of ['undefined', '[object Object]', '{{', 'NaN']) {
              expect(rendered).not.toContain(forbidden);
            }
            // HTML escapes "<"; Markdown backslash-escapes it, which makes it literal text.
            expect(rendered).not.toMatch(format === 'html' ? /<script/i : /(?:^|[^\\])<script/i);
            for (const category of policy.document.categories) {
              const label = shownLabel(
                category.labels,
                language,
                policy.document.organisation.default_language,
              );
              expect(rendered).toContain(
                format === 'html' ? escapeHtml(label) : escapeMarkdown(label),
              );
            }
            // Deterministic: the same policy renders to the same text.
            expect(renderNotice(policy, { language, format })).toBe(rendered);
          }
        }
        const ropa = buildRopa(policy);
        expect(ropa.activities.map((activity) => activity.activity_id)).toEqual(
          policy.document.purposes.map((purpose) => purpose.id),
        );
        expect(ropaToCsv(ropa)).not.toContain('undefined');
      }),
      { numRuns: 60 },
    );
  });
});

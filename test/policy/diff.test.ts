import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import {
  diffPolicies,
  formatPolicyDiff,
  PolicyDiff,
  type PolicyChange,
} from '../../src/policy/diff.js';
import { formatProblem } from '../../src/policy/problem.js';
import { compileExample, EXAMPLE_NAMES, examplePath, readMinimalPolicy } from './support.js';

function compile(yamlText: string): CompiledPolicy {
  const result = checkPolicySource('policy.yaml', yamlText);
  if (!result.ok) {
    throw new Error(result.problems.map(formatProblem).join('\n'));
  }
  return result.policy;
}

function edit(text: string, edits: readonly (readonly [string, string])[]): string {
  return edits.reduce((current, [from, to]) => {
    if (!current.includes(from)) {
      throw new Error(`edit target not found: ${from}`);
    }
    return current.replace(from, to);
  }, text);
}

const NEW_PURPOSE = `  - id: analytics
    labels: { en: Analytics, es: Analítica, fr: Analyse }
    categories: [account]
    lawful_basis:
      uk-gdpr: { basis: contract }
consents:`;
const NEW_PROCESSOR = `    safeguards: [dpa]
  - id: mailer
    name: Mailer Inc
    relationship: processor
    service: { en: E-mail, es: Correo, fr: Courriel }
    locations: [US]
    categories: [account]
    safeguards: [dpa, scc]
rights:`;
const MINORS =
  'minors:\n  minimum_account_age: 13\n  guardian_consent_below_age: 13\n  guardian_may_act_below_age: 18\n  guardian_may: [review, delete]\n  on_underage_data_found: { action: delete, within: P0D }\nchanges:';
const MARKETING = 'marketing:\n  opt_in_required: true\n  channels: []\nchanges:';
const COOKIE =
  'cookies:\n  - id: stats\n    labels: { en: Stats, es: Estadísticas, fr: Statistiques }\n    purpose: { en: Stats, es: Estadísticas, fr: Statistiques }\n    consent_required: true\n    lifetime: P13M\nchanges:';

interface DiffCase {
  readonly name: string;
  /** Edits applied to both versions first. */
  readonly base?: readonly (readonly [string, string])[];
  /** Edits that turn the old version into the new one. */
  readonly edits: readonly (readonly [string, string])[];
  /** Diff new → old instead, for the opposite change. */
  readonly reverse?: boolean;
  readonly expected: Pick<PolicyChange, 'kind' | 'severity' | 'path'>;
}

const CASES: readonly DiffCase[] = [
  {
    name: 'a new purpose is significant',
    edits: [['consents:', NEW_PURPOSE]],
    expected: { kind: 'purpose-added', severity: 'significant', path: 'purposes[analytics]' },
  },
  {
    name: 'a removed purpose is minor',
    edits: [['consents:', NEW_PURPOSE]],
    reverse: true,
    expected: { kind: 'purpose-removed', severity: 'minor', path: 'purposes[analytics]' },
  },
  {
    name: 'a purpose using one more category is significant',
    edits: [
      [
        '    categories: [account]\n    lawful_basis:',
        '    categories: [account, health]\n    lawful_basis:',
      ],
      [
        '      uk-gdpr: { basis: contract }\n  - id: safety',
        '      uk-gdpr: { basis: contract }\n    special_category_condition:\n      uk-gdpr: { condition: authorised-by-law }\n  - id: safety',
      ],
    ],
    expected: {
      kind: 'purpose-categories-changed',
      severity: 'significant',
      path: 'purposes[service].categories',
    },
  },
  {
    name: 'a changed lawful basis is significant',
    edits: [
      [
        'uk-gdpr: { basis: contract }',
        'uk-gdpr: { basis: legal-obligation, law: { en: Act, es: Ley, fr: Loi } }',
      ],
    ],
    expected: {
      kind: 'lawful-basis-changed',
      severity: 'significant',
      path: 'purposes[service].lawful_basis.uk-gdpr',
    },
  },
  {
    name: 'a changed Art. 9 condition is significant',
    edits: [
      ['uk-gdpr: { condition: explicit-consent }', 'uk-gdpr: { condition: health-or-social-care }'],
    ],
    expected: {
      kind: 'special-condition-changed',
      severity: 'significant',
      path: 'purposes[safety].special_category_condition.uk-gdpr',
    },
  },
  {
    name: 'a reworded label is minor',
    edits: [['      en: Service\n', '      en: Our service\n']],
    expected: { kind: 'wording-changed', severity: 'minor', path: 'purposes[service].labels' },
  },
  {
    name: 'a new field in a category is significant',
    edits: [
      [
        '      - { name: email, type: email, required: true }',
        '      - { name: email, type: email, required: true }\n      - { name: phone, type: phone }',
      ],
    ],
    expected: {
      kind: 'category-fields-changed',
      severity: 'significant',
      path: 'categories[account].fields',
    },
  },
  {
    name: 'data treated as more sensitive is minor',
    edits: [['    record_type: account', '    record_type: account\n    sensitivity: sensitive']],
    expected: {
      kind: 'sensitivity-changed',
      severity: 'minor',
      path: 'categories[account].sensitivity',
    },
  },
  {
    name: 'data treated as less sensitive is significant',
    edits: [['    record_type: account', '    record_type: account\n    sensitivity: sensitive']],
    reverse: true,
    expected: {
      kind: 'sensitivity-changed',
      severity: 'significant',
      path: 'categories[account].sensitivity',
    },
  },
  {
    name: 'encryption switched off is significant',
    edits: [['    record_type: account', '    record_type: account\n    encrypted_at_rest: true']],
    reverse: true,
    expected: {
      kind: 'encryption-changed',
      severity: 'significant',
      path: 'categories[account].encrypted_at_rest',
    },
  },
  {
    name: 'encryption switched on is minor',
    edits: [['    record_type: account', '    record_type: account\n    encrypted_at_rest: true']],
    expected: {
      kind: 'encryption-changed',
      severity: 'minor',
      path: 'categories[account].encrypted_at_rest',
    },
  },
  {
    name: 'a longer retention period is significant',
    edits: [['period: P1Y', 'period: P2Y']],
    expected: {
      kind: 'retention-longer',
      severity: 'significant',
      path: 'retention.rules[account-after-closure].period',
    },
  },
  {
    name: 'a shorter retention period is minor',
    edits: [['period: P1Y', 'period: P6M']],
    expected: {
      kind: 'retention-shorter',
      severity: 'minor',
      path: 'retention.rules[account-after-closure].period',
    },
  },
  {
    name: 'P1Y to P365D is never longer, so minor',
    edits: [['period: P1Y', 'period: P365D']],
    expected: {
      kind: 'retention-shorter',
      severity: 'minor',
      path: 'retention.rules[account-after-closure].period',
    },
  },
  {
    name: 'P1Y to P11M30D is longer from some dates only, so significant',
    edits: [['period: P1Y', 'period: P11M30D']],
    expected: {
      kind: 'retention-longer',
      severity: 'significant',
      path: 'retention.rules[account-after-closure].period',
    },
  },
  {
    name: 'a changed retention trigger is significant',
    edits: [
      [
        '      period: P1Y\n      trigger: account-closed',
        '      period: P1Y\n      trigger: collected',
      ],
    ],
    expected: {
      kind: 'retention-trigger-changed',
      severity: 'significant',
      path: 'retention.rules[account-after-closure].trigger',
    },
  },
  {
    name: 'anonymisation keeping more of a field is significant',
    base: [
      [
        '      - { name: email, type: email, required: true }',
        '      - { name: email, type: email, required: true }\n      - { name: born, type: date, anonymise: year }',
      ],
    ],
    edits: [
      [
        '{ name: born, type: date, anonymise: year }',
        '{ name: born, type: date, anonymise: month }',
      ],
    ],
    expected: {
      kind: 'anonymisation-changed',
      severity: 'significant',
      path: 'categories[account].fields.born.anonymise',
    },
  },
  {
    name: 'anonymisation keeping less of a field is minor',
    base: [
      [
        '      - { name: email, type: email, required: true }',
        '      - { name: email, type: email, required: true }\n      - { name: born, type: date, anonymise: year }',
      ],
    ],
    edits: [['{ name: born, type: date, anonymise: year }', '{ name: born, type: date }']],
    expected: {
      kind: 'anonymisation-changed',
      severity: 'minor',
      path: 'categories[account].fields.born.anonymise',
    },
  },
  {
    name: 'anonymising instead of deleting is significant',
    base: [
      [
        '      - { name: email, type: email, required: true }',
        '      - { name: email, type: email, required: true }\n      - { name: country, type: country, anonymise: keep }',
      ],
    ],
    edits: [
      [
        '      trigger: account-closed\n      action: delete\n      reason:\n        en: Disputes',
        '      trigger: account-closed\n      action: anonymise\n      reason:\n        en: Disputes',
      ],
    ],
    expected: {
      kind: 'retention-action-changed',
      severity: 'significant',
      path: 'retention.rules[account-after-closure].action',
    },
  },
  {
    name: 'a new processor is significant',
    edits: [['    safeguards: [dpa]\nrights:', NEW_PROCESSOR]],
    expected: { kind: 'third-party-added', severity: 'significant', path: 'third_parties[mailer]' },
  },
  {
    name: 'a new processor abroad is also a new transfer',
    edits: [['    safeguards: [dpa]\nrights:', NEW_PROCESSOR]],
    expected: {
      kind: 'transfer-added',
      severity: 'significant',
      path: 'third_parties[mailer].locations',
    },
  },
  {
    name: 'a removed processor is minor',
    edits: [['    safeguards: [dpa]\nrights:', NEW_PROCESSOR]],
    reverse: true,
    expected: { kind: 'third-party-removed', severity: 'minor', path: 'third_parties[mailer]' },
  },
  {
    name: 'an existing processor moving abroad is a new transfer',
    edits: [
      [
        '    locations: [GB]\n    categories: [account]\n    purposes: [service]\n    safeguards: [dpa]',
        '    locations: [GB, US]\n    categories: [account]\n    purposes: [service]\n    safeguards: [dpa, scc]',
      ],
    ],
    expected: {
      kind: 'transfer-added',
      severity: 'significant',
      path: 'third_parties[host].locations',
    },
  },
  {
    name: 'a weaker safeguard is significant',
    edits: [
      [
        '    purposes: [service]\n    safeguards: [dpa]',
        '    purposes: [service]\n    safeguards: [dpa, scc]',
      ],
    ],
    reverse: true,
    expected: {
      kind: 'safeguard-changed',
      severity: 'significant',
      path: 'third_parties[host].safeguards',
    },
  },
  {
    name: 'a stronger safeguard is minor',
    edits: [
      [
        '    purposes: [service]\n    safeguards: [dpa]',
        '    purposes: [service]\n    safeguards: [dpa, scc]',
      ],
    ],
    expected: {
      kind: 'safeguard-changed',
      severity: 'minor',
      path: 'third_parties[host].safeguards',
    },
  },
  {
    name: 'a new consent is significant',
    edits: [
      [
        'retention:\n',
        '  - id: service-consent\n    labels: { en: Service, es: Servicio, fr: Service }\n    purposes: [service]\n    given_by: [subject]\n    withdrawal: [email]\nretention:\n',
      ],
    ],
    expected: { kind: 'consent-added', severity: 'significant', path: 'consents[service-consent]' },
  },
  {
    name: 'a consent covering more purposes is significant',
    edits: [
      [
        '    purposes: [safety]\n    form: explicit',
        '    purposes: [safety, service]\n    form: explicit',
      ],
    ],
    expected: {
      kind: 'consent-scope-changed',
      severity: 'significant',
      path: 'consents[health-consent].purposes',
    },
  },
  {
    name: 'fewer ways to withdraw consent is significant',
    edits: [['withdrawal: [self-service, email]', 'withdrawal: [self-service]']],
    expected: {
      kind: 'consent-withdrawal-changed',
      severity: 'significant',
      path: 'consents[health-consent].withdrawal',
    },
  },
  {
    name: 'a slower rights deadline is significant',
    edits: [
      [
        'respond_within: { amount: 1, unit: calendar-months }',
        'respond_within: { amount: 2, unit: calendar-months }',
      ],
    ],
    expected: {
      kind: 'rights-deadline-changed',
      severity: 'significant',
      path: 'rights.deadlines[uk-gdpr/any/all]',
    },
  },
  {
    name: 'a faster rights deadline is minor',
    edits: [
      [
        'respond_within: { amount: 1, unit: calendar-months }',
        'respond_within: { amount: 20, unit: calendar-days }',
      ],
    ],
    expected: {
      kind: 'rights-deadline-changed',
      severity: 'minor',
      path: 'rights.deadlines[uk-gdpr/any/all]',
    },
  },
  {
    name: 'a right no longer offered is significant',
    edits: [['available: [access, rectification, erasure', 'available: [access, erasure']],
    expected: { kind: 'right-removed', severity: 'significant', path: 'rights.available' },
  },
  {
    name: 'a right added is minor',
    edits: [['available: [access, rectification, erasure', 'available: [access, erasure']],
    reverse: true,
    expected: { kind: 'right-added', severity: 'minor', path: 'rights.available' },
  },
  {
    name: 'telling people of a breach later is significant',
    edits: [['  notify_people_within: PT72H', '  notify_people_within: P5D']],
    expected: {
      kind: 'breach-deadline-changed',
      severity: 'significant',
      path: 'breach.notify_people_within',
    },
  },
  {
    name: 'telling the authority sooner is minor',
    edits: [['  notify_authority_within: PT72H', '  notify_authority_within: PT48H']],
    expected: {
      kind: 'breach-deadline-changed',
      severity: 'minor',
      path: 'breach.notify_authority_within',
    },
  },
  {
    name: 'a lower minimum age is significant',
    base: [['changes:', MINORS]],
    edits: [
      ['minimum_account_age: 13', 'minimum_account_age: 12'],
      ['guardian_consent_below_age: 13', 'guardian_consent_below_age: 12'],
    ],
    expected: {
      kind: 'minors-age-changed',
      severity: 'significant',
      path: 'minors.minimum_account_age',
    },
  },
  {
    name: 'guardians losing a power is significant',
    base: [['changes:', MINORS]],
    edits: [['guardian_may: [review, delete]', 'guardian_may: [review]']],
    expected: {
      kind: 'guardian-powers-changed',
      severity: 'significant',
      path: 'minors.guardian_may',
    },
  },
  {
    name: 'a new marketing channel is significant',
    base: [['changes:', MARKETING]],
    edits: [['  channels: []\n', '  channels: [email]\n']],
    expected: { kind: 'marketing-changed', severity: 'significant', path: 'marketing.channels' },
  },
  {
    name: 'a new cookie that needs consent is minor',
    edits: [['changes:', COOKIE]],
    expected: { kind: 'cookie-added', severity: 'minor', path: 'cookies[stats]' },
  },
  {
    name: 'a cookie that lasts longer is minor when it needs consent',
    base: [['changes:', COOKIE]],
    edits: [['lifetime: P13M', 'lifetime: P24M']],
    expected: { kind: 'cookie-changed', severity: 'minor', path: 'cookies[stats].lifetime' },
  },
  {
    name: 'a withdrawn security measure is significant',
    edits: [['  access_logging: true', '  access_logging: false']],
    expected: {
      kind: 'security-changed',
      severity: 'significant',
      path: 'security.access_logging',
    },
  },
  {
    name: 'a shorter notice lead time is significant',
    edits: [['notice_lead_time: P30D', 'notice_lead_time: P14D']],
    expected: {
      kind: 'notice-lead-time-changed',
      severity: 'significant',
      path: 'changes.notice_lead_time',
    },
  },
  {
    name: 'a new storage location is significant',
    edits: [['    - territory: GB\n', '    - territory: GB\n    - territory: IE\n']],
    expected: {
      kind: 'storage-location-changed',
      severity: 'significant',
      path: 'organisation.storage_locations',
    },
  },
];

describe('diffPolicies', () => {
  it.each(CASES)('$name', ({ base = [], edits, reverse = false, expected }) => {
    const older = edit(readMinimalPolicy(), base);
    const newer = edit(older, edits);
    const [from, to] = reverse ? [newer, older] : [older, newer];
    const diff = diffPolicies(compile(from), compile(to));
    expect(PolicyDiff.parse(diff)).toEqual(diff);
    expect(diff.changes).toContainEqual(expect.objectContaining(expected));
    expect(diff.has_significant).toBe(
      diff.changes.some((change) => change.severity === 'significant'),
    );
    for (const change of diff.changes) {
      expect(change.reason.length).toBeGreaterThan(5);
    }
  });

  it('finds no change between a policy and itself, and P12M for P1Y is no change', () => {
    for (const name of EXAMPLE_NAMES) {
      const policy = compileExample(name);
      expect(diffPolicies(policy, policy).changes).toEqual([]);
    }
    const minimal = readMinimalPolicy();
    expect(
      diffPolicies(compile(minimal), compile(minimal.replace('period: P1Y', 'period: P12M')))
        .changes,
    ).toEqual([]);
  });

  it('marks re-acceptance from the new policy’s changes.reacceptance_required_for', () => {
    const older = readMinimalPolicy();
    const newer = edit(older, [
      ['consents:', NEW_PURPOSE],
      [
        '  channels: [email]\nsecurity:',
        '  channels: [email]\n  reacceptance_required_for: [new-purpose]\nsecurity:',
      ],
    ]);
    const change = diffPolicies(compile(older), compile(newer)).changes.find(
      (candidate) => candidate.kind === 'purpose-added',
    );
    expect(change).toMatchObject({ notice_kind: 'new-purpose', requires_reacceptance: true });
  });

  it('kexara against a modified copy: a new processor, 10-year payment records and a reworded label', () => {
    const original = readFileSync(examplePath('kexara'), 'utf8');
    const modified = edit(original, [
      ["  policy_version: '2025-03-15'", "  policy_version: '2025-09-01'"],
      ['      period: P7Y\n', '      period: P10Y\n'],
      ["      en: 'Travel preferences'", "      en: 'Your travel preferences'"],
      [
        '  - id: authorities\n',
        "  - id: sms-gateway\n    name: SMS gateway\n    relationship: processor\n    service: { en: 'Text messages', es: 'Mensajes de texto', fr: 'Messages texte' }\n    locations: [GB]\n    categories: [account]\n    purposes: [service-delivery]\n    safeguards: [dpa, adequacy]\n  - id: authorities\n",
      ],
    ]);
    const diff = diffPolicies(compile(original), compile(modified));
    expect(diff.old_version).toBe('2025-03-15');
    expect(diff.new_version).toBe('2025-09-01');
    expect(diff.has_significant).toBe(true);
    const summary = diff.changes.map(
      (change) => `${change.severity} ${change.kind} ${change.path}`,
    );
    expect(summary).toEqual([
      'minor wording-changed categories[travel-preferences].labels',
      'significant retention-longer retention.rules[payment-records-7-years].period',
      'significant third-party-added third_parties[sms-gateway]',
      'significant transfer-added third_parties[sms-gateway].locations',
    ]);
    const text = formatPolicyDiff(diff);
    expect(text).toContain(
      'retention.rules[payment-records-7-years].period (P7Y → P10Y): data is kept longer',
    );
    expect(text.trimEnd().endsWith('3 significant, 1 minor (2025-03-15 → 2025-09-01)')).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import { formatProblem, PROBLEM_CODES, type ProblemCode } from '../../src/policy/problem.js';
import { readMinimalPolicy } from './support.js';

const FILE = 'minimal.yaml';
/** Marks, inside a replacement, the exact character the problem must point at. */
const MARK = '¶';

interface Case {
  code: ProblemCode;
  name: string;
  /** Text replacements applied to the minimal policy; exactly one `to` holds the mark. */
  edits: [from: string, to: string][];
  /** A fragment of the expected message. */
  message: string;
}

function applyEdits(edits: Case['edits']): { text: string; line: number; column: number } {
  let text = readMinimalPolicy();
  for (const [from, to] of edits) {
    if (!text.includes(from)) {
      throw new Error(`fixture does not contain ${JSON.stringify(from)}`);
    }
    text = text.replace(from, to);
  }
  const offset = text.indexOf(MARK);
  if (offset < 0) {
    throw new Error('no mark in the edits');
  }
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return { text: text.replace(MARK, ''), line, column };
}

const LEGITIMATE_INTEREST =
  '{ basis: legitimate-interest, interest: { en: a, es: a, fr: a }, balancing: { en: b, es: b, fr: b }';

const CASES: Case[] = [
  // Shape
  { code: 'unknown-key', name: 'a misspelt key', edits: [['  name: Minimal Ltd', `  name: Minimal Ltd\n  ${MARK}retension: P1Y`]], message: 'organisation: unknown key "retension"' },
  { code: 'missing-key', name: 'a required key left out', edits: [["  policy_version: '1'\n", ''], ['  name: Minimal Ltd', `  ${MARK}name: Minimal Ltd`]], message: 'organisation: missing required key "policy_version"' },
  { code: 'invalid-type', name: 'a string where a boolean belongs', edits: [['{ name: email, type: email, required: true }', `{ name: email, type: email, required: ${MARK}yes }`]], message: 'categories[0].fields[0].required: expected boolean, found string "yes"' },
  { code: 'invalid-value', name: 'an unknown lawful basis', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: { basis: ${MARK}contrakt }`]], message: 'purposes[0].lawful_basis.uk-gdpr.basis: must be one of "consent", "contract"' },
  { code: 'invalid-format', name: 'a malformed e-mail address', edits: [['email: privacy@minimal.example', `email: ${MARK}privacy-at-minimal`]], message: 'organisation.contact.email: not a valid email' },
  { code: 'too-small', name: 'an empty list where one item is needed', edits: [['    purposes: [safety]', `    purposes: ${MARK}[]`]], message: 'consents[0].purposes: must list at least 1' },
  { code: 'bad-duration', name: 'a fractional duration', edits: [['period: P1Y', `period: ${MARK}P1.5Y`]], message: 'retention.rules[0].period: must be an ISO 8601 duration' },
  { code: 'bad-date', name: 'a date that does not exist', edits: [['effective_date: 2025-01-01', `effective_date: ${MARK}2025-02-30`]], message: 'organisation.effective_date: must be a calendar date' },
  // References
  { code: 'duplicate-id', name: 'two purposes with one id', edits: [['  - id: safety', `  - id: ${MARK}service`]], message: 'purpose id "service" is already used by purpose purposes[0]' },
  { code: 'unknown-subject', name: 'a category naming an unknown subject', edits: [['    subjects: [participant]', `    subjects: [${MARK}participnt]`]], message: 'category "account" names the unknown subject "participnt"' },
  { code: 'unknown-category', name: 'a purpose naming an unknown category', edits: [['    categories: [account]\n    lawful_basis', `    categories: [${MARK}acount]\n    lawful_basis`]], message: 'purpose "service" names the unknown category "acount"' },
  { code: 'unknown-purpose', name: 'a consent naming an unknown purpose', edits: [['    purposes: [safety]', `    purposes: [${MARK}safty]`]], message: 'consent "health-consent" names the unknown purpose "safty"' },
  { code: 'unknown-role', name: 'a breach lockdown suspending an unknown role', edits: [['breach:\n', `breach:\n  lockdown:\n    - { action: suspend-roles, roles: [${MARK}level-z], for: PT6H }\n`]], message: 'breach lockdown names the unknown role "level-z"' },
  { code: 'unknown-third-party', name: 'a source naming an unknown third party', edits: [['    sources: [subject]\n    record_type: account', `    sources: [subject, { third_party: ${MARK}nobody }]\n    record_type: account`]], message: 'names the unknown third party "nobody"' },
  { code: 'unknown-consent', name: 'a marketing audience naming an unknown consent', edits: [['changes:\n', `marketing:\n  opt_in_required: true\n  audience:\n    consent: ${MARK}newsletter\nchanges:\n`]], message: 'marketing audience names the unknown consent "newsletter"' },
  { code: 'undeclared-jurisdiction', name: 'a lawful basis for an undeclared jurisdiction', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: { basis: contract }\n      pipeda: ${MARK}{ basis: contract }`]], message: 'is given for "pipeda", which organisation.jurisdictions does not declare' },
  // Lawful basis and consent
  { code: 'missing-lawful-basis', name: 'a purpose without a basis for a declared jurisdiction', edits: [['    lawful_basis:\n      uk-gdpr: { basis: contract }', `    lawful_basis: ${MARK}{}`]], message: 'purpose "service" has no lawful basis for the declared jurisdiction "uk-gdpr"' },
  { code: 'consent-missing', name: 'a consent-based purpose that no consent covers', edits: [['uk-gdpr: { basis: contract }', 'uk-gdpr: { basis: consent }'], ['  - id: service', `  - id: ${MARK}service`]], message: 'purpose "service" is based on consent but no entry in consents covers it' },
  { code: 'no-withdrawal-method', name: 'a consent that cannot be withdrawn', edits: [['withdrawal: [self-service, email]', `withdrawal: ${MARK}[]`]], message: 'consent "health-consent" gives no way to withdraw it' },
  { code: 'missing-special-category-condition', name: 'special-category data without an Art. 9 condition', edits: [['    special_category_condition:\n      uk-gdpr: { condition: explicit-consent }\n', ''], ['    categories: [health]', `    categories: ${MARK}[health]`]], message: 'uses special-category data (health) but gives no Art. 9(2) condition for uk-gdpr' },
  { code: 'explicit-consent-missing', name: 'explicit consent relied on but not collected', edits: [['    form: explicit\n', ''], ['{ condition: explicit-consent }', `{ condition: ${MARK}explicit-consent }`]], message: 'relies on explicit consent (Art. 9(2)(a)) but no consent of form "explicit" covers it' },
  { code: 'special-kind-mismatch', name: 'a special category without its kind', edits: [['    special_kind: health\n', ''], ['sensitivity: special-category', `sensitivity: ${MARK}special-category`]], message: 'category "health" is special-category but names no special_kind' },
  { code: 'objection-denied', name: 'legitimate interest without the right to object', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: ${LEGITIMATE_INTEREST}, right_to_object: ${MARK}false }`]], message: 'where the person may always object (GDPR Art. 21(1))' },
  { code: 'objection-right-missing', name: 'legitimate interest while the right to object is not offered', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: ${LEGITIMATE_INTEREST} }`], ['available: [access,', `available: ${MARK}[access,`]], message: 'the right to object must be available (Art. 21)' },
  // Security
  { code: 'unencrypted-sensitive-category', name: 'health data not encrypted at rest', edits: [['    special_kind: health\n', `    special_kind: health\n    encrypted_at_rest: ${MARK}false\n`]], message: 'category "health" holds special-category data and must be encrypted at rest' },
  { code: 'mfa-claim-contradicted', name: 'a role without MFA while staff MFA is claimed', edits: [['      labels:\n        en: Staff\n        es: Personal\n        fr: Personnel\n      mfa_required: true', `      labels:\n        en: Staff\n        es: Personal\n        fr: Personnel\n      mfa_required: ${MARK}false`]], message: 'role "staff" does not require it' },
  { code: 'role-inheritance-cycle', name: 'two roles inheriting each other', edits: [['      labels:\n        en: Staff\n        es: Personal\n        fr: Personnel\n', `      labels:\n        en: Staff\n        es: Personal\n        fr: Personnel\n      inherits: [${MARK}admin]\n`]], message: 'role "staff" inherits "admin", which inherits "staff" back' },
  // Children and marketing
  { code: 'children-without-guardian-rule', name: "children's data without a minors section", edits: [['    special_kind: health\n', `    special_kind: health\n    children: ${MARK}true\n`]], message: 'category "health" holds children\'s data but the policy has no minors section' },
  {
    code: 'children-in-marketing',
    name: "a marketing purpose using children's data",
    edits: [
      ['    special_kind: health\n', '    special_kind: health\n    children: true\n'],
      ['uk-gdpr: { basis: consent }', 'uk-gdpr: { basis: consent }\n    marketing: true'],
      ['    categories: [health]', `    categories: [${MARK}health]`],
      ['changes:\n', 'marketing:\n  opt_in_required: true\n  channels: [email]\nminors:\n  minimum_account_age: 13\n  guardian_consent_below_age: 16\n  guardian_may_act_below_age: 18\n  guardian_may: [review]\n  on_underage_data_found: { action: delete, within: P0D }\nchanges:\n'],
    ],
    message: 'marketing purpose "safety" uses children\'s data ("health")',
  },
  { code: 'marketing-section-missing', name: 'a marketing purpose without a marketing section', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: { basis: contract }\n    marketing: ${MARK}true`]], message: 'purpose "service" is marketing but the policy has no marketing section' },
  { code: 'marketing-without-opt-in', name: 'opt-in marketing based on contract', edits: [['uk-gdpr: { basis: contract }', `uk-gdpr: { basis: ${MARK}contract }\n    marketing: true`], ['changes:\n', 'marketing:\n  opt_in_required: true\nchanges:\n']], message: 'marketing requires opt-in, but purpose "service" is based on contract under uk-gdpr' },
  { code: 'minor-ages-inconsistent', name: 'a guardian who consents but may not act', edits: [['changes:\n', `minors:\n  minimum_account_age: 13\n  guardian_consent_below_age: 16\n  guardian_may_act_below_age: ${MARK}14\n  guardian_may: [review]\n  on_underage_data_found: { action: delete, within: P0D }\nchanges:\n`]], message: 'a guardian consents below 16 but may act only below 14' },
  { code: 'cookie-consent-missing', name: 'an analytics cookie without consent under the GDPR', edits: [['changes:\n', `cookies:\n  - id: analytics\n    labels: { en: A, es: A, fr: A }\n    purpose: { en: A, es: A, fr: A }\n    consent_required: ${MARK}false\n    lifetime: P13M\nchanges:\n`]], message: 'cookie "analytics" is not strictly necessary, so it needs consent' },
  // Sharing
  { code: 'unsafeguarded-transfer', name: 'a processor abroad without a transfer safeguard', edits: [['    locations: [GB]', `    locations: [GB, ${MARK}US]`]], message: 'third party "host" receives personal data in US, outside the declared storage locations and jurisdictions' },
  { code: 'recipient-category-outside-purpose', name: 'a recipient given a category its purposes do not use', edits: [['    categories: [account]\n    purposes: [service]', `    categories: [account, ${MARK}health]\n    purposes: [service]`]], message: 'third party "host" receives "health", which none of its purposes uses' },
  // Retention
  { code: 'impossible-trigger', name: 'an account-closed rule without an account category', edits: [['    record_type: account\n', ''], ['      trigger: account-closed', `      trigger: ${MARK}account-closed`]], message: 'counts from "account-closed", which can never happen: no category has record_type "account"' },
  { code: 'impossible-trigger', name: 'an unsubscribed rule without marketing', edits: [['      trigger: account-closed', `      trigger: ${MARK}unsubscribed`]], message: 'counts from "unsubscribed", which can never happen: no purpose is marketing' },
  { code: 'no-retention-rule', name: 'a category without a retention rule', edits: [['      category: health', '      category: account'], ['  - id: health\n', `  - id: ${MARK}health\n`]], message: 'category "health" has no retention rule' },
  { code: 'unused-category', name: 'a category no purpose uses', edits: [['    categories: [health]', '    categories: [account]'], ['  - id: health\n', `  - id: ${MARK}health\n`]], message: 'category "health" is used by no purpose' },
  { code: 'retention-purpose-mismatch', name: 'a retention rule for a purpose that does not use the category', edits: [['      category: account\n', `      category: account\n      purposes: [${MARK}safety]\n`]], message: 'retention rule "account-after-closure" applies to "account" for purpose "safety", which does not use that category' },
  { code: 'review-incomplete', name: 'a review without its review section', edits: [['      action: delete\n      reason:\n        en: Disputes', `      action: ${MARK}review\n      reason:\n        en: Disputes`]], message: 'ends in a review but has no review section' },
  { code: 'review-unexpected', name: 'a review section on a delete rule', edits: [['      action: delete\n      reason:\n        en: Disputes', `      action: delete\n      review: ${MARK}{ answer_within: P30D, on_keep: { extend_by: P1Y }, on_no: delete, on_no_answer: delete }\n      reason:\n        en: Disputes`]], message: 'has a review section but its action is delete' },
  { code: 'anonymise-keeps-identifier', name: 'anonymisation that keeps an email address', edits: [['      - { name: email, type: email, required: true }', `      - { name: email, type: email, required: true, anonymise: ${MARK}keep }`]], message: 'field "email" of "account" is of type email, which identifies a person' },
  { code: 'anonymise-mismatch', name: 'a text generalised to a year', edits: [['      - { name: allergies, type: text }', `      - { name: allergies, type: text, anonymise: ${MARK}year }`]], message: '"year" applies only to date or datetime fields' },
  { code: 'anonymise-keeps-nothing', name: 'an anonymise rule over a category whose every field is removed', edits: [['      trigger: account-closed\n      action: delete\n      reason:\n        en: No longer', `      trigger: account-closed\n      action: ${MARK}anonymise\n      reason:\n        en: No longer`]], message: 'retention rule "health-after-closure" anonymises "health", but every field of it is removed' },
  // Rights, breach, notice
  { code: 'missing-supervisory-authority', name: 'a jurisdiction without its authority', edits: [["  supervisory_authorities:\n    uk-gdpr:\n      name: Information Commissioner's Office\n      contact:\n        website: https://ico.org.uk/make-a-complaint\n", `  supervisory_authorities: ${MARK}{}\n`]], message: 'no supervisory authority is given for the declared jurisdiction "uk-gdpr"' },
  { code: 'missing-rights-deadline', name: 'a right no deadline covers', edits: [['  deadlines:\n    - jurisdiction: uk-gdpr\n', `  deadlines:\n    ${MARK}- jurisdiction: uk-gdpr\n      rights: [access]\n`]], message: 'no response deadline covers the right "erasure" under uk-gdpr' },
  { code: 'ambiguous-rights-deadline', name: 'two deadlines for one right', edits: [['  channels: [email]\n  identity', `    - ${MARK}jurisdiction: uk-gdpr\n      respond_within: { amount: 30, unit: calendar-days }\n  channels: [email]\n  identity`]], message: 'two response deadlines cover the right "access" under uk-gdpr' },
  { code: 'breach-deadline-exceeds-law', name: 'a breach clock longer than 72 hours', edits: [['notify_authority_within: PT72H', `notify_authority_within: ${MARK}P4D`]], message: 'is longer than the 72 hours GDPR Art. 33(1) allows' },
  { code: 'missing-translation', name: 'a label missing in a notice language', edits: [['    labels:\n      en: Participant\n      es: Participante\n      fr: Participant\n', `    labels:\n      ${MARK}en: Participant\n      es: Participante\n`]], message: 'subject "participant" labels has no text in fr, a notice language' },
  { code: 'default-language-not-listed', name: 'a default language not published', edits: [['notice_languages: [en, es, fr]', 'notice_languages: [en, es]'], ['default_language: en', `default_language: ${MARK}fr`]], message: 'the default language "fr" is not one of notice_languages' },
  { code: 'bad-date-range', name: 'a policy that expires before it starts', edits: [['  effective_date: 2025-01-01\n', `  effective_date: 2025-01-01\n  valid_until: ${MARK}2024-01-01\n`]], message: 'valid_until 2024-01-01 is not after effective_date 2025-01-01' },
]; // prettier-ignore

describe('checkPolicySource', () => {
  it('accepts the minimal policy and compiles it', () => {
    const result = checkPolicySource(FILE, readMinimalPolicy());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each(CASES)('reports $code for $name at its exact line and column', (testCase) => {
    const { text, line, column } = applyEdits(testCase.edits);
    const result = checkPolicySource(FILE, text);
    expect(result.ok).toBe(false);
    const matching = result.problems.filter(
      (problem) => problem.code === testCase.code && problem.message.includes(testCase.message),
    );
    expect(matching.map((problem) => `${problem.line}:${problem.column}`)).toContain(
      `${line}:${column}`,
    );
    const problem = matching.find((item) => item.line === line && item.column === column);
    expect(problem && formatProblem(problem)).toMatch(
      new RegExp(`^minimal\\.yaml:${line}:${column}: `),
    );
  });

  it('has a test case for every problem code except yaml-syntax', () => {
    const covered = new Set<string>([...CASES.map((testCase) => testCase.code), 'yaml-syntax']);
    expect(PROBLEM_CODES.filter((code) => !covered.has(code))).toEqual([]);
  });

  it('reports a YAML syntax error at its position', () => {
    const text = 'custodia_policy: 1\norganisation:\n  name: a: b\n';
    const result = checkPolicySource('broken.yaml', text);
    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^broken\.yaml:3:9: YAML syntax error: /),
    ]);
  });

  it('reports duplicate YAML keys as a syntax error on the second key', () => {
    const text = readMinimalPolicy().replace(
      '  name: Minimal Ltd\n',
      '  name: Minimal Ltd\n  name: Twice\n',
    );
    const result = checkPolicySource(FILE, text);
    expect(result.problems.map((problem) => [problem.code, problem.line, problem.column])).toEqual([
      ['yaml-syntax', 5, 3],
    ]);
  });

  it('reports an empty file', () => {
    const result = checkPolicySource('empty.yaml', '');
    expect(result.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^empty\.yaml:1:1: /),
    ]);
  });

  it('reports several semantic problems in one run, ordered by position', () => {
    const { text } = applyEdits([
      ['    subjects: [participant]', `    subjects: [${MARK}nobody]`],
      ['    locations: [GB]', '    locations: [GB, US]'],
      ['withdrawal: [self-service, email]', 'withdrawal: []'],
    ]);
    const result = checkPolicySource(FILE, text);
    const codes = result.problems.map((problem) => problem.code);
    expect(codes).toEqual(['unknown-subject', 'no-withdrawal-method', 'unsafeguarded-transfer']);
    const lines = result.problems.map((problem) => problem.line);
    expect([...lines].sort((left, right) => left - right)).toEqual(lines);
  });

  it('reports several shape problems in one run', () => {
    const { text } = applyEdits([
      ['period: P1Y', `period: ${MARK}P1.5Y`],
      ['uk-gdpr: { basis: contract }', 'uk-gdpr: { basis: contrakt }'],
      ['  name: Minimal Ltd', '  name: Minimal Ltd\n  retension: 1'],
    ]);
    const result = checkPolicySource(FILE, text);
    expect(result.problems.map((problem) => problem.code)).toEqual([
      'unknown-key',
      'invalid-value',
      'bad-duration',
    ]);
  });

  it('is deterministic: the same text always yields the same problems', () => {
    const editable = CASES.filter((testCase) => testCase.edits.length === 1);
    fc.assert(
      fc.property(fc.subarray(editable, { minLength: 1, maxLength: 6 }), (chosen) => {
        let text = readMinimalPolicy();
        for (const testCase of chosen) {
          for (const [from, to] of testCase.edits) {
            text = text.replace(from, to.replace(MARK, ''));
          }
        }
        const first = checkPolicySource(FILE, text);
        const second = checkPolicySource(FILE, text);
        expect(second.problems).toEqual(first.problems);
        const positions = first.problems.map((problem) => problem.line * 10_000 + problem.column);
        expect(positions).toEqual([...positions].sort((left, right) => left - right));
      }),
      { numRuns: 100 },
    );
  });
});

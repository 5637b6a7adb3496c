import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import { buildRopa, csvField, Ropa, ROPA_CSV_COLUMNS, ropaToCsv } from '../../src/policy/ropa.js';
import { compileExample, EXAMPLE_NAMES, readMinimalPolicy } from './support.js';

/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charAt(index);
    if (isQuoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        isQuoted = false;
      } else {
        field += character;
      }
    } else if (character === '"') {
      isQuoted = true;
    } else if (character === ',') {
      record.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else {
      field += character;
    }
  }
  return records;
}

describe.each(EXAMPLE_NAMES)('the record of processing of %s', (name) => {
  const policy = compileExample(name);

  it('has one activity per purpose and matches its zod schema', () => {
    const ropa = buildRopa(policy);
    expect(Ropa.parse(ropa)).toEqual(ropa);
    expect(ropa.activities.map((activity) => activity.activity_id)).toEqual(
      policy.document.purposes.map((purpose) => purpose.id),
    );
    for (const activity of ropa.activities) {
      expect(activity.lawful_basis.length).toBe(policy.document.organisation.jurisdictions.length);
      expect(activity.data_categories.length).toBeGreaterThan(0);
      expect(activity.retention.length).toBeGreaterThan(0);
      expect(activity.controller.name).toBe(policy.document.organisation.name);
    }
  });

  it('round-trips through CSV: a header row, then one row per purpose, every field intact', () => {
    const ropa = buildRopa(policy);
    const rows = parseCsv(ropaToCsv(ropa));
    expect(rows[0]).toEqual([...ROPA_CSV_COLUMNS]);
    expect(rows.length).toBe(ropa.activities.length + 1);
    rows.slice(1).forEach((row, index) => {
      expect(row.length).toBe(ROPA_CSV_COLUMNS.length);
      expect(row[0]).toBe(ropa.activities[index]?.activity_id);
      expect(row[1]).toBe(ropa.activities[index]?.purpose);
    });
  });
});

describe('record of processing details', () => {
  it('career-masterclass: transfers to the United States with their safeguards; Art. 9 condition', () => {
    const ropa = buildRopa(compileExample('career-masterclass'));
    const community = ropa.activities.find((activity) => activity.activity_id === 'community');
    expect(community?.third_country_transfers).toContainEqual({
      recipient_id: 'circle',
      recipient: 'Circle',
      countries: ['US'],
      safeguards: ['dpa', 'uk-addendum'],
    });
    // Digital Ocean serves no purpose in particular but hosts the photos the community uses.
    expect(community?.recipients.map((recipient) => recipient.id)).toEqual([
      'digital-ocean',
      'circle',
    ]);
    const research = ropa.activities.find(
      (activity) => activity.activity_id === 'research-ethnic-origin',
    );
    expect(research?.special_category_conditions).toEqual([
      { jurisdiction: 'uk-gdpr', condition: 'explicit-consent', note: null },
    ]);
    const usage = ropa.activities
      .find((activity) => activity.activity_id === 'service-research')
      ?.retention.find((rule) => rule.category_id === 'website-usage');
    expect(usage).toMatchObject({ period: 'P24M', action: 'anonymise' });
    expect(usage?.in_words).toBe('24 months after collection, then anonymised.');
  });

  it('kajuyali: in Spanish by default, the retention rule that asks after 10 years', () => {
    const ropa = buildRopa(compileExample('kajuyali'));
    expect(ropa.language).toBe('es');
    const history = ropa.activities.find((activity) => activity.activity_id === 'customer-history');
    expect(history?.retention.map((rule) => rule.rule_id)).toContain('contact-10-years-then-ask');
    expect(buildRopa(compileExample('kajuyali'), { language: 'en' }).language).toBe('en');
  });
});

describe('CSV fields (RFC 4180 and formula injection)', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
  ])('%j is written %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('guards a purpose label that starts with "=" in a whole record', () => {
    const result = checkPolicySource(
      'minimal.yaml',
      readMinimalPolicy().replace('      en: Service\n', "      en: '=cmd|calc'\n"),
    );
    if (!result.ok) {
      throw new Error('the fixture must pass');
    }
    const csv = ropaToCsv(buildRopa(result.policy, { language: 'en' }));
    const row = parseCsv(csv).find((cells) => cells[0] === 'service');
    expect(row?.[1]).toBe("'=cmd|calc");
  });
});

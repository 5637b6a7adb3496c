import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import { compareDurations, longestCalendarDays, parseDuration } from '../../src/policy/duration.js';
import { compileExample, readMinimalPolicy } from './support.js';

function durationOf(text: string) {
  const duration = parseDuration(text);
  if (duration === undefined) {
    throw new Error(`bad duration ${text}`);
  }
  return duration;
}

describe('breach clocks as legal periods', () => {
  it('kajuyali: the SIC is told within 15 business days, on the business calendar', () => {
    expect(compileExample('kajuyali').document.breach.notify_authority_within).toEqual({
      amount: 15,
      unit: 'business-days',
    });
  });

  it('accepts { amount, unit } where only ISO durations were allowed, and still checks the GDPR 72 hours', () => {
    const fits = checkPolicySource(
      'minimal.yaml',
      readMinimalPolicy().replace(
        'notify_authority_within: PT72H',
        'notify_authority_within: { amount: 2, unit: calendar-days }',
      ),
    );
    expect(fits.ok).toBe(true);
    // Three business days can span a weekend: more than 72 hours.
    const tooLong = checkPolicySource(
      'minimal.yaml',
      readMinimalPolicy().replace(
        'notify_authority_within: PT72H',
        'notify_authority_within: { amount: 3, unit: business-days }',
      ),
    );
    expect(tooLong.ok).toBe(false);
    expect(tooLong.problems.map((problem) => problem.code)).toEqual([
      'breach-deadline-exceeds-law',
    ]);
    expect(tooLong.problems[0]?.message).toContain('3 business-days is longer than the 72 hours');
  });

  it('bounds a legal period by the most calendar days it can span', () => {
    expect(longestCalendarDays({ amount: 30, unit: 'calendar-days' })).toBe(30);
    expect(longestCalendarDays({ amount: 15, unit: 'business-days' })).toBe(23);
    expect(longestCalendarDays({ amount: 1, unit: 'calendar-months' })).toBe(31);
  });
});

describe('compareDurations: calendar-aware', () => {
  it.each([
    ['P12M', 'P1Y', 'equal'],
    ['P2Y', 'P1Y', 'longer'],
    ['P6M', 'P1Y', 'shorter'],
    ['P365D', 'P1Y', 'shorter'],
    ['P1M', 'P30D', 'depends-on-date'],
    ['P1M', 'P31D', 'shorter'],
    ['PT24H', 'P1D', 'equal'],
  ] as const)('%s against %s is %s', (left, right, expected) => {
    expect(compareDurations(durationOf(left), durationOf(right))).toBe(expected);
  });
});

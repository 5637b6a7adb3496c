import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  approximateDays,
  formatDuration,
  isZeroDuration,
  parseDuration,
  type Duration,
} from '../../src/policy/duration.js';

const ZERO: Duration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

describe('parseDuration', () => {
  it.each([
    ['P7Y', { ...ZERO, years: 7 }],
    ['P12M', { ...ZERO, months: 12 }],
    ['P30D', { ...ZERO, days: 30 }],
    ['P2W', { ...ZERO, weeks: 2 }],
    ['PT72H', { ...ZERO, hours: 72 }],
    ['PT6H', { ...ZERO, hours: 6 }],
    ['PT30M', { ...ZERO, minutes: 30 }],
    [
      'P1Y2M3DT4H5M6S',
      { years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 },
    ],
    ['P0D', ZERO],
    ['PT0S', ZERO],
  ])('reads %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    '7Y',
    'P1.5Y',
    'P-1D',
    'p1y',
    'P1Y ',
    'PT1D',
    'P1H',
    'P1M1Y',
    'P99999999Y',
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  const durations = fc.record({
    years: fc.nat({ max: 200 }),
    months: fc.nat({ max: 500 }),
    weeks: fc.nat({ max: 100 }),
    days: fc.nat({ max: 5000 }),
    hours: fc.nat({ max: 1000 }),
    minutes: fc.nat({ max: 1000 }),
    seconds: fc.nat({ max: 1000 }),
  });

  it('reads back whatever it writes', () => {
    fc.assert(
      fc.property(durations, (duration) => {
        expect(parseDuration(formatDuration(duration))).toEqual(duration);
      }),
    );
  });

  it('writes back exactly the canonical text it reads', () => {
    fc.assert(
      fc.property(durations, (duration) => {
        const text = formatDuration(duration);
        const parsed = parseDuration(text);
        expect(parsed && formatDuration(parsed)).toBe(text);
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseDuration(text);
        expect(parsed === undefined || /^P/.test(text)).toBe(true);
      }),
    );
  });
});

describe('addDuration', () => {
  it.each([
    ['2025-03-15T00:00:00Z', 'P7Y', '2032-03-15T00:00:00Z'],
    ['2025-01-31T00:00:00Z', 'P1M', '2025-02-28T00:00:00Z'],
    ['2024-01-31T00:00:00Z', 'P1M', '2024-02-29T00:00:00Z'],
    ['2024-02-29T00:00:00Z', 'P1Y', '2025-02-28T00:00:00Z'],
    ['2025-11-30T12:00:00Z', 'P3M', '2026-02-28T12:00:00Z'],
    ['2025-03-15T10:00:00Z', 'PT72H', '2025-03-18T10:00:00Z'],
    ['2025-03-15T10:00:00Z', 'P0D', '2025-03-15T10:00:00Z'],
  ])('%s + %s is %s', (start, text, expected) => {
    const duration = parseDuration(text);
    expect(duration).toBeDefined();
    if (duration !== undefined) {
      expect(addDuration(new Date(start), duration).toISOString()).toBe(
        new Date(expected).toISOString(),
      );
    }
  });

  it('never moves a date backwards', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 30 }),
        (start, years, months) => {
          const duration = { ...ZERO, years, months };
          expect(addDuration(start, duration).getTime()).toBeGreaterThanOrEqual(start.getTime());
        },
      ),
    );
  });
});

describe('isZeroDuration and approximateDays', () => {
  it('recognises "until the event" periods', () => {
    expect(isZeroDuration(ZERO)).toBe(true);
    expect(isZeroDuration({ ...ZERO, seconds: 1 })).toBe(false);
  });

  it('orders a year above twelve 30-day months and 72 hours above two days', () => {
    expect(approximateDays({ ...ZERO, years: 1 })).toBeGreaterThan(
      approximateDays({ ...ZERO, days: 360 }),
    );
    expect(approximateDays({ ...ZERO, hours: 72 })).toBeGreaterThan(
      approximateDays({ ...ZERO, days: 2 }),
    );
  });
});

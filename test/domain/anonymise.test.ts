import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anonymiseRecord, anonymisedIn, type AnonymisedField } from '../../src/domain/anonymise.js';

describe('anonymiseRecord', () => {
  const fields: AnonymisedField[] = [
    { name: 'email', type: 'email' },
    { name: 'ip', type: 'ip-address', anonymise: 'network' },
    { name: 'born', type: 'date', anonymise: 'year' },
    { name: 'seen', type: 'datetime', anonymise: 'month' },
    { name: 'answers', type: 'json', anonymise: 'keep' },
    { name: 'note', type: 'text', anonymise: 'remove' },
  ];

  it.each([
    ['an IPv4 address to its /16', { ip: '203.0.113.77' }, { ip: '203.0.0.0/16' }],
    ['an IPv6 address to its /32', { ip: '2001:db8:abcd:12::1' }, { ip: '2001:db8::/32' }],
    ['an IPv4-mapped IPv6 address as IPv4', { ip: '::ffff:198.51.100.9' }, { ip: '198.51.0.0/16' }],
    ['a date to its year', { born: '2011-04-30' }, { born: '2011' }],
    ['an instant to its month', { seen: '2024-02-29T23:59:59.000Z' }, { seen: '2024-02' }],
    ['a kept answer as it is', { answers: '{"q1":3}' }, { answers: '{"q1":3}' }],
  ])('generalises %s', (_name, values, expected) => {
    expect(anonymiseRecord(fields, values)).toEqual(expected);
  });

  it('removes direct identifiers, removed fields and values it cannot generalise', () => {
    expect(
      anonymiseRecord(fields, {
        email: 'ana@example.org',
        note: 'Ana, room 12',
        ip: 'not-an-address',
        born: 'sometime in 2011',
        answers: '[1,2]',
      }),
    ).toEqual({ answers: '[1,2]' });
  });

  it('keeps nothing when nothing may be kept', () => {
    expect(anonymiseRecord(fields, { email: 'ana@example.org', note: 'x' })).toBeUndefined();
  });

  it('never lets a removed value through, whatever the values', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), fc.string({ minLength: 6 }), (email, note) => {
        const result = anonymiseRecord(fields, { email, note, answers: 'kept' });
        expect(result).toEqual({ answers: 'kept' });
      }),
    );
  });

  it('dates an anonymisation to the month only', () => {
    expect(anonymisedIn(new Date('2031-07-04T10:11:12.000Z'))).toBe('2031-07');
  });
});

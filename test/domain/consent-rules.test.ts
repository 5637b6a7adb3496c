import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideConsentBasis } from '../../src/domain/access-decision.js';
import { ageOn, minorStatus } from '../../src/domain/age.js';
import { hasAcceptedCurrentTerms, type ActivatedVersion } from '../../src/domain/terms.js';
import { checkPolicySource } from '../../src/policy/check.js';
import { readFileSync } from 'node:fs';

function examplePolicy(name: string) {
  const source = readFileSync(
    new URL(`../../examples/policies/${name}.yaml`, import.meta.url),
    'utf8',
  );
  const checked = checkPolicySource(`${name}.yaml`, source);
  if (!checked.ok) {
    throw new Error(`${name} does not check`);
  }
  return checked.policy;
}

describe('age', () => {
  it.each([
    ['2014-05-17', '2026-05-16T23:59:59Z', 11],
    ['2014-05-17', '2026-05-17T00:00:00Z', 12],
    ['2012-02-29', '2025-02-28T12:00:00Z', 12],
    ['2012-02-29', '2025-03-01T00:00:00Z', 13],
    ['not-a-date', '2025-03-01T00:00:00Z', undefined],
  ])('someone born %s is %s years old at %s', (born, at, age) => {
    expect(ageOn(born, new Date(at))).toBe(age);
  });

  it('never decreases as time passes (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 1, max: 4000 }),
        (birth, offsetDays, laterDays) => {
          const born = birth.toISOString().slice(0, 10);
          const first = new Date(birth.getTime() + offsetDays * 86_400_000);
          const later = new Date(first.getTime() + laterDays * 86_400_000);
          const a = ageOn(born, first) ?? 0;
          const b = ageOn(born, later) ?? 0;
          return b >= a && b - a <= Math.ceil(laterDays / 365) + 1;
        },
      ),
    );
  });

  it('treats a kind that may be a minor, of unknown age, as a child; others of unknown age as adults', () => {
    const minors = examplePolicy('kexara').document.minors;
    expect(minorStatus(minors, undefined, true).needsGuardianConsent).toBe(true);
    expect(minorStatus(minors, undefined, false).isBelowMinimumAge).toBe(false);
    expect(minorStatus(minors, 12, false)).toMatchObject({ isBelowMinimumAge: true });
    expect(minorStatus(minors, 15, false)).toMatchObject({
      isBelowMinimumAge: false,
      needsGuardianConsent: false,
      guardianMayAct: true,
    });
    expect(minorStatus(undefined, 5, true).isBelowMinimumAge).toBe(false);
  });
});

describe('consent as a basis of processing', () => {
  const masterclass = examplePolicy('career-masterclass');
  const kindergarten = examplePolicy('kindergarten-platform');
  const none = { consentedPurposes: new Set<string>() };

  it.each([
    // [category, action, purpose, consented purposes, allowed]
    ['ethnic-origin', 'read', 'research-ethnic-origin', [], false],
    ['ethnic-origin', 'read', 'research-ethnic-origin', ['research-ethnic-origin'], true],
    ['ethnic-origin', 'read', undefined, [], false],
    ['ethnic-origin', 'read', undefined, ['research-ethnic-origin'], true],
    ['ethnic-origin', 'delete', undefined, [], true],
    ['ethnic-origin', 'export', undefined, [], true],
    ['research-data', 'read', undefined, ['research'], true],
    ['account', 'read', undefined, [], true],
  ] as const)(
    'career-masterclass: %s %s for %s with %j → %s',
    (category, action, purpose, consented, allowed) => {
      expect(
        decideConsentBasis(masterclass, category, action, purpose, {
          consentedPurposes: new Set(consented),
        }).allowed,
      ).toBe(allowed);
    },
  );

  it('kindergarten §8: children’s categories need a consent even where another basis exists', () => {
    // child-profile is also used by legal-requests (legal obligation), which does not stand in
    // for the parents' consent the seed requires.
    expect(
      decideConsentBasis(kindergarten, 'child-profile', 'write', undefined, none).allowed,
    ).toBe(false);
    expect(
      decideConsentBasis(kindergarten, 'child-profile', 'write', undefined, {
        consentedPurposes: new Set(['administration']),
      }).allowed,
    ).toBe(true);
  });
});

describe('terms acceptance', () => {
  const v1: ActivatedVersion = { id: 'v1', activatedAt: '2026-01-01', requiresReacceptance: false };
  const v2: ActivatedVersion = { id: 'v2', activatedAt: '2026-02-01', requiresReacceptance: false };
  const v3: ActivatedVersion = { id: 'v3', activatedAt: '2026-03-01', requiresReacceptance: true };

  it.each([
    [[v1], [], false],
    [[v1], ['v1'], true],
    [[v1, v2], ['v1'], true],
    [[v1, v2, v3], ['v1'], false],
    [[v1, v2, v3], ['v2'], false],
    [[v1, v2, v3], ['v3'], true],
    [[], ['v1'], false],
  ] as const)('history %j, accepted %j → %s', (history, accepted, current) => {
    expect(hasAcceptedCurrentTerms(history, new Set(accepted))).toBe(current);
  });
});

import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  linkKeyIdOf,
  readLinkEnvelope,
  signLink,
  verifyLink,
  type LinkClaims,
  type LinkKey,
} from '../../src/crypto/signed-links.js';

function newKey(): LinkKey {
  const secret = randomBytes(32);
  return { id: linkKeyIdOf(secret), secret };
}

const NOW = new Date('2026-03-02T09:00:00.000Z');
const IN_A_YEAR = new Date('2027-03-02T09:00:00.000Z');

const claims: LinkClaims = {
  purpose: 'unsubscribe',
  organizationId: 'org-1',
  personId: 'person-1',
  expiresAt: IN_A_YEAR,
  channel: 'email',
  scope: 'family',
};

const TOKEN_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %';

const claimsArbitrary: fc.Arbitrary<LinkClaims> = fc.record(
  {
    purpose: fc.constantFrom('unsubscribe' as const, 'marketing-opt-in' as const),
    organizationId: fc.uuid(),
    personId: fc.uuid(),
    expiresAt: fc.date({
      min: new Date('2026-03-03T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    channel: fc.constantFrom('email', 'sms', 'phone', 'all'),
    scope: fc.constantFrom('person' as const, 'family' as const),
  },
  { requiredKeys: ['purpose', 'organizationId', 'personId', 'expiresAt'] },
);

describe('signed links', () => {
  it('verifies a link it signed and gives back what it says, expiry to the second', () => {
    const key = newKey();
    const token = signLink(key, { ...claims, expiresAt: new Date(IN_A_YEAR.getTime() + 999) });
    expect(verifyLink(token, key, NOW, ['unsubscribe'])).toEqual({ status: 'valid', claims });
    expect(readLinkEnvelope(token)).toEqual({ keyId: key.id, organizationId: 'org-1' });
    // Safe in a URL query as it is.
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('tells a genuine link past its expiry apart, from the expiry instant on', () => {
    const key = newKey();
    const token = signLink(key, claims);
    expect(verifyLink(token, key, new Date(IN_A_YEAR.getTime() - 1), ['unsubscribe']).status).toBe(
      'valid',
    );
    expect(verifyLink(token, key, IN_A_YEAR, ['unsubscribe'])).toEqual({
      status: 'expired',
      claims,
    });
  });

  it('refuses a link of another organisation’s key, and a forged one says nothing of expiry', () => {
    const token = signLink(newKey(), { ...claims, expiresAt: new Date('2026-01-01T00:00:00Z') });
    const other = newKey();
    expect(verifyLink(token, other, NOW, ['unsubscribe'])).toEqual({
      status: 'invalid',
      reason: 'signature',
    });
  });

  it('refuses a genuine link for another purpose', () => {
    const key = newKey();
    const token = signLink(key, { ...claims, purpose: 'unsubscribe' });
    expect(verifyLink(token, key, NOW, ['marketing-opt-in'])).toEqual({
      status: 'invalid',
      reason: 'purpose',
    });
  });

  it('refuses a payload re-signed as someone else without the key: swapping parts of two links', () => {
    const key = newKey();
    const mine = signLink(key, claims);
    const theirs = signLink(key, { ...claims, personId: 'person-2' });
    const [, payload] = theirs.split('.');
    const [, , mac] = mine.split('.');
    expect(verifyLink(`v1.${payload ?? ''}.${mac ?? ''}`, key, NOW, ['unsubscribe']).status).toBe(
      'invalid',
    );
  });

  it.each([
    ['empty', ''],
    ['no parts', 'v1'],
    ['another version', 'v2.eyJrIjoiYSJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a payload that is not JSON', 'v1.bm90IGpzb24.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a MAC of the wrong length', 'v1.eyJrIjoiYSJ9.AAAA'],
    ['a huge token', `v1.${'A'.repeat(5000)}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`],
  ])('refuses %s as malformed without needing a key', (_name, token) => {
    expect(readLinkEnvelope(token)).toBeUndefined();
    expect(verifyLink(token, newKey(), NOW, ['unsubscribe'])).toEqual({
      status: 'invalid',
      reason: 'malformed',
    });
  });

  it('property: a link verifies with its key and for its purpose', () => {
    fc.assert(
      fc.property(claimsArbitrary, (generated) => {
        const key = newKey();
        const result = verifyLink(signLink(key, generated), key, NOW, [generated.purpose]);
        expect(result.status).toBe('valid');
        if (result.status === 'valid') {
          expect(result.claims.personId).toBe(generated.personId);
          expect(result.claims.organizationId).toBe(generated.organizationId);
          expect(result.claims.channel).toBe(generated.channel);
          expect(result.claims.scope).toBe(generated.scope);
        }
      }),
    );
  });

  it('property: any single-character change of a token is rejected', () => {
    const key = newKey();
    fc.assert(
      fc.property(
        claimsArbitrary,
        fc.nat(),
        fc.constantFrom(...Array.from(TOKEN_CHARACTERS)),
        (generated, position, replacement) => {
          const token = signLink(key, generated);
          const at = position % token.length;
          fc.pre(token.charAt(at) !== replacement);
          const altered = token.slice(0, at) + replacement + token.slice(at + 1);
          expect(verifyLink(altered, key, NOW, ['unsubscribe', 'marketing-opt-in']).status).toBe(
            'invalid',
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: a character added or removed anywhere is rejected', () => {
    const key = newKey();
    fc.assert(
      fc.property(claimsArbitrary, fc.nat(), fc.boolean(), (generated, position, isRemoval) => {
        const token = signLink(key, generated);
        const at = position % token.length;
        const altered = isRemoval
          ? token.slice(0, at) + token.slice(at + 1)
          : `${token.slice(0, at)}A${token.slice(at)}`;
        expect(verifyLink(altered, key, NOW, ['unsubscribe', 'marketing-opt-in']).status).toBe(
          'invalid',
        );
      }),
    );
  });
});

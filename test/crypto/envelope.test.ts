import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  decryptValue,
  encryptValue,
  fieldAssociatedData,
  generateKey,
  unwrapKey,
  wrapKey,
  type FieldBinding,
} from '../../src/crypto/envelope.js';

const binding: FieldBinding = {
  organizationId: 'org-1',
  subjectId: 'child-1',
  category: 'health',
  field: 'allergies',
};
const ad = fieldAssociatedData(binding);

/** Replaces one base64url character of part `index` (1 = IV, 2 = body) with a different one. */
function alterPart(sealed: string, index: number, position: number): string {
  const parts = sealed.split('.');
  const part = parts[index] ?? '';
  const at = ((position % part.length) + part.length) % part.length;
  const original = part.charAt(at);
  const replacement = original === 'A' ? 'B' : 'A';
  parts[index] = part.slice(0, at) + replacement + part.slice(at + 1);
  return parts.join('.');
}

function decryptionFailure(action: () => unknown): DecryptionError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    return error as DecryptionError;
  }
  throw new Error('expected a DecryptionError, but decryption succeeded');
}

describe('field encryption', () => {
  it.each([
    ['an empty string', ''],
    ['ASCII text', 'peanuts, penicillin'],
    ['accents and CJK', 'Kajuyalí — アレルギー: 花粉'],
    ['emoji and astral-plane characters', '🥜🚑 𝔘𝔫𝔦𝔠𝔬𝔡𝔢'],
    ['injection strings', `'; DROP TABLE subject_keys; -- <script>alert(1)</script>`],
    ['a long value', 'x'.repeat(100_000)],
  ])('round-trips %s', (_name, plaintext) => {
    const key = generateKey();
    expect(decryptValue(key, encryptValue(key, plaintext, ad), ad)).toBe(plaintext);
  });

  it('writes the versioned compact format v1.<96-bit IV>.<ciphertext and 128-bit tag>', () => {
    const sealed = encryptValue(generateKey(), 'abc', ad);
    const [version, iv, body] = sealed.split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(body ?? '', 'base64url')).toHaveLength(3 + 16);
  });

  it('fails to decrypt with another key', () => {
    const sealed = encryptValue(generateKey(), 'secret', ad);
    expect(decryptionFailure(() => decryptValue(generateKey(), sealed, ad)).reason).toBe(
      'authentication-failed',
    );
  });

  it.each([
    ['another person', { ...binding, subjectId: 'child-2' }],
    ['another field', { ...binding, field: 'medication' }],
    ['another category', { ...binding, category: 'contact' }],
    ['another organisation', { ...binding, organizationId: 'org-2' }],
  ])('fails when the ciphertext is moved to %s', (_name, moved) => {
    const key = generateKey();
    const sealed = encryptValue(key, 'peanuts', ad);
    expect(
      decryptionFailure(() => decryptValue(key, sealed, fieldAssociatedData(moved))).reason,
    ).toBe('authentication-failed');
  });

  it('binds parts unambiguously: ("a.b", "c") and ("a", "b.c") differ', () => {
    expect(fieldAssociatedData({ ...binding, category: 'a.b', field: 'c' })).not.toBe(
      fieldAssociatedData({ ...binding, category: 'a', field: 'b.c' }),
    );
  });

  it('fails when any character of the IV, the ciphertext or the tag is changed', () => {
    const key = generateKey();
    const sealed = encryptValue(key, 'a value of some length', ad);
    const bodyLength = sealed.split('.')[2]?.length ?? 0;
    for (let position = 0; position < 16; position += 1) {
      expect(
        decryptionFailure(() => decryptValue(key, alterPart(sealed, 1, position), ad)),
      ).toBeInstanceOf(DecryptionError);
    }
    for (let position = 0; position < bodyLength; position += 1) {
      decryptionFailure(() => decryptValue(key, alterPart(sealed, 2, position), ad));
    }
  });

  it('fails when the tag is cut short or bytes are appended', () => {
    const key = generateKey();
    const sealed = encryptValue(key, 'value', ad);
    const [version, iv, body] = sealed.split('.');
    const bytes = Buffer.from(body ?? '', 'base64url');
    const shortened = `${version}.${iv}.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`;
    const extended = `${version}.${iv}.${Buffer.concat([bytes, Buffer.from([0])]).toString('base64url')}`;
    decryptionFailure(() => decryptValue(key, shortened, ad));
    decryptionFailure(() => decryptValue(key, extended, ad));
  });

  it.each([
    ['not the format', 'hello', 'malformed'],
    ['an unknown version', 'v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'unsupported-version'],
    ['a tag-less body', 'v1.AAAAAAAAAAAAAAAA.AAAA', 'malformed'],
    ['non-canonical base64url', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAB', 'malformed'],
  ])('reports %s as a typed error', (_name, text, reason) => {
    expect(decryptionFailure(() => decryptValue(generateKey(), text, ad)).reason).toBe(reason);
  });

  it('rejects keys that are not 256 bits', () => {
    expect(() => encryptValue(Buffer.alloc(16), 'x', ad)).toThrow(RangeError);
  });

  it('property: decrypt(encrypt(x)) === x for arbitrary strings', () => {
    const key = generateKey();
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string(),
        (plaintext, field) => {
          const bound = fieldAssociatedData({ ...binding, field });
          expect(decryptValue(key, encryptValue(key, plaintext, bound), bound)).toBe(plaintext);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: encryption is randomised (the same plaintext gives different ciphertexts)', () => {
    const key = generateKey();
    fc.assert(
      fc.property(fc.string(), (plaintext) => {
        expect(encryptValue(key, plaintext, ad)).not.toBe(encryptValue(key, plaintext, ad));
      }),
      { numRuns: 200 },
    );
  });

  it('property: no single-character change to a ciphertext decrypts', () => {
    const key = generateKey();
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.constantFrom(1, 2), (plaintext, position, part) => {
        const sealed = encryptValue(key, plaintext, ad);
        decryptionFailure(() => decryptValue(key, alterPart(sealed, part, position), ad));
      }),
      { numRuns: 300 },
    );
  });
});

describe('key wrapping', () => {
  it('unwraps what it wrapped', () => {
    const wrapping = generateKey();
    const key = generateKey();
    const wrapped = wrapKey(wrapping, 'org-key-1', key, 'subject:child-1');
    expect(unwrapKey(wrapping, 'org-key-1', wrapped, 'subject:child-1').equals(key)).toBe(true);
  });

  it('fails when the wrapped key is presented under another wrapping key id', () => {
    const wrapping = generateKey();
    const wrapped = wrapKey(wrapping, 'org-key-1', generateKey(), 'subject:child-1');
    decryptionFailure(() => unwrapKey(wrapping, 'org-key-2', wrapped, 'subject:child-1'));
  });

  it('fails when a wrapped key is moved to another owner', () => {
    const wrapping = generateKey();
    const wrapped = wrapKey(wrapping, 'org-key-1', generateKey(), 'subject:child-1');
    decryptionFailure(() => unwrapKey(wrapping, 'org-key-1', wrapped, 'subject:child-2'));
  });

  it('refuses to wrap anything but a 256-bit key', () => {
    expect(() => wrapKey(generateKey(), 'k', Buffer.alloc(31), 'c')).toThrow(RangeError);
  });
});

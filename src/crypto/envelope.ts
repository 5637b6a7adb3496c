import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption, pure functions over node:crypto. Three layers of keys, each AES-256-GCM:
 *
 *   master key (environment, key file or a KMS)  wraps  organisation keys (database)
 *   organisation key                              wraps  per-person data keys (database)
 *   per-person data key                           encrypts that person's field values
 *
 * Everything that leaves this module is a compact, versioned string
 * `v1.<base64url 96-bit IV>.<base64url ciphertext ‖ 128-bit tag>`, so a column holds one value and
 * a later `v2` (another algorithm) can be read beside it. Each value and each wrapped key is bound
 * by its associated data to where it belongs: a ciphertext copied into another person's row,
 * another field, or a wrapped key presented under another key id, fails authentication instead of
 * decrypting. Failures throw {@link DecryptionError}; nothing here returns unauthenticated bytes.
 */

/** AES-256: every key in the hierarchy is 32 random bytes. */
export const KEY_BYTES = 32;
/** GCM's recommended 96-bit IV; random per value, so no counter state has to survive restarts. */
const IV_BYTES = 12;
/** The full 128-bit tag: truncated tags weaken GCM's forgery bound. */
const TAG_BYTES = 16;
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';

/**
 * Random IVs stay safe up to 2^32 encryptions per key (NIST SP 800-38D §8.3). A data key encrypts
 * one person's fields and an organisation key wraps one key per person, both far below that.
 */
const FORMAT = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

/** Why a ciphertext or wrapped key could not be opened. */
export type DecryptionFailure =
  /** Not a `v1.<iv>.<data>` string with canonical base64url parts. */
  | 'malformed'
  /** A version prefix this build cannot read. */
  | 'unsupported-version'
  /** Wrong key, wrong associated data, or altered IV, ciphertext or tag. */
  | 'authentication-failed';

/** A ciphertext or wrapped key did not decrypt. The message never contains key or data bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  readonly reason: DecryptionFailure;

  constructor(reason: DecryptionFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.reason = reason;
  }
}

/** Why a key needed for decryption is not there. */
export type KeyUnavailableReason =
  /** The person's data key was destroyed (crypto-shredded): their encrypted fields are gone. */
  | 'subject-key-destroyed'
  /** The person has no data key, so nothing was ever encrypted for them here. */
  | 'subject-key-missing'
  /** The organisation key that wrapped the person's key was destroyed (a shred or a rotation). */
  | 'organization-key-destroyed'
  /** The master key that wrapped the organisation key is not configured (retired or wrong file). */
  | 'master-key-unknown';

/** A key in the hierarchy is missing or destroyed. Expected after crypto-shredding. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
  readonly reason: KeyUnavailableReason;

  constructor(reason: KeyUnavailableReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A fresh 256-bit key from the operating system's CSPRNG. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Where an encrypted value belongs; all four parts enter its associated data. */
export interface FieldBinding {
  organizationId: string;
  subjectId: string;
  category: string;
  field: string;
}

/**
 * The associated data of a field value. JSON of an array is an unambiguous encoding (no two
 * bindings produce the same bytes, whatever characters the parts contain); the leading label
 * separates values from wrapped keys even if a key were ever misused across layers.
 */
export function fieldAssociatedData(binding: FieldBinding): string {
  return JSON.stringify([
    'custodia.field.v1',
    binding.organizationId,
    binding.subjectId,
    binding.category,
    binding.field,
  ]);
}

/** Encrypts one value under a data key; the same plaintext gives a different string every time. */
export function encryptValue(
  dataKey: Uint8Array,
  plaintext: string,
  associatedData: string,
): string {
  return seal(dataKey, Buffer.from(plaintext, 'utf8'), associatedData);
}

/** Decrypts one value; throws {@link DecryptionError} unless key, data and binding all match. */
export function decryptValue(
  dataKey: Uint8Array,
  ciphertext: string,
  associatedData: string,
): string {
  const plaintext = open(dataKey, ciphertext, associatedData);
  // The bytes were authenticated, and encryptValue only ever seals UTF-8 text.
  return plaintext.toString('utf8');
}

/**
 * Wraps a key under another. The wrapping key's id is part of the associated data, so a wrapped
 * key stored beside the wrong key id (after a botched rotation, or on purpose) cannot be opened;
 * `context` binds it to its owner (e.g. organisation and person) so wrapped keys cannot be
 * swapped between rows.
 */
export function wrapKey(
  wrappingKey: Uint8Array,
  wrappingKeyId: string,
  key: Uint8Array,
  context: string,
): string {
  assertKeyLength(key, 'key to wrap');
  return seal(wrappingKey, key, wrapAssociatedData(wrappingKeyId, context));
}

/** Unwraps a key wrapped by {@link wrapKey}; throws {@link DecryptionError} on any mismatch. */
export function unwrapKey(
  wrappingKey: Uint8Array,
  wrappingKeyId: string,
  wrapped: string,
  context: string,
): Buffer {
  const key = open(wrappingKey, wrapped, wrapAssociatedData(wrappingKeyId, context));
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    throw new DecryptionError('malformed', 'The wrapped key does not hold a 256-bit key.');
  }
  return key;
}

function wrapAssociatedData(wrappingKeyId: string, context: string): string {
  return JSON.stringify(['custodia.key-wrap.v1', wrappingKeyId, context]);
}

function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: string): string {
  assertKeyLength(key, 'encryption key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

function open(key: Uint8Array, sealed: string, associatedData: string): Buffer {
  assertKeyLength(key, 'decryption key');
  const match = FORMAT.exec(sealed);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw /^v\d+\./.test(sealed) && !sealed.startsWith(`${VERSION}.`)
      ? new DecryptionError('unsupported-version', 'The ciphertext has an unsupported version.')
      : new DecryptionError('malformed', 'The ciphertext is not in the v1 format.');
  }
  const iv = decodeCanonical(match[1]);
  const body = decodeCanonical(match[2]);
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
    throw new DecryptionError('malformed', 'The ciphertext is too short.');
  }
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new DecryptionError(
      'authentication-failed',
      'The ciphertext failed authentication: wrong key, wrong binding, or altered data.',
      { cause: error },
    );
  }
}

/**
 * Node's base64url decoder ignores stray characters and the unused low bits of the last
 * character; accepting only the canonical spelling means every change to the string is a change
 * to the bytes, which GCM then rejects.
 */
function decodeCanonical(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw new DecryptionError('malformed', 'The ciphertext is not canonical base64url.');
  }
  return bytes;
}

function assertKeyLength(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`The ${what} must be ${KEY_BYTES} bytes, not ${key.length}.`);
  }
}

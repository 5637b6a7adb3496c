import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { AppError, type FieldIssue } from '../errors.js';
import { KEY_BYTES, KeyUnavailableError, generateKey, unwrapKey, wrapKey } from './envelope.js';

/** An organisation key wrapped by a master key, with the id of the master key that wrapped it. */
export interface MasterWrappedKey {
  keyId: string;
  wrapped: string;
}

/**
 * The top of the key hierarchy: wraps and unwraps organisation keys. Asynchronous so that a KMS
 * (AWS KMS Encrypt/Decrypt, Vault transit, GCP KMS) can implement it without changing callers;
 * the master key itself then never enters this process.
 */
export interface MasterKeyProvider {
  /** The current master key: every new wrap uses it. */
  readonly keyId: string;
  /** Every master key id this provider can unwrap with, the current one first. */
  readonly keyIds: readonly string[];
  /** Wraps a 256-bit key; `context` (organisation and key id) is bound as associated data. */
  wrap(key: Uint8Array, context: string): Promise<MasterWrappedKey>;
  /**
   * Unwraps a key. Throws KeyUnavailableError('master-key-unknown') when `wrapped.keyId` is not
   * configured, and DecryptionError when the wrapped bytes or the context do not match.
   */
  unwrap(wrapped: MasterWrappedKey, context: string): Promise<Buffer>;
}

/** One configured master key. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/**
 * Parses master keys, from `crypto.masterKey` or the contents of `crypto.masterKeyFile`.
 *
 * Format: one key per line, `id:base64`, where base64 (standard or URL-safe) decodes to exactly
 * 32 bytes and the id is 1–64 of `A-Z a-z 0-9 . _ -`. **The first key is current**: new
 * organisation keys are wrapped with it; the later lines are previous keys, kept only so that
 * data they wrapped can be read until `custodia keys rotate-master` has re-wrapped it. Blank lines
 * and lines starting with `#` are ignored. A line holding only base64 (no id) is accepted for a
 * single key; its id is derived from the key (`k` + 12 hex digits of a SHA-256 over it), so it is
 * stable across restarts without naming the key. In the environment variable, keys may be
 * separated by commas instead of newlines.
 *
 * ```
 * # current
 * 2025-06:q5p3V0vS0yV7mJ2b8aJ3x1m8mJ0QvJ8m5H1mC2l0Z9s=
 * # previous: remove once `custodia keys rotate-master` reports it unused
 * 2024-12:3Q9x2bYbQ6rQjv1m8gk0N2d5dJ0x2p1V1m0b8bTq7aA=
 * ```
 *
 * Throws CONFIG_INVALID naming `configKey` (and the line) for every bad entry; the key material
 * itself never appears in a message.
 */
export function parseMasterKeys(
  text: string,
  configKey: 'crypto.masterKey' | 'crypto.masterKeyFile',
): MasterKey[] {
  const keys: MasterKey[] = [];
  const issues: FieldIssue[] = [];
  const isFile = configKey === 'crypto.masterKeyFile';
  const entries = text.split(isFile ? /\r?\n/ : /,|\r?\n/);
  entries.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) {
      return;
    }
    const path = isFile
      ? `${configKey} (line ${index + 1})`
      : entries.length > 1
        ? `${configKey} (entry ${index + 1})`
        : configKey;
    const colon = line.indexOf(':');
    const encoded = colon === -1 ? line : line.slice(colon + 1).trim();
    if (!BASE64.test(encoded)) {
      issues.push({ path, message: 'must be base64 of 32 random bytes, optionally after "id:"' });
      return;
    }
    const key = Buffer.from(
      encoded,
      encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64',
    );
    if (key.length !== KEY_BYTES) {
      issues.push({
        path,
        message: `must decode to exactly ${KEY_BYTES} bytes for AES-256, not ${key.length} (generate one with: openssl rand -base64 32)`,
      });
      return;
    }
    const id = colon === -1 ? derivedKeyId(key) : line.slice(0, colon).trim();
    if (!KEY_ID.test(id)) {
      issues.push({ path, message: 'the key id must be 1–64 of A-Z a-z 0-9 . _ -' });
    } else if (keys.some((existing) => existing.id === id)) {
      issues.push({ path, message: `the key id "${id}" appears twice` });
    } else {
      keys.push({ id, key });
    }
  });
  if (issues.length === 0 && keys.length === 0) {
    issues.push({ path: configKey, message: 'holds no key' });
  }
  if (issues.length > 0) {
    throw new AppError('CONFIG_INVALID', 'The configuration is invalid.', { details: { issues } });
  }
  return keys;
}

/** A stable, non-secret name for a key given without one. */
function derivedKeyId(key: Buffer): string {
  return `k${createHash('sha256').update('custodia.master-key-id').update(key).digest('hex').slice(0, 12)}`;
}

/** A provider over master keys held in this process (from the environment or a key file). */
export function createLocalMasterKeyProvider(keys: readonly MasterKey[]): MasterKeyProvider {
  const [current] = keys;
  if (current === undefined) {
    throw new RangeError('A master key provider needs at least one key.');
  }
  // Copies, so a caller that zeroes or reuses its buffers cannot change the provider's keys.
  const byId = new Map(keys.map((entry) => [entry.id, Buffer.from(entry.key)]));
  const currentKey = Buffer.from(current.key);
  return {
    keyId: current.id,
    keyIds: keys.map((entry) => entry.id),
    wrap(key, context) {
      return Promise.resolve({
        keyId: current.id,
        wrapped: wrapKey(currentKey, current.id, key, context),
      });
    },
    unwrap(wrapped, context) {
      // A throw inside the executor becomes a rejection, as it would from a KMS call.
      return new Promise((resolve) => {
        const masterKey = byId.get(wrapped.keyId);
        if (masterKey === undefined) {
          throw new KeyUnavailableError(
            'master-key-unknown',
            `Master key "${wrapped.keyId}" is not configured; data it wrapped cannot be read.`,
          );
        }
        resolve(unwrapKey(masterKey, wrapped.keyId, wrapped.wrapped, context));
      });
    },
  };
}

/**
 * Builds the master key provider from the configuration: `crypto.masterKey` (value) or
 * `crypto.masterKeyFile` (path), exactly one of them. Throws CONFIG_INVALID naming the key.
 */
export async function loadMasterKeyProvider(
  config: Config['crypto'],
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<MasterKeyProvider> {
  if (config.masterKey !== undefined && config.masterKeyFile !== undefined) {
    throw configError('crypto.masterKey', 'set either the key or the key file, not both');
  }
  if (config.masterKey !== undefined) {
    return createLocalMasterKeyProvider(parseMasterKeys(config.masterKey, 'crypto.masterKey'));
  }
  if (config.masterKeyFile !== undefined) {
    let text: string;
    try {
      text = await read(config.masterKeyFile);
    } catch (error) {
      throw configError('crypto.masterKeyFile', `cannot read ${config.masterKeyFile}`, error);
    }
    return createLocalMasterKeyProvider(parseMasterKeys(text, 'crypto.masterKeyFile'));
  }
  throw configError(
    'crypto.masterKeyFile',
    'a master key is required to encrypt personal data: set CUSTODIA_CRYPTO_MASTER_KEY_FILE (or CUSTODIA_CRYPTO_MASTER_KEY)',
  );
}

function configError(path: string, message: string, cause?: unknown): AppError {
  return new AppError('CONFIG_INVALID', 'The configuration is invalid.', {
    details: { issues: [{ path, message }] },
    cause,
  });
}

/**
 * For the demo only: creates a key file with one fresh key (`demo-1:<base64>`) and mode 0600 if
 * none exists, and leaves an existing file untouched. A production deployment provides its key
 * from a secret store: a key generated beside the database is copied into every backup of the
 * directory that holds it, which defeats crypto-shredding (see docs/ARCHITECTURE.md).
 */
export async function ensureDemoMasterKeyFile(path: string): Promise<{ created: boolean }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx' creates atomically and fails if the file exists, so two processes cannot race to
    // write different keys; the mode applies at creation, before any byte is written.
    await writeFile(path, `demo-1:${generateKey().toString('base64')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    return { created: true };
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') {
      return { created: false };
    }
    throw error;
  }
}

function isErrnoException(value: unknown): value is NodeJS.ErrnoException {
  return value instanceof Error && 'code' in value;
}

/**
 * Re-wraps a key under the provider's current master key (for rotation): unwraps it with the
 * master key that wrapped it, wraps it again, and zeroes the plaintext key in memory either way.
 */
export async function rewrapWithCurrentKey(
  provider: MasterKeyProvider,
  wrapped: MasterWrappedKey,
  context: string,
): Promise<MasterWrappedKey> {
  const key = await provider.unwrap(wrapped, context);
  try {
    return await provider.wrap(key, context);
  } finally {
    key.fill(0);
  }
}

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * Ed25519 signatures over audit checkpoints. The signing key never lives in the database: it is
 * stored only wrapped by the master key (src/app/audit/audit-signing-keys.ts), so someone who can
 * rewrite the tables cannot re-sign a rewritten log. Verifiers need only the public key.
 */
export interface AuditSigner {
  keyId: string;
  publicKeyPem: string;
  sign(note: string): string;
}

// PKCS#8 DER prefix for a raw 32-byte Ed25519 private key (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function createAuditSigner(seed: Buffer): AuditSigner {
  if (seed.length !== 32) {
    throw new RangeError('an Ed25519 seed is 32 bytes');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign: (note) => sign(null, Buffer.from(note, 'utf8'), privateKey).toString('base64'),
  };
}

/** Checks a checkpoint signature against trusted public keys (PEM), matched by key id. */
export function createCheckpointVerifier(trustedPublicKeysPem: readonly string[]) {
  const keys = new Map(
    trustedPublicKeysPem.map((pem) => {
      const key = createPublicKey(pem);
      return [keyIdOf(key), key] as const;
    }),
  );
  return (note: string, keyId: string, signature: string): boolean => {
    const key = keys.get(keyId);
    if (key === undefined) {
      return false;
    }
    try {
      return verify(null, Buffer.from(note, 'utf8'), key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  };
}

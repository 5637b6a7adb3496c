import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Secrets are stored only as SHA-256: they are long and random, so a slow hash adds nothing. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretsMatch(expectedHash: string, secret: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Credentials carry their organisation id in clear, so every lookup is scoped to one tenant (and
 * lands on one shard under Citus): session cookie `<organizationId>.<secret>`, API token
 * `cst.<organizationId>.<tokenId>.<secret>`. Only the secret is secret.
 */
export function formatSessionCookie(organizationId: string, secret: string): string {
  return `${organizationId}.${secret}`;
}

export function parseSessionCookie(
  value: string,
): { organizationId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(value);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { organizationId: match[1], secret: match[2] }
    : undefined;
}

export function formatApiToken(organizationId: string, tokenId: string, secret: string): string {
  return `cst.${organizationId}.${tokenId}.${secret}`;
}

export function parseApiToken(
  value: string,
): { organizationId: string; tokenId: string; secret: string } | undefined {
  const match = /^cst\.([A-Za-z0-9-]{1,64})\.([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(
    value,
  );
  return match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined
    ? { organizationId: match[1], tokenId: match[2], secret: match[3] }
    : undefined;
}

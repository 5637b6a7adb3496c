import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links: what lets a person act on their own record without an account — unsubscribe from
 * an email with one click (RFC 8058), opt in again, send a Global Privacy Control opt-out. The
 * token is the only credential, so it names everything the action needs (organisation, person,
 * purpose, expiry, channel, scope) and is authenticated with HMAC-SHA256 under a secret of the
 * organisation that never leaves it (kept wrapped by the master key: src/app/links/link-keys.ts).
 *
 * Token: `v1.<payload>.<mac>`, both parts base64url without padding; payload is a small JSON
 * object; mac = HMAC-SHA256(secret, "custodia.link.v1." + payload text). The MAC covers the
 * payload as sent, character for character, and is compared as text against the one it should
 * be, so no alternative spelling of the same bytes (base64 is lenient) passes. Pure: no I/O.
 */

export const LINK_PURPOSES = [
  'unsubscribe',
  'marketing-opt-in',
  'self-service',
  'retention-review',
  'data-export',
] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

export type LinkScope = 'person' | 'family';

/** What a link says. `channel` and `scope` only for unsubscribe links. */
export interface LinkClaims {
  purpose: LinkPurpose;
  organizationId: string;
  personId: string;
  /** The instant the link stops working (to the second). */
  expiresAt: Date;
  /** The marketing channel the link is about (`email`, `sms`…), or `all`. */
  channel?: string;
  /** Whose marketing it stops: the person's, or their family's too (`unsubscribe_scopes`). */
  scope?: LinkScope;
}

/** One organisation's signing key, unwrapped. */
export interface LinkKey {
  id: string;
  secret: Uint8Array;
}

/** What can be read from a token before it is verified: only which key to verify it with. */
export interface LinkEnvelope {
  keyId: string;
  /** Claimed, not yet proven: only good for finding the key and the audit log to write to. */
  organizationId: string;
}

export type LinkVerification =
  | { status: 'valid'; claims: LinkClaims }
  /** Genuine and for this purpose, but past its expiry. */
  | { status: 'expired'; claims: LinkClaims }
  /** Forged, altered, signed with another key, or for another purpose. */
  | { status: 'invalid'; reason: 'signature' | 'malformed' | 'purpose' };

export const LINK_SECRET_BYTES = 32;

const VERSION = 'v1';
const MAC_CONTEXT = 'custodia.link.v1.';
/** 32 bytes of MAC in base64url without padding. */
const MAC_LENGTH = 43;
/** Far above any real link; bounds the work done on input nobody has authenticated yet. */
const MAX_TOKEN_LENGTH = 2048;
const TOKEN_PATTERN = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

interface Payload {
  /** key id */
  k: string;
  /** organisation */
  o: string;
  /** person (subject) */
  s: string;
  /** purpose */
  p: LinkPurpose;
  /** expiry, seconds since the epoch */
  e: number;
  /** channel */
  c?: string;
  /** scope */
  f?: LinkScope;
}

/** A stable, non-secret name for a key, derived from it (as the audit signer's key id is). */
export function linkKeyIdOf(secret: Uint8Array): string {
  return createHash('sha256')
    .update('custodia.link-key-id:')
    .update(secret)
    .digest('hex')
    .slice(0, 16);
}

function macOf(secret: Uint8Array, payloadText: string): string {
  return createHmac('sha256', secret).update(MAC_CONTEXT).update(payloadText).digest('base64url');
}

/** Signs a link. Expiry is kept to the whole second (rounded down). */
export function signLink(key: LinkKey, claims: LinkClaims): string {
  const payload: Payload = {
    k: key.id,
    o: claims.organizationId,
    s: claims.personId,
    p: claims.purpose,
    e: Math.floor(claims.expiresAt.getTime() / 1000),
    ...(claims.channel === undefined ? {} : { c: claims.channel }),
    ...(claims.scope === undefined ? {} : { f: claims.scope }),
  };
  const payloadText = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${VERSION}.${payloadText}.${macOf(key.secret, payloadText)}`;
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

function decodePayload(payloadText: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const candidate = value as Record<string, unknown>;
  const { k, o, s, p, e, c, f } = candidate;
  if (
    !isString(k) ||
    !isString(o) ||
    !isString(s) ||
    !(LINK_PURPOSES as readonly unknown[]).includes(p) ||
    typeof e !== 'number' ||
    !Number.isSafeInteger(e) ||
    (c !== undefined && !isString(c)) ||
    (f !== undefined && f !== 'person' && f !== 'family')
  ) {
    return undefined;
  }
  return candidate as unknown as Payload;
}

function split(token: string): { payloadText: string; mac: string; payload: Payload } | undefined {
  if (token.length > MAX_TOKEN_LENGTH) {
    return undefined;
  }
  const match = TOKEN_PATTERN.exec(token);
  if (match?.[1] === undefined || match[2] === undefined) {
    return undefined;
  }
  const payload = decodePayload(match[1]);
  return payload === undefined ? undefined : { payloadText: match[1], mac: match[2], payload };
}

/**
 * Which key and organisation a token names, without trusting it: the verifier needs them to find
 * the key. Undefined when the token is not even shaped like one.
 */
export function readLinkEnvelope(token: string): LinkEnvelope | undefined {
  const parts = split(token);
  return parts === undefined
    ? undefined
    : { keyId: parts.payload.k, organizationId: parts.payload.o };
}

/**
 * Verifies a token with the key it names, for one of the purposes the caller accepts. The MAC is
 * checked first and in constant time; only a genuine token is told apart as expired (a forged one
 * learns nothing about expiry), and a genuine token for another purpose is invalid here.
 */
export function verifyLink(
  token: string,
  key: LinkKey,
  now: Date,
  purposes: readonly LinkPurpose[],
): LinkVerification {
  const parts = split(token);
  if (parts === undefined) {
    return { status: 'invalid', reason: 'malformed' };
  }
  const expected = Buffer.from(macOf(key.secret, parts.payloadText), 'ascii');
  const given = Buffer.from(parts.mac, 'ascii');
  if (
    parts.payload.k !== key.id ||
    expected.length !== MAC_LENGTH ||
    given.length !== MAC_LENGTH ||
    !timingSafeEqual(expected, given)
  ) {
    return { status: 'invalid', reason: 'signature' };
  }
  const { payload } = parts;
  if (!purposes.includes(payload.p)) {
    return { status: 'invalid', reason: 'purpose' };
  }
  const claims: LinkClaims = {
    purpose: payload.p,
    organizationId: payload.o,
    personId: payload.s,
    expiresAt: new Date(payload.e * 1000),
    ...(payload.c === undefined ? {} : { channel: payload.c }),
    ...(payload.f === undefined ? {} : { scope: payload.f }),
  };
  return now.getTime() >= claims.expiresAt.getTime()
    ? { status: 'expired', claims }
    : { status: 'valid', claims };
}

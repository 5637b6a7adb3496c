import {
  signLink,
  type LinkClaims,
  type LinkKey,
  type LinkPurpose,
} from '../../crypto/signed-links.js';
import type { OrganizationScope } from '../../store/scope.js';

/** Where each kind of link is answered (src/http/routes/marketing.ts). */
export const LINK_PATHS = {
  unsubscribe: '/api/v1/links/unsubscribe',
  'marketing-opt-in': '/api/v1/links/marketing-opt-in',
  gpc: '/api/v1/links/gpc',
  'self-service': '/api/v1/self-service',
  'retention-review': '/api/v1/links/retention-review',
  'data-export': '/api/v1/links/data-export',
} as const satisfies Record<LinkPurpose | 'gpc', string>;

const DAY_MS = 86_400_000;

/**
 * One year. People act on marketing emails long after they arrive (a promotion found in an archive
 * months later), and a dead unsubscribe link leaves them no easy way out — while withdrawing must
 * stay as easy as consenting (GDPR Art. 7(3); Decree 1377 Art. 9). CAN-SPAM wants the opt-out to
 * work for at least 30 days after sending; mailbox providers expect it to keep working. The link
 * can only stop marketing, so a leaked one does little harm; a year still bounds how long it lives.
 */
export const UNSUBSCRIBE_LINK_LIFETIME_MS = 365 * DAY_MS;

/**
 * Seven days. An opt-in link lifts the person's own suppression, so it goes only to their address
 * (a confirmed opt-in) and lives only as long as it takes to read that email.
 */
export const OPT_IN_LINK_LIFETIME_MS = 7 * DAY_MS;

/**
 * Three days. A self-service link opens the person's own record (and their children's, for a
 * guardian): it is a credential sent to their mailbox, so it lives just long enough to be used.
 */
export const SELF_SERVICE_LINK_LIFETIME_MS = 3 * DAY_MS;

/**
 * Seven days. A download link hands over a copy of everything held about the person: it goes
 * only to their own address, and lives long enough to be used after a weekend.
 */
export const EXPORT_LINK_LIFETIME_MS = 7 * DAY_MS;

/** Where links in emails point: `mail.publicBaseUrl`, never a request's Host header. */
export interface LinkSettings {
  /** The URL people reach this server at, without a trailing slash (`mail.publicBaseUrl`). */
  publicBaseUrl: string;
}

export interface IssuedLink {
  token: string;
  url: string;
  expiresAt: string;
}

/** The absolute address of a link: `<publicBaseUrl><path>?token=<token>`. */
export function linkUrl(
  settings: LinkSettings,
  path: (typeof LINK_PATHS)[keyof typeof LINK_PATHS],
  token: string,
): string {
  return `${settings.publicBaseUrl}${path}?token=${encodeURIComponent(token)}`;
}

/** Signs a link for one person of the organisation with the organisation's key. */
export function issueLink(
  settings: LinkSettings,
  key: LinkKey,
  scope: OrganizationScope,
  claims: Omit<LinkClaims, 'organizationId'>,
): IssuedLink {
  const token = signLink(key, { ...claims, organizationId: scope.organizationId });
  return {
    token,
    url: linkUrl(settings, LINK_PATHS[claims.purpose], token),
    expiresAt: new Date(Math.floor(claims.expiresAt.getTime() / 1000) * 1000).toISOString(),
  };
}

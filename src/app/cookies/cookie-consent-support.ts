import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { PolicyDocument } from '../../policy/schema.js';
import { createOrganizationStore, type OrganizationRow } from '../../store/organization-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import type { AppDeps } from '../context.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/**
 * The random id the banner keeps in a visitor's browser: a UUID or 16–64 URL-safe characters. It
 * names a browser, not a person; the receipt is found by it and by nothing else.
 */
export const VisitorId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a UUID or 16–64 URL-safe characters')
  .describe('A random id the banner keeps in the browser (a UUID or 16–64 URL-safe characters)');

export const RECEIPT_VERSION = 'custodia-cookie-receipt/1';

/**
 * A cookie consent receipt, in the spirit of the Kantara Initiative Consent Receipt
 * Specification: who collected the consent (the controller), under which policy and jurisdictions,
 * when, from whom (a pseudonymous visitor id), and what was agreed to.
 */
export const CookieConsentReceipt = z.object({
  version: z.literal(RECEIPT_VERSION),
  receiptId: z.string(),
  consentTimestamp: z.string().describe('When the choices were recorded (ISO 8601, UTC)'),
  organization: z.object({ slug: z.string(), name: z.string() }).describe('The controller'),
  policy: z.object({
    versionId: z.string(),
    version: z.string().describe('The version label the policy gives itself'),
    privacyNotice: z
      .string()
      .describe('Where the privacy notice of this organisation is published'),
  }),
  jurisdictions: z.array(z.string()),
  visitorId: z.string(),
  gpc: z
    .boolean()
    .describe('True when the browser sent Sec-GPC: 1 and the policy honours it: all refused'),
  choices: z
    .record(z.string(), z.boolean())
    .describe('Every cookie the policy declares → allowed; strictly necessary ones always true'),
});
export type CookieConsentReceipt = z.infer<typeof CookieConsentReceipt>;

/** The organisation behind a public slug, with the policy it enforces now. */
export interface PublishingOrganization {
  organization: OrganizationRow;
  scope: OrganizationScope;
  active: ActivePolicy;
}

/**
 * Finds an organisation by its public slug, the way the privacy notice does. An unknown slug and
 * an organisation without an active policy answer the same NOT_FOUND: there is nothing to consent
 * to, and which slugs exist does not leak.
 */
export async function findPublishingOrganization(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  slug: string,
): Promise<PublishingOrganization> {
  const organization = await findOrganization(deps, slug);
  const scope = scopeOf(organization.id);
  const active = await deps.policies.active(deps.store.db, scope);
  if (active === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return { organization, scope, active };
}

/** The organisation behind a public slug, policy or not; NOT_FOUND when there is none. */
export async function findOrganization(
  deps: Pick<AppDeps, 'store'>,
  slug: string,
): Promise<OrganizationRow> {
  const organization = await createOrganizationStore(deps.store.db).findBySlug(slug);
  if (organization === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return organization;
}

/** Where an organisation's privacy notice is published (a path on this server). */
export function privacyNoticePath(slug: string): string {
  return `/api/v1/privacy-notices/${encodeURIComponent(slug)}`;
}

/** A cookie as the policy declares it (`cookies[]`). */
export type PolicyCookie = PolicyDocument['cookies'][number];

export function receiptOf(
  organization: OrganizationRow,
  policy: ActivePolicy,
  consent: {
    id: string;
    visitorId: string;
    givenAt: string;
    isGpc: boolean;
    choices: Record<string, boolean>;
  },
): CookieConsentReceipt {
  return {
    version: RECEIPT_VERSION,
    receiptId: consent.id,
    consentTimestamp: consent.givenAt,
    organization: { slug: organization.slug, name: policy.policy.document.organisation.name },
    policy: {
      versionId: policy.versionId,
      version: policy.version,
      privacyNotice: privacyNoticePath(organization.slug),
    },
    jurisdictions: [...policy.policy.document.organisation.jurisdictions],
    visitorId: consent.visitorId,
    gpc: consent.isGpc,
    choices: consent.choices,
  };
}

import { z } from 'zod';
import { CookieConsentReceipt, VisitorId } from '../../app/cookies/cookie-consent-support.js';
import { GpcSupport } from '../../app/cookies/read-gpc-support.js';
import { RecordCookieConsentRequest } from '../../app/cookies/record-cookie-consent.js';
import { CookieBannerQuery } from '../../app/cookies/render-cookie-banner.js';
import { PrivacyNoticeParams } from './policy-versions.schemas.js';

export { CookieBannerQuery, CookieConsentReceipt, GpcSupport, RecordCookieConsentRequest };

/** The organisation's public slug, as in its privacy notice's address. */
export const CookieOrganizationParams = z.strictObject({ slug: PrivacyNoticeParams.shape.slug });

export const CookieConsentParams = z.strictObject({
  slug: PrivacyNoticeParams.shape.slug,
  visitorId: VisitorId,
});

export const GpcHeaders = z.looseObject({
  'sec-gpc': z
    .string()
    .optional()
    .describe(
      'Global Privacy Control: "1" asks that every cookie needing consent be refused, when the policy honours it',
    ),
});

export const CookieBannerScript = z
  .string()
  .describe('A self-contained script that shows the banner and exposes window.CustodiaCookies');

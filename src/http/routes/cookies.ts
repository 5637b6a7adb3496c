import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app/context.js';
import { readCookieConsent } from '../../app/cookies/read-cookie-consent.js';
import { readGpcSupport } from '../../app/cookies/read-gpc-support.js';
import { recordCookieConsent } from '../../app/cookies/record-cookie-consent.js';
import { renderCookieBanner } from '../../app/cookies/render-cookie-banner.js';
import { originOf } from '../authenticate.js';
import { ErrorResponse } from '../common.schemas.js';
import { gpcOf } from '../request-signals.js';
import {
  CookieBannerQuery,
  CookieBannerScript,
  CookieConsentParams,
  CookieConsentReceipt,
  CookieOrganizationParams,
  GpcHeaders,
  GpcSupport,
  RecordCookieConsentRequest,
} from './cookies.schemas.js';

/**
 * Visitors of one address may share an IP address (a household, an office behind NAT), so the
 * limit leaves room for many real visitors while stopping a script from filling the table.
 */
export const COOKIE_CONSENT_RATE_LIMIT_PER_MINUTE = 60;

/**
 * The banner and the generated resources are public and change only with a policy activation: a
 * short shared lifetime, then a revalidation against the ETag, which names the policy version.
 */
const PUBLIC_CACHE = 'public, max-age=300';

export interface CookieRouteDeps {
  app: AppDeps;
  /** Recorded consents per minute per client address; COOKIE_CONSENT_RATE_LIMIT_PER_MINUTE if left out. */
  rateLimitPerMinute?: number;
}

/**
 * Cookie consent for the organisation's own websites, and Global Privacy Control. Every route is
 * public and anonymous: visitors have no account. The banner runs on the organisation's site, a
 * different origin, so these answers allow any origin to read them (CORS) — safe because no
 * credential is ever sent or accepted here.
 */
export function cookieRoutes(deps: CookieRouteDeps): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['cookies'];
    const rateLimit = {
      max: deps.rateLimitPerMinute ?? COOKIE_CONSENT_RATE_LIMIT_PER_MINUTE,
      timeWindow: '1 minute',
    };
    const consentsPath = '/api/v1/organizations/:slug/cookie-consents';

    // This plugin is encapsulated: the hook applies to its own routes only, errors included.
    server.addHook('onSend', (_request, reply, payload, done) => {
      void reply.header('access-control-allow-origin', '*');
      done(null, payload);
    });

    server.get(
      '/api/v1/organizations/:slug/cookie-banner.js',
      {
        schema: {
          tags,
          summary: 'The cookie banner script, generated from the active policy’s cookies (public)',
          description:
            'Include it with <script src="…/cookie-banner.js?lang=en" defer></script>. It keeps a ' +
            'random visitor id in localStorage, records choices through POST …/cookie-consents ' +
            'and exposes window.CustodiaCookies.allowed(cookieId).',
          security: [],
          params: CookieOrganizationParams,
          querystring: CookieBannerQuery,
          response: {
            200: {
              description: 'The banner script',
              content: { 'application/javascript': { schema: CookieBannerScript } },
            },
            304: z.null().describe('Not modified: the cached script is still current'),
            400: ErrorResponse,
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const banner = await renderCookieBanner(deps.app, {
          slug: request.params.slug,
          language: request.query.lang,
        });
        void reply
          .header('cache-control', PUBLIC_CACHE)
          .header('etag', banner.etag)
          .header('content-language', banner.language)
          // Loaded by <script> from the organisation's own site: another origin.
          .header('cross-origin-resource-policy', 'cross-origin');
        const cached = request.headers['if-none-match'];
        if (cached !== undefined && cached.split(',').some((tag) => tag.trim() === banner.etag)) {
          return reply.status(304).send(null);
        }
        return reply
          .header('content-type', 'application/javascript; charset=utf-8')
          .send(banner.script);
      },
    );

    server.post(
      consentsPath,
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Record a visitor’s cookie choices; returns a consent receipt (public)',
          description:
            'Strictly necessary cookies are recorded as allowed whatever is sent. With the header ' +
            'Sec-GPC: 1, when the policy honours Global Privacy Control, every other cookie is ' +
            'recorded as refused.',
          security: [],
          params: CookieOrganizationParams,
          headers: GpcHeaders,
          body: RecordCookieConsentRequest,
          response: {
            201: CookieConsentReceipt,
            400: ErrorResponse,
            404: ErrorResponse,
            413: ErrorResponse,
            429: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const receipt = await recordCookieConsent(
          deps.app,
          {
            slug: request.params.slug,
            request: request.body,
            // GPC spec § 3.1: the header's only defined value is "1"; anything else is no signal.
            hasGpcSignal: gpcOf(request).gpc,
          },
          originOf(request),
        );
        return reply.status(201).send(receipt);
      },
    );

    // The banner posts JSON from the organisation's site: the browser asks first (CORS preflight).
    server.options(consentsPath, { schema: { hide: true } }, (_request, reply) =>
      reply
        .status(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type, sec-gpc')
        .header('access-control-max-age', '86400')
        .send(),
    );

    server.get(
      `${consentsPath}/:visitorId`,
      {
        schema: {
          tags,
          summary: 'A visitor’s latest cookie consent receipt (public; the visitor id finds it)',
          security: [],
          params: CookieConsentParams,
          response: { 200: CookieConsentReceipt, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      (request) =>
        readCookieConsent(deps.app, {
          slug: request.params.slug,
          visitorId: request.params.visitorId,
        }),
    );

    server.get(
      '/.well-known/gpc.json',
      {
        schema: {
          tags,
          summary: 'Global Privacy Control support of this site (GPC specification § 3.5)',
          security: [],
          response: { 200: GpcSupport },
        },
      },
      async (_request, reply) => {
        const support = await readGpcSupport(deps.app);
        return reply
          .header('content-type', 'application/json')
          .header('cache-control', PUBLIC_CACHE)
          .send(support);
      },
    );
    return Promise.resolve();
  };
}

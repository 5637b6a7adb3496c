import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { inviteMarketingOptIn } from '../../app/links/invite-marketing-opt-in.js';
import { describeOptInLink, optInByLink } from '../../app/links/opt-in-by-link.js';
import { LINK_PATHS, type LinkSettings } from '../../app/links/signed-link-urls.js';
import {
  exportMarketingAudience,
  sendMarketingEmail,
} from '../../app/marketing/marketing-audience.js';
import { recordGpcSignal } from '../../app/marketing/record-gpc-signal.js';
import { describeUnsubscribeLink, unsubscribeByLink } from '../../app/marketing/unsubscribe.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { gpcOf } from '../request-signals.js';
import { errorResponses, OrganizationParams } from '../common.schemas.js';
import { PersonParams } from './people.schemas.js';
import {
  GpcOutcome,
  LinkGpcHeaders,
  linkErrorResponses,
  LinkQuery,
  mailingErrorResponses,
  MarketingAudience,
  MarketingAudienceQuery,
  MarketingCampaignResult,
  MarketingOptInOutcome,
  MarketingOptInRequest,
  OptInInvitation,
  OptInLinkView,
  SendMarketingEmailRequest,
  UnsubscribeLinkView,
  UnsubscribeOutcome,
} from './marketing.schemas.js';

/**
 * Requests per minute per client address on the public link routes. A token cannot be guessed
 * (a 256-bit MAC); the limit keeps a script from filling an organisation's audit log with
 * refusals, and leaves room for a household or office behind one address.
 */
export const LINK_RATE_LIMIT_PER_MINUTE = 120;

export interface MarketingRouteDeps {
  app: AppDeps;
  authenticate: Authenticator;
  /** Link requests per minute per client address; LINK_RATE_LIMIT_PER_MINUTE if left out. */
  rateLimitPerMinute?: number;
}

/**
 * Marketing: the audience and campaigns for staff holding `send-marketing`, and the public signed
 * links people use without an account — one-click unsubscribe (RFC 8058), opting in again, and a
 * Global Privacy Control opt-out.
 */
export function marketingRoutes(deps: MarketingRouteDeps): FastifyPluginAsyncZod {
  const settings: LinkSettings = { publicBaseUrl: deps.app.publicBaseUrl };
  const app = { ...deps.app, ...settings };
  return (server) => {
    const tags = ['marketing'];
    const organization = '/api/v1/organizations/:organizationId';
    const rateLimit = {
      max: deps.rateLimitPerMinute ?? LINK_RATE_LIMIT_PER_MINUTE,
      timeWindow: '1 minute',
    };

    // RFC 8058 §3.1: a mail client's one-click POST carries `List-Unsubscribe=One-Click` as
    // application/x-www-form-urlencoded or multipart/form-data. The token in the address is all
    // that counts, so the body is read (within the body limit) and ignored. This plugin is
    // encapsulated: the parsers apply to its own routes only.
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      server.addContentTypeParser(type, { parseAs: 'string' }, (_request, _body, done) => {
        done(null, undefined);
      });
    }

    server.get(
      `${organization}/marketing/audience`,
      {
        schema: {
          tags,
          summary:
            'Who marketing may reach on a channel now, with addresses and one-click unsubscribe links',
          description:
            'Consent in force for the channel, enrolled within the policy’s window, no children ' +
            'where the policy forbids it, and not on the suppression list. Needs send-marketing.',
          params: OrganizationParams,
          querystring: MarketingAudienceQuery,
          response: { 200: MarketingAudience, ...errorResponses },
        },
      },
      async (request) =>
        exportMarketingAudience(
          app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.query,
          originOf(request),
        ),
    );

    server.post(
      `${organization}/marketing/campaigns`,
      {
        schema: {
          tags,
          summary: 'Send a marketing email to the audience, each with its own unsubscribe link',
          description:
            'One email per person, with List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). ' +
            'Needs send-marketing.',
          params: OrganizationParams,
          body: SendMarketingEmailRequest,
          response: { 200: MarketingCampaignResult, ...mailingErrorResponses },
        },
      },
      async (request) =>
        sendMarketingEmail(
          app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.body,
          originOf(request),
        ),
    );

    server.post(
      `${organization}/people/:personId/marketing-opt-in-invitations`,
      {
        schema: {
          tags,
          summary: 'Email the person a signed link to opt in to marketing again',
          description:
            'The link goes only to the person’s own address: only they can lift the suppression ' +
            'of an address that unsubscribed.',
          params: PersonParams,
          response: { 202: OptInInvitation, ...mailingErrorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(
            await inviteMarketingOptIn(
              app,
              await deps.authenticate(request),
              request.params.organizationId,
              request.params.personId,
              originOf(request),
            ),
          ),
    );

    server.get(
      LINK_PATHS.unsubscribe,
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'What an unsubscribe link does (public; changes nothing)',
          security: [],
          querystring: LinkQuery,
          response: { 200: UnsubscribeLinkView, ...linkErrorResponses },
        },
      },
      (request) => describeUnsubscribeLink(app, request.query.token, originOf(request)),
    );

    server.post(
      LINK_PATHS.unsubscribe,
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'One-click unsubscribe (RFC 8058; public, the signed token is the credential)',
          description:
            'Withdraws the marketing consents covering the link’s channel and suppresses the ' +
            'address; a family link covers the family. With Sec-GPC: 1, where the policy honours ' +
            'it, every channel. Idempotent.',
          security: [],
          querystring: LinkQuery,
          headers: LinkGpcHeaders,
          response: { 200: UnsubscribeOutcome, ...linkErrorResponses },
        },
      },
      (request) => unsubscribeByLink(app, request.query.token, gpcOf(request), originOf(request)),
    );

    server.post(
      LINK_PATHS.gpc,
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Record a Global Privacy Control opt-out for the person a link names (public)',
          description:
            'Send with Sec-GPC: 1. Withdraws every marketing consent (method gpc) and suppresses ' +
            'every address, where the policy honours GPC.',
          security: [],
          querystring: LinkQuery,
          headers: LinkGpcHeaders,
          response: { 200: GpcOutcome, ...linkErrorResponses },
        },
      },
      (request) => recordGpcSignal(app, request.query.token, gpcOf(request), originOf(request)),
    );

    server.get(
      LINK_PATHS['marketing-opt-in'],
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'What a marketing opt-in link offers (public; changes nothing)',
          security: [],
          querystring: LinkQuery,
          response: { 200: OptInLinkView, ...linkErrorResponses },
        },
      },
      (request) => describeOptInLink(app, request.query.token, originOf(request)),
    );

    server.post(
      LINK_PATHS['marketing-opt-in'],
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Opt in to marketing again through one’s own signed link (public)',
          description:
            'Lifts the suppression of the person’s addresses for those channels. With Sec-GPC: 1, ' +
            'where the policy honours it, this is an opt-out instead.',
          security: [],
          querystring: LinkQuery,
          headers: LinkGpcHeaders,
          body: MarketingOptInRequest,
          response: { 200: MarketingOptInOutcome, ...linkErrorResponses },
        },
      },
      (request) =>
        optInByLink(app, request.query.token, request.body, gpcOf(request), originOf(request)),
    );
    return Promise.resolve();
  };
}

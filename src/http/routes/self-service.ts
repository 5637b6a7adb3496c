import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { inviteSelfService } from '../../app/self-service/invite-self-service.js';
import {
  acceptTermsByLink,
  deleteChildRecord,
  giveConsentByLink,
  modifyOwnRecord,
  readOwnRecord,
  selfServiceOverview,
  withdrawConsentByLink,
} from '../../app/self-service/self-service-actions.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { gpcOf } from '../request-signals.js';
import { errorResponses, ErrorResponse } from '../common.schemas.js';
import { PersonParams } from './people.schemas.js';
import {
  ConsentRecordView,
  LinkGpcHeaders,
  LinkQuery,
  ModifyOwnRecordRequest,
  OwnRecord,
  SelfServiceConsentRequest,
  selfServiceErrorResponses,
  SelfServiceInvitation,
  SelfServiceOverview,
  SelfServicePersonParams,
  SelfServiceWithdrawRequest,
  TermsAcceptanceView,
  WithdrawalOutcome,
} from './self-service.schemas.js';
import { z } from 'zod';

/** Self-service requests per minute per client address. */
export const SELF_SERVICE_RATE_LIMIT_PER_MINUTE = 60;

/**
 * The person's own privacy page, opened with a signed link emailed to them (no account needed):
 * their record, consents and terms, and, for a guardian, their children's as the policy allows.
 */
export function selfServiceRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['self-service'];
    const base = '/api/v1/self-service';
    const person = `${base}/people/:personId`;
    const config = {
      rateLimit: { max: SELF_SERVICE_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
    };
    const common = { tags, security: [], querystring: LinkQuery };

    server.post(
      '/api/v1/organizations/:organizationId/people/:personId/self-service-invitations',
      {
        schema: {
          tags,
          summary: 'Email a person a link to their own privacy page (staff; never shown to staff)',
          params: PersonParams,
          response: { 202: SelfServiceInvitation, ...errorResponses, 503: ErrorResponse },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(
            await inviteSelfService(
              deps.app,
              await deps.authenticate(request),
              request.params.organizationId,
              request.params.personId,
              originOf(request),
            ),
          ),
    );

    server.get(
      base,
      {
        config,
        schema: {
          ...common,
          summary: 'One’s consents, terms and children (public, signed link)',
          headers: LinkGpcHeaders,
          response: { 200: SelfServiceOverview, ...selfServiceErrorResponses },
        },
      },
      (request) =>
        selfServiceOverview(deps.app, request.query.token, gpcOf(request), originOf(request)),
    );

    server.get(
      person,
      {
        config,
        schema: {
          ...common,
          summary: 'Read one’s own record, or a child’s as their guardian (public, signed link)',
          params: SelfServicePersonParams,
          response: { 200: OwnRecord, ...selfServiceErrorResponses },
        },
      },
      (request) =>
        readOwnRecord(deps.app, request.query.token, request.params.personId, originOf(request)),
    );

    server.patch(
      `${person}/data`,
      {
        config,
        schema: {
          ...common,
          summary: 'Correct one’s own record, or a child’s where the policy allows (signed link)',
          params: SelfServicePersonParams,
          body: ModifyOwnRecordRequest,
          response: {
            200: z.object({ categories: z.array(z.string()) }),
            ...selfServiceErrorResponses,
          },
        },
      },
      (request) =>
        modifyOwnRecord(
          deps.app,
          request.query.token,
          request.params.personId,
          request.body,
          originOf(request),
        ),
    );

    server.delete(
      person,
      {
        config,
        schema: {
          ...common,
          summary:
            'Delete a child’s record as their guardian, where the policy allows (signed link)',
          params: SelfServicePersonParams,
          response: { 200: z.object({ deleted: z.literal(true) }), ...selfServiceErrorResponses },
        },
      },
      (request) =>
        deleteChildRecord(
          deps.app,
          request.query.token,
          request.params.personId,
          originOf(request),
        ),
    );

    server.post(
      `${person}/consents`,
      {
        config,
        schema: {
          ...common,
          summary: 'Give a consent for oneself, or for a child as their guardian (signed link)',
          params: SelfServicePersonParams,
          headers: LinkGpcHeaders,
          body: SelfServiceConsentRequest,
          response: { 201: ConsentRecordView, ...selfServiceErrorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await giveConsentByLink(
              deps.app,
              request.query.token,
              request.params.personId,
              request.body,
              gpcOf(request),
              originOf(request),
            ),
          ),
    );

    server.post(
      `${person}/consents/withdraw`,
      {
        config,
        schema: {
          ...common,
          summary: 'Withdraw a consent, at once (signed link)',
          params: SelfServicePersonParams,
          body: SelfServiceWithdrawRequest,
          response: { 200: WithdrawalOutcome, ...selfServiceErrorResponses },
        },
      },
      (request) =>
        withdrawConsentByLink(
          deps.app,
          request.query.token,
          request.params.personId,
          request.body,
          originOf(request),
        ),
    );

    server.post(
      `${person}/terms-acceptances`,
      {
        config,
        schema: {
          ...common,
          summary: 'Accept the terms in force, for oneself or a child (signed link)',
          params: SelfServicePersonParams,
          response: { 201: TermsAcceptanceView, ...selfServiceErrorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await acceptTermsByLink(
              deps.app,
              request.query.token,
              request.params.personId,
              originOf(request),
            ),
          ),
    );
    return Promise.resolve();
  };
}

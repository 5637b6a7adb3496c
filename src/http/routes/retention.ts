import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app/context.js';
import {
  LegalHoldView,
  listLegalHolds,
  placeLegalHold,
  PlaceLegalHoldRequest,
  releaseLegalHold,
} from '../../app/retention/legal-holds.js';
import { planRetention, RetentionPlan } from '../../app/retention/plan-retention.js';
import {
  RecordedRetentionEvent,
  recordRetentionEvent,
  RecordRetentionEventRequest,
} from '../../app/retention/record-retention-event.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, Id, OrganizationParams } from '../common.schemas.js';
import { NoContent } from './auth.schemas.js';

const PlanQuery = z.strictObject({
  asOf: z.iso.datetime().optional().describe('Plan as of this instant (default: now)'),
  waiting: z.stringbool().default(false).describe('Also list data waiting for an event'),
});

/** Retention: the plan, the events only the outside world knows, and legal holds. */
export function retentionRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['retention'];
    const organization = '/api/v1/organizations/:organizationId';

    server.get(
      `${organization}/retention/plan`,
      {
        schema: {
          tags,
          summary: 'What retention will do, to whom, when and under which rule (changes nothing)',
          params: OrganizationParams,
          querystring: PlanQuery,
          response: { 200: RetentionPlan, ...errorResponses },
        },
      },
      async (request) =>
        planRetention(deps.app, await deps.authenticate(request), request.params.organizationId, {
          ...(request.query.asOf === undefined ? {} : { asOf: new Date(request.query.asOf) }),
          includeWaiting: request.query.waiting,
        }),
    );

    server.post(
      `${organization}/retention/events`,
      {
        schema: {
          tags,
          summary:
            'Record an account closed, a deletion request, last activity or the contract end',
          params: OrganizationParams,
          body: RecordRetentionEventRequest,
          response: { 201: RecordedRetentionEvent, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await recordRetentionEvent(
              deps.app,
              await deps.authenticate(request),
              request.params.organizationId,
              request.body,
              originOf(request),
            ),
          ),
    );

    server.get(
      `${organization}/legal-holds`,
      {
        schema: {
          tags,
          summary: 'Legal holds, in force and ended',
          params: OrganizationParams,
          response: { 200: z.object({ holds: z.array(LegalHoldView) }), ...errorResponses },
        },
      },
      async (request) =>
        listLegalHolds(deps.app, await deps.authenticate(request), request.params.organizationId),
    );

    server.post(
      `${organization}/legal-holds`,
      {
        schema: {
          tags,
          summary: 'Place a legal hold: retention actions on what it covers wait until it ends',
          params: OrganizationParams,
          body: PlaceLegalHoldRequest,
          response: { 201: LegalHoldView, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await placeLegalHold(
              deps.app,
              await deps.authenticate(request),
              request.params.organizationId,
              request.body,
              originOf(request),
            ),
          ),
    );

    server.post(
      `${organization}/legal-holds/:holdId/release`,
      {
        schema: {
          tags,
          summary: 'Release a legal hold',
          params: OrganizationParams.extend({ holdId: Id }),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await releaseLegalHold(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.holdId,
          originOf(request),
        );
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}

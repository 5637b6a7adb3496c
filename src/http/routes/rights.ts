import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app/context.js';
import { LINK_PATHS } from '../../app/links/signed-link-urls.js';
import {
  CompleteRequest,
  completeRightsRequest,
} from '../../app/rights/complete-rights-request.js';
import {
  ExtendRequest,
  extendRightsRequest,
  RefuseRequest,
  refuseRightsRequest,
} from '../../app/rights/decide-rights-request.js';
import {
  DisclosureView,
  LiftRestrictionRequest,
  liftRestriction,
  recordDisclosure,
  RecordDisclosureRequest,
} from '../../app/rights/disclosures-and-restrictions.js';
import { openExportDownload } from '../../app/rights/download-export.js';
import {
  getRightsRequest,
  listRightsRequests,
  OnTimeReport,
  OnTimeReportQuery,
  RightsQueue,
  RightsQueueQuery,
  rightsOnTimeReport,
} from '../../app/rights/list-rights-requests.js';
import { RightsRequestView } from '../../app/rights/rights-support.js';
import {
  SelfServiceRightsRequest,
  StaffRightsRequest,
  submitRightsRequestBySelfService,
  submitRightsRequestForPerson,
} from '../../app/rights/submit-rights-request.js';
import {
  DocumentCheck,
  VerifyRequest,
  verifyByDocumentCheck,
  verifyRightsRequest,
} from '../../app/rights/verify-identity.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, Id, OrganizationParams } from '../common.schemas.js';
import { NoContent } from './auth.schemas.js';
import { LINK_RATE_LIMIT_PER_MINUTE } from './marketing.js';
import { LinkQuery, linkErrorResponses } from './marketing.schemas.js';

const RequestParams = OrganizationParams.extend({ requestId: Id });
const PersonParams = OrganizationParams.extend({ personId: Id });

/**
 * Data subject requests (issue 8): the staff queue and its actions (`handle-rights-requests`),
 * and the public edges a person uses — a request through their self-service link, the emailed
 * verification code, and the expiring download of their data.
 */
export function rightsRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  const rateLimit = { max: LINK_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };
  return (server) => {
    const tags = ['rights'];
    const organization = '/api/v1/organizations/:organizationId';
    const requests = `${organization}/rights-requests`;
    const auth = (request: Parameters<Authenticator>[0]) => deps.authenticate(request);

    server.post(
      `${organization}/people/:personId/rights-requests`,
      {
        schema: {
          tags,
          summary: 'Record a request received by phone, email or post (identity then verified)',
          params: PersonParams,
          body: StaffRightsRequest,
          response: { 201: RightsRequestView, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await submitRightsRequestForPerson(
              deps.app,
              await auth(request),
              request.params.organizationId,
              request.params.personId,
              request.body,
              originOf(request),
            ),
          ),
    );

    server.get(
      requests,
      {
        schema: {
          tags,
          summary: 'The queue: requests with their deadlines, newest first',
          params: OrganizationParams,
          querystring: RightsQueueQuery,
          response: { 200: RightsQueue, ...errorResponses },
        },
      },
      async (request) =>
        listRightsRequests(
          deps.app,
          await auth(request),
          request.params.organizationId,
          request.query,
        ),
    );

    server.get(
      `${requests}/report`,
      {
        schema: {
          tags,
          summary: 'On-time report: requests received in a period answered in time, late, open',
          params: OrganizationParams,
          querystring: OnTimeReportQuery,
          response: { 200: OnTimeReport, ...errorResponses },
        },
      },
      async (request) =>
        rightsOnTimeReport(
          deps.app,
          await auth(request),
          request.params.organizationId,
          request.query,
        ),
    );

    server.get(
      `${requests}/:requestId`,
      {
        schema: {
          tags,
          summary: 'One request',
          params: RequestParams,
          response: { 200: RightsRequestView, ...errorResponses },
        },
      },
      async (request) =>
        getRightsRequest(
          deps.app,
          await auth(request),
          request.params.organizationId,
          request.params.requestId,
        ),
    );

    const action = <Body extends z.ZodType>(
      path: string,
      summary: string,
      body: Body,
      run: (
        actor: Awaited<ReturnType<Authenticator>>,
        params: z.infer<typeof RequestParams>,
        input: z.output<Body>,
        origin: ReturnType<typeof originOf>,
      ) => Promise<RightsRequestView>,
    ): void => {
      server.post(
        `${requests}/:requestId/${path}`,
        {
          schema: {
            tags,
            summary,
            params: RequestParams,
            body,
            response: { 200: RightsRequestView, ...errorResponses },
          },
        },
        async (request) =>
          run(
            await auth(request),
            request.params,
            request.body as z.output<Body>,
            originOf(request),
          ),
      );
    };
    action(
      'verify-document',
      'Record identity checked against a document, where the policy allows it',
      DocumentCheck,
      (actor, params, input, origin) =>
        verifyByDocumentCheck(
          deps.app,
          actor,
          params.organizationId,
          params.requestId,
          input,
          origin,
        ),
    );
    action(
      'extend',
      'Extend the deadline once, with the reason the person is told',
      ExtendRequest,
      (actor, params, input, origin) =>
        extendRightsRequest(
          deps.app,
          actor,
          params.organizationId,
          params.requestId,
          input,
          origin,
        ),
    );
    action(
      'refuse',
      'Refuse, with a machine-readable reason the person is told',
      RefuseRequest,
      (actor, params, input, origin) =>
        refuseRightsRequest(
          deps.app,
          actor,
          params.organizationId,
          params.requestId,
          input,
          origin,
        ),
    );
    action(
      'complete',
      'Do what the request asks and answer the person',
      CompleteRequest,
      (actor, params, input, origin) =>
        completeRightsRequest(
          deps.app,
          actor,
          params.organizationId,
          params.requestId,
          input,
          origin,
        ),
    );

    server.post(
      `${organization}/people/:personId/disclosures`,
      {
        schema: {
          tags,
          summary: 'Record categories given to a recipient, so corrections can reach them',
          params: PersonParams,
          body: RecordDisclosureRequest,
          response: { 201: DisclosureView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = await auth(request);
        return reply
          .status(201)
          .send(
            await recordDisclosure(
              deps.app,
              principal,
              request.params.organizationId,
              request.params.personId,
              request.body,
              originOf(request),
            ),
          );
      },
    );

    server.post(
      `${organization}/restrictions/:restrictionId/lift`,
      {
        schema: {
          tags,
          summary: 'Lift a restriction, or go on with an objected purpose on overriding grounds',
          params: OrganizationParams.extend({ restrictionId: Id }),
          body: LiftRestrictionRequest,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await liftRestriction(
          deps.app,
          await auth(request),
          request.params.organizationId,
          request.params.restrictionId,
          request.body,
          originOf(request),
        );
        return reply.status(204).send(null);
      },
    );

    server.post(
      '/api/v1/rights-requests/verify',
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Confirm a request with the code emailed to the address on record (public)',
          security: [],
          body: VerifyRequest,
          response: {
            200: z.object({ status: z.literal('verified'), dueAt: z.string() }),
            ...linkErrorResponses,
          },
        },
      },
      (request) => verifyRightsRequest(deps.app, request.body, originOf(request)),
    );

    server.post(
      '/api/v1/self-service/rights-requests',
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Make a request through one’s own self-service link (public; verified by it)',
          security: [],
          querystring: LinkQuery,
          body: SelfServiceRightsRequest,
          response: { 201: RightsRequestView, ...linkErrorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await submitRightsRequestBySelfService(
              deps.app,
              request.query.token,
              request.body,
              originOf(request),
            ),
          ),
    );

    server.get(
      LINK_PATHS['data-export'],
      {
        config: { rateLimit },
        schema: {
          tags,
          summary:
            'Download a copy of one’s data: a zip of JSON and CSV with an HTML summary (public)',
          security: [],
          querystring: LinkQuery,
          response: { 200: z.unknown().describe('application/zip'), ...linkErrorResponses },
        },
      },
      async (request, reply) => {
        const opened = await openExportDownload(deps.app, request.query.token, originOf(request));
        const body = new PassThrough();
        opened.write(body).catch((error: unknown) => {
          request.log.error({ err: error }, 'export failed while streaming');
        });
        return reply
          .header('content-type', 'application/zip')
          .header('content-disposition', `attachment; filename="${opened.fileName}"`)
          .header('cache-control', 'no-store')
          .send(body);
      },
    );
    return Promise.resolve();
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createApiToken } from '../../app/api-tokens/create-api-token.js';
import { listApiTokens } from '../../app/api-tokens/list-api-tokens.js';
import { revokeApiToken } from '../../app/api-tokens/revoke-api-token.js';
import type { AppDeps } from '../../app/context.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, OrganizationParams } from '../common.schemas.js';
import { NoContent } from './auth.schemas.js';
import {
  ApiTokenParams,
  ApiTokensResponse,
  CreateApiTokenRequest,
  CreateApiTokenResponse,
} from './api-tokens.schemas.js';

export function apiTokenRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['api-tokens'];
    server.get(
      '/api/v1/organizations/:organizationId/api-tokens',
      {
        schema: {
          tags,
          summary: 'List the organisation’s API tokens (never their secrets)',
          params: OrganizationParams,
          response: { 200: ApiTokensResponse, ...errorResponses },
        },
      },
      async (request) => ({
        apiTokens: await listApiTokens(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
        ),
      }),
    );

    server.post(
      '/api/v1/organizations/:organizationId/api-tokens',
      {
        schema: {
          tags,
          summary: 'Issue an API token for an integration',
          params: OrganizationParams,
          body: CreateApiTokenRequest,
          response: { 201: CreateApiTokenResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createApiToken(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.body,
          originOf(request),
        );
        return reply.status(201).send(created);
      },
    );

    server.delete(
      '/api/v1/organizations/:organizationId/api-tokens/:tokenId',
      {
        schema: {
          tags,
          summary: 'Revoke an API token',
          params: ApiTokenParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiToken(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.tokenId,
          originOf(request),
        );
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { createStaffUser } from '../../app/staff/create-staff-user.js';
import { getStaffUser } from '../../app/staff/get-staff-user.js';
import { listStaffUsers } from '../../app/staff/list-staff-users.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, OrganizationParams } from '../common.schemas.js';
import {
  CreateStaffUserRequest,
  CreateStaffUserResponse,
  StaffUserParams,
  StaffUsersResponse,
  StaffUserView,
} from './staff-users.schemas.js';

export function staffUserRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['staff'];
    server.get(
      '/api/v1/organizations/:organizationId/staff-users',
      {
        schema: {
          tags,
          summary: 'List the organisation’s staff accounts',
          params: OrganizationParams,
          response: { 200: StaffUsersResponse, ...errorResponses },
        },
      },
      async (request) => ({
        users: await listStaffUsers(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
        ),
      }),
    );

    server.post(
      '/api/v1/organizations/:organizationId/staff-users',
      {
        schema: {
          tags,
          summary: 'Create a staff account',
          params: OrganizationParams,
          body: CreateStaffUserRequest,
          response: { 201: CreateStaffUserResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createStaffUser(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.body,
          originOf(request),
        );
        return reply.status(201).send(created);
      },
    );

    server.get(
      '/api/v1/organizations/:organizationId/staff-users/:userId',
      {
        schema: {
          tags,
          summary: 'One staff account',
          params: StaffUserParams,
          response: { 200: StaffUserView, ...errorResponses },
        },
      },
      async (request) =>
        getStaffUser(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.userId,
        ),
    );
    return Promise.resolve();
  };
}

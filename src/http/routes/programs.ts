import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { createProgram } from '../../app/programs/create-program.js';
import { enrollPerson } from '../../app/programs/enroll-person.js';
import { listPrograms } from '../../app/programs/list-programs.js';
import { setEnrollmentStatus } from '../../app/programs/set-enrollment-status.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, OrganizationParams } from '../common.schemas.js';
import { NoContent } from './auth.schemas.js';
import {
  CreateProgramRequest,
  EnrollmentParams,
  EnrollmentView,
  EnrollPersonRequest,
  ProgramParams,
  ProgramsResponse,
  ProgramView,
  SetEnrollmentStatusRequest,
} from './programs.schemas.js';

export function programRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['programs'];
    const organization = '/api/v1/organizations/:organizationId';

    server.post(
      `${organization}/programs`,
      {
        schema: {
          tags,
          summary: 'Create a program: a course, camp, field trip, tour, class…',
          params: OrganizationParams,
          body: CreateProgramRequest,
          response: { 201: ProgramView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createProgram(
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
      `${organization}/programs`,
      {
        schema: {
          tags,
          summary: 'The organisation’s programs',
          params: OrganizationParams,
          response: { 200: ProgramsResponse, ...errorResponses },
        },
      },
      async (request) => ({
        programs: await listPrograms(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
        ),
      }),
    );

    server.post(
      `${organization}/programs/:programId/enrollments`,
      {
        schema: {
          tags,
          summary: 'Enroll a person in a program (moves their last-enrollment date forward)',
          params: ProgramParams,
          body: EnrollPersonRequest,
          response: { 201: EnrollmentView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await enrollPerson(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.programId,
          request.body,
          originOf(request),
        );
        return reply.status(201).send(created);
      },
    );

    server.patch(
      `${organization}/enrollments/:enrollmentId`,
      {
        schema: {
          tags,
          summary: 'Set an enrollment’s status: pending, active, completed or cancelled',
          params: EnrollmentParams,
          body: SetEnrollmentStatusRequest,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await setEnrollmentStatus(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.enrollmentId,
          request.body,
          originOf(request),
        );
        return reply.status(204).send(null);
      },
    );
    return Promise.resolve();
  };
}

import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listAccesses } from '../../app/audit/list-accesses.js';
import type { AppDeps } from '../../app/context.js';
import { createPerson } from '../../app/people/create-person.js';
import { deletePersonCategory } from '../../app/people/delete-person-category.js';
import { deletePerson } from '../../app/people/delete-person.js';
import { linkGuardian } from '../../app/people/link-guardian.js';
import { listPeople } from '../../app/people/list-people.js';
import { readPerson } from '../../app/people/read-person.js';
import { updatePersonData } from '../../app/people/update-person-data.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, OrganizationParams } from '../common.schemas.js';
import { NoContent } from './auth.schemas.js';
import {
  AccessesResponse,
  CreatedPerson,
  CreatePersonRequest,
  DeletedCategory,
  DeletedPerson,
  LinkGuardianRequest,
  ListPeopleQuery,
  PeoplePage,
  PersonCategoryParams,
  PersonParams,
  personErrorResponses,
  PersonView,
  PurposeHeaders,
  StaffUserAccessParams,
  UpdatedPersonData,
  UpdatePersonDataRequest,
} from './people.schemas.js';

export function peopleRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['people'];
    const people = '/api/v1/organizations/:organizationId/people';
    // The purpose a request declares enters the access decision and the audit entry.
    const contextOf = (request: FastifyRequest, purpose: string | undefined) => ({
      origin: originOf(request),
      purpose,
    });

    server.post(
      people,
      {
        schema: {
          tags,
          summary: 'Record a person under the active policy (declared categories and fields only)',
          params: OrganizationParams,
          headers: PurposeHeaders,
          body: CreatePersonRequest,
          response: { 201: CreatedPerson, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createPerson(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.body,
          contextOf(request, request.headers['x-custodia-purpose']),
        );
        return reply.status(201).send(created);
      },
    );

    server.get(
      people,
      {
        schema: {
          tags,
          summary: 'Page through people: ids, kinds and dates only, no personal values',
          params: OrganizationParams,
          querystring: ListPeopleQuery,
          response: { 200: PeoplePage, ...errorResponses },
        },
      },
      async (request) =>
        listPeople(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.query,
        ),
    );

    server.get(
      `${people}/:personId`,
      {
        schema: {
          tags,
          summary:
            'Read a person: categories the role may not read are left out and listed in withheld (audited)',
          params: PersonParams,
          headers: PurposeHeaders,
          response: { 200: PersonView, ...personErrorResponses },
        },
      },
      async (request) =>
        readPerson(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          contextOf(request, request.headers['x-custodia-purpose']),
        ),
    );

    server.patch(
      `${people}/:personId/data`,
      {
        schema: {
          tags,
          summary: 'Add or correct fields of declared categories; fields not named stay (audited)',
          params: PersonParams,
          headers: PurposeHeaders,
          body: UpdatePersonDataRequest,
          response: { 200: UpdatedPersonData, ...personErrorResponses },
        },
      },
      async (request) =>
        updatePersonData(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.body,
          contextOf(request, request.headers['x-custodia-purpose']),
        ),
    );

    server.delete(
      `${people}/:personId/data/:categoryId`,
      {
        schema: {
          tags,
          summary: 'Delete one category of a person’s data (audited)',
          params: PersonCategoryParams,
          headers: PurposeHeaders,
          response: { 200: DeletedCategory, ...errorResponses },
        },
      },
      async (request) =>
        deletePersonCategory(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.params.categoryId,
          contextOf(request, request.headers['x-custodia-purpose']),
        ),
    );

    server.delete(
      `${people}/:personId`,
      {
        schema: {
          tags,
          summary:
            'Delete a person and crypto-shred their data key, so encrypted values die in copies too',
          params: PersonParams,
          headers: PurposeHeaders,
          response: { 200: DeletedPerson, ...errorResponses },
        },
      },
      async (request) =>
        deletePerson(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          contextOf(request, request.headers['x-custodia-purpose']),
        ),
    );

    server.post(
      `${people}/:personId/guardians`,
      {
        schema: {
          tags,
          summary: 'Link a guardian (another person of the organisation) to this minor',
          params: PersonParams,
          body: LinkGuardianRequest,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await linkGuardian(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.body,
          originOf(request),
        );
        return reply.status(204).send(null);
      },
    );

    server.get(
      `${people}/:personId/accesses`,
      {
        schema: {
          tags: ['audit'],
          summary: 'Who accessed this person’s data, what and when, oldest first',
          params: PersonParams,
          response: { 200: AccessesResponse, ...errorResponses },
        },
      },
      async (request) => ({
        accesses: await listAccesses(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          { subjectId: request.params.personId },
        ),
      }),
    );

    server.get(
      '/api/v1/organizations/:organizationId/staff-users/:userId/accesses',
      {
        schema: {
          tags: ['audit'],
          summary: 'Whose data one staff account accessed, what and when, oldest first',
          params: StaffUserAccessParams,
          response: { 200: AccessesResponse, ...errorResponses },
        },
      },
      async (request) => ({
        accesses: await listAccesses(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          { actorId: request.params.userId },
        ),
      }),
    );
    return Promise.resolve();
  };
}

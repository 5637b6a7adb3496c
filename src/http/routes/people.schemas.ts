import { z } from 'zod';
import { AccessView } from '../../app/audit/list-accesses.js';
import { CreatedPerson, CreatePersonRequest } from '../../app/people/create-person.js';
import { LinkGuardianRequest } from '../../app/people/link-guardian.js';
import { ListPeopleQuery, PeoplePage } from '../../app/people/list-people.js';
import { PersonView } from '../../app/people/read-person.js';
import { UpdatePersonDataRequest } from '../../app/people/update-person-data.js';
import { ErrorResponse, errorResponses, Id } from '../common.schemas.js';

export {
  CreatedPerson,
  CreatePersonRequest,
  LinkGuardianRequest,
  ListPeopleQuery,
  PeoplePage,
  PersonView,
  UpdatePersonDataRequest,
};

/** Answers of routes that touch a person's data: 410 once the person was crypto-shredded. */
export const personErrorResponses = { ...errorResponses, 410: ErrorResponse } as const;

export const PersonParams = z.strictObject({ organizationId: Id, personId: Id });

export const PersonCategoryParams = z.strictObject({
  organizationId: Id,
  personId: Id,
  categoryId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a category id'),
});

export const StaffUserAccessParams = z.strictObject({ organizationId: Id, userId: Id });

/**
 * The processing purpose a request declares (a purpose id of the active policy). With one, the
 * access decision also requires that the purpose uses the category and that the role may act for
 * it; it is recorded in the audit entry.
 */
export const PurposeHeaders = z.looseObject({
  'x-custodia-purpose': z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a purpose id')
    .optional()
    .describe('The processing purpose of this access, a purpose id of the active policy'),
});

export const UpdatedPersonData = z.object({
  categories: z.array(z.string()).describe('The categories written'),
});

export const DeletedCategory = z.object({ deletedValues: z.number().int() });

export const DeletedPerson = z.object({
  deletedCategories: z.array(z.string()),
});

export const AccessesResponse = z.object({
  accesses: z.array(AccessView).describe('Oldest first'),
});

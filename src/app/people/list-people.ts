import { z } from 'zod';
import { createPersonStore } from '../../store/person-store.js';
import { authorizeInOrganization } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { requireActivePolicy } from './people-support.js';

export const ListPeopleQuery = z.strictObject({
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  subjectKind: z.string().max(64).optional(),
});
export type ListPeopleQuery = z.input<typeof ListPeopleQuery>;

export const PeoplePage = z.object({
  people: z.array(
    z.object({
      id: z.string(),
      subjectKind: z.string(),
      externalReference: z.string().nullable(),
      createdAt: z.string(),
      lastEnrollmentAt: z.string().nullable(),
    }),
  ),
  next: z.string().nullable().describe('Pass as `after` for the next page; null on the last one'),
});
export type PeoplePage = z.infer<typeof PeoplePage>;

/**
 * Pages through the organisation's people by id: ids, kinds and dates only, no personal values,
 * so a list reveals nothing a role could not see; reading one person is the audited act.
 */
export async function listPeople(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  query: z.output<typeof ListPeopleQuery>,
): Promise<PeoplePage> {
  const scope = authorizeInOrganization(principal, organizationId);
  await requireActivePolicy(deps, scope);
  const rows = await createPersonStore(deps.store.db).list(scope, {
    limit: query.limit,
    ...(query.after === undefined ? {} : { afterId: query.after }),
    ...(query.subjectKind === undefined ? {} : { subjectKind: query.subjectKind }),
  });
  return {
    people: rows.map((row) => ({
      id: row.id,
      subjectKind: row.subjectKind,
      externalReference: row.externalReference,
      createdAt: row.createdAt,
      lastEnrollmentAt: row.lastEnrollmentAt,
    })),
    next: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

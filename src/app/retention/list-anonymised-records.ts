import { z } from 'zod';
import { AppError } from '../../errors.js';
import { createRetentionActionStore } from '../../store/retention-action-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { Actor, AppDeps } from '../context.js';

export const AnonymisedRecordsQuery = z.strictObject({
  category: z.string().min(1).max(64).describe('The category whose anonymised records to list'),
  after: z.string().max(64).optional().describe('The last id of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AnonymisedRecords = z.object({
  category: z.string(),
  records: z.array(
    z.object({
      id: z.string(),
      rule: z.string(),
      fields: z.record(z.string(), z.string()),
      anonymisedIn: z.string().describe('YYYY-MM: all the time an anonymous record carries'),
    }),
  ),
  next: z.string().nullable().describe('Pass as `after` for the next page; null at the end'),
});
export type AnonymisedRecords = z.infer<typeof AnonymisedRecords>;

/**
 * What anonymisation kept of a category (careerexplorer's anonymised assessment answers), for
 * aggregate use: no record says whose it was. Held apart from personal data and outside every
 * right; listed to those who manage retention, a page at a time.
 */
export async function listAnonymisedRecords(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  actor: Actor,
  organizationId: string,
  query: z.infer<typeof AnonymisedRecordsQuery>,
): Promise<AnonymisedRecords> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'manage-retention',
  );
  if (active !== undefined && !active.policy.categories.has(query.category)) {
    throw new AppError('VALIDATION_FAILED', 'The query names no category of the policy.', {
      details: {
        issues: [
          { path: 'category', message: `"${query.category}" is not a category of the policy` },
        ],
      },
    });
  }
  const rows = await createRetentionActionStore(deps.store.db).listAnonymised(
    scope,
    query.category,
    { limit: query.limit, ...(query.after === undefined ? {} : { afterId: query.after }) },
  );
  return {
    category: query.category,
    records: rows.map((row) => ({
      id: row.id,
      rule: row.ruleId,
      fields: row.fields,
      anonymisedIn: row.anonymisedIn,
    })),
    next: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

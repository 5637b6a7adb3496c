import { z } from 'zod';
import { createAuditStore } from '../../store/audit-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';

export const AccessView = z.object({
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  outcome: z.string(),
  subjectId: z.string().nullable(),
  categories: z.array(z.string()),
  withheld: z.array(z.string()),
  purpose: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AccessView = z.infer<typeof AccessView>;

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/**
 * Who accessed a person's data and when (kexara.txt), or what one staff account or token
 * accessed: read from the audit trail, person.* entries only, oldest first.
 */
export async function listAccesses(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  filter: { subjectId: string } | { actorId: string },
): Promise<AccessView[]> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'view-audit-log',
  );
  const rows = await createAuditStore(deps.store.db, deps.store.dialect).listAccesses(scope, {
    ...filter,
    actionPrefix: 'person.',
    limit: 10_000,
  });
  return rows.map((row) => ({
    at: row.occurredAt,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    outcome: row.outcome,
    subjectId: row.subjectId,
    categories: strings(row.details.categories),
    withheld: strings(row.details.withheld),
    purpose: typeof row.details.purpose === 'string' ? row.details.purpose : null,
    ip: row.ip,
  }));
}

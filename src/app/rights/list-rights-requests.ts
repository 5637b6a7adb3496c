import { z } from 'zod';
import { isOverdue, REQUEST_STATUSES, wasOnTime } from '../../domain/rights-request.js';
import { createRightsStore } from '../../store/rights-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { Actor, AppDeps } from '../context.js';
import { requireRequest, RightsRequestView, viewOf } from './rights-support.js';

export const RightsQueueQuery = z.strictObject({
  status: z.enum(REQUEST_STATUSES).optional(),
  open: z.stringbool().optional().describe('Only requests not yet completed or refused'),
  overdue: z.stringbool().optional().describe('Only open requests past their deadline'),
  personId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RightsQueue = z.object({ requests: z.array(RightsRequestView) });

type ListDeps = Pick<AppDeps, 'store' | 'clock' | 'policies'>;

async function authorize(deps: ListDeps, actor: Actor, organizationId: string) {
  return authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'handle-rights-requests',
  );
}

const OPEN = ['received', 'verified', 'in-progress'] as const;

/** The staff queue: requests newest first, with due dates and an overdue flag. */
export async function listRightsRequests(
  deps: ListDeps,
  actor: Actor,
  organizationId: string,
  query: z.output<typeof RightsQueueQuery>,
): Promise<z.infer<typeof RightsQueue>> {
  const { scope, active } = await authorize(deps, actor, organizationId);
  const now = deps.clock.now();
  const rows = await createRightsStore(deps.store.db).listRequests(scope, {
    ...(query.status !== undefined
      ? { statuses: [query.status] }
      : query.open === true || query.overdue === true
        ? { statuses: [...OPEN] }
        : {}),
    ...(query.personId === undefined ? {} : { personId: query.personId }),
    // Filtered in the query, not after the limit: a page of the newest open requests could
    // otherwise hide older overdue ones.
    ...(query.overdue === true ? { dueBefore: now.toISOString() } : {}),
    limit: query.limit,
  });
  return { requests: rows.map((row) => viewOf(active, row, now)) };
}

export async function getRightsRequest(
  deps: ListDeps,
  actor: Actor,
  organizationId: string,
  requestId: string,
): Promise<RightsRequestView> {
  const { scope, active } = await authorize(deps, actor, organizationId);
  return viewOf(active, await requireRequest(deps.store.db, scope, requestId), deps.clock.now());
}

export const OnTimeReportQuery = z.strictObject({
  from: z.iso.date().describe('First day of received requests counted'),
  to: z.iso.date().describe('Last day of received requests counted'),
});

const Counts = z.object({
  received: z.number().int(),
  answeredOnTime: z.number().int(),
  answeredLate: z.number().int(),
  openOverdue: z.number().int(),
  open: z.number().int(),
  extended: z.number().int(),
  refused: z.number().int(),
});

export const OnTimeReport = z.object({
  from: z.string(),
  to: z.string(),
  total: Counts,
  byKind: z.record(z.string(), Counts),
});

/**
 * The on-time report a supervisory authority would ask for: of the requests received in a
 * period, how many were answered (completed or refused) by their deadline, late, or are open.
 */
export async function rightsOnTimeReport(
  deps: ListDeps,
  actor: Actor,
  organizationId: string,
  query: z.output<typeof OnTimeReportQuery>,
): Promise<z.infer<typeof OnTimeReport>> {
  const { scope } = await authorize(deps, actor, organizationId);
  const now = deps.clock.now();
  const rows = await createRightsStore(deps.store.db).listRequests(scope, {
    receivedFrom: `${query.from}T00:00:00.000Z`,
    receivedBefore: new Date(
      new Date(`${query.to}T00:00:00.000Z`).getTime() + 86_400_000,
    ).toISOString(),
    limit: 100_000,
  });
  const empty = () => ({
    received: 0,
    answeredOnTime: 0,
    answeredLate: 0,
    openOverdue: 0,
    open: 0,
    extended: 0,
    refused: 0,
  });
  const total = empty();
  const byKind: Record<string, z.infer<typeof Counts>> = {};
  for (const row of rows) {
    const kind = (byKind[row.kind] ??= empty());
    for (const counts of [total, kind]) {
      counts.received += 1;
      const onTime = wasOnTime(row);
      if (onTime === true) {
        counts.answeredOnTime += 1;
      } else if (onTime === false) {
        counts.answeredLate += 1;
      } else {
        counts.open += 1;
        if (isOverdue(row, now)) {
          counts.openOverdue += 1;
        }
      }
      if (row.extendedDueAt !== null) {
        counts.extended += 1;
      }
      if (row.status === 'refused') {
        counts.refused += 1;
      }
    }
  }
  return { from: query.from, to: query.to, total, byKind };
}

import { z } from 'zod';
import { isHoldInForce } from '../../domain/legal-holds.js';
import { AppError, type FieldIssue } from '../../errors.js';
import { addDuration, parseDuration } from '../../policy/duration.js';
import { inTransaction } from '../../store/db.js';
import { createRetentionStore, type LegalHoldRow } from '../../store/retention-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization, authorizeSystemAction } from '../authorize.js';
import { canPerformSystemAction } from '../../domain/staff-permissions.js';
import type { OrganizationScope } from '../../store/scope.js';
import { actingUserId, actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

export const PlaceLegalHoldRequest = z.strictObject({
  reason: z.string().min(1).max(64).describe('A reason the policy declares'),
  personId: z.string().min(1).max(64).optional().describe('Left out: every person'),
  category: z.string().min(1).max(64).optional().describe('Left out: every category'),
  note: z.string().trim().min(1).max(2000).optional(),
  expiresAt: z.iso.datetime().optional().describe('Capped at the policy’s max_period'),
});
export type PlaceLegalHoldRequest = z.input<typeof PlaceLegalHoldRequest>;

export const LegalHoldView = z.object({
  id: z.string(),
  personId: z.string().nullable(),
  category: z.string().nullable(),
  reason: z.string(),
  note: z.string().nullable(),
  placedAt: z.string(),
  expiresAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  inForce: z.boolean(),
});
export type LegalHoldView = z.infer<typeof LegalHoldView>;

type HoldDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>;

function toView(hold: LegalHoldRow, now: string): LegalHoldView {
  return {
    id: hold.id,
    personId: hold.personId,
    category: hold.categoryId,
    reason: hold.reason,
    note: hold.note,
    placedAt: hold.placedAt,
    expiresAt: hold.expiresAt,
    releasedAt: hold.releasedAt,
    inForce: isHoldInForce(hold, now),
  };
}

/**
 * Only the roles the policy names in `retention.legal_holds.placed_by`, or that hold the
 * `place-legal-hold` system action, place or release holds (and the operator's console); a
 * policy without that section has no holds to place.
 */
async function authorizeHolds(
  deps: HoldDeps,
  actor: Actor,
  organizationId: string,
): Promise<{ scope: OrganizationScope; active: ActivePolicy }> {
  let scope: OrganizationScope;
  let active: ActivePolicy | undefined;
  if (actor.kind === 'system') {
    ({ scope, active } = await authorizeSystemAction(
      { db: deps.store.db, policies: deps.policies },
      actor,
      organizationId,
      'place-legal-hold',
    ));
  } else {
    scope = authorizeInOrganization(actor, organizationId);
    active = await deps.policies.active(deps.store.db, scope);
    const placedBy = active?.policy.document.retention.legal_holds?.placed_by ?? [];
    if (
      !placedBy.includes(actor.role) &&
      !canPerformSystemAction(active?.policy, actor.role, 'place-legal-hold')
    ) {
      throw new AppError('FORBIDDEN', 'Your role may not place or release legal holds.');
    }
  }
  if (active === undefined) {
    throw new AppError('CONFLICT', 'Activate a policy before placing legal holds.');
  }
  if (active.policy.document.retention.legal_holds === undefined) {
    throw new AppError('CONFLICT', 'The active policy declares no legal holds.');
  }
  return { scope, active };
}

/** Places a legal hold: every retention action on what it covers waits until it ends. */
export async function placeLegalHold(
  deps: HoldDeps,
  actor: Actor,
  organizationId: string,
  request: z.output<typeof PlaceLegalHoldRequest>,
  origin: RequestOrigin | undefined,
): Promise<LegalHoldView> {
  const { scope, active } = await authorizeHolds(deps, actor, organizationId);
  const rules = active.policy.document.retention.legal_holds;
  const issues: FieldIssue[] = [];
  if (!rules?.reasons.some((reason) => reason.id === request.reason)) {
    issues.push({
      path: 'reason',
      message: `must be one of ${rules?.reasons.map((reason) => reason.id).join(', ') ?? ''}`,
    });
  }
  if (request.category !== undefined && !active.policy.categories.has(request.category)) {
    issues.push({ path: 'category', message: `"${request.category}" is not a declared category` });
  }
  const now = deps.clock.now();
  if (request.expiresAt !== undefined && new Date(request.expiresAt) <= now) {
    issues.push({ path: 'expiresAt', message: 'must be in the future' });
  }
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'The legal hold cannot be placed.', {
      details: { issues },
    });
  }
  if (request.personId !== undefined) {
    await requirePerson(deps.store.db, scope, request.personId);
  }
  const maximum = rules?.max_period === undefined ? undefined : parseDuration(rules.max_period);
  const cap = maximum === undefined ? undefined : addDuration(now, maximum).toISOString();
  const asked =
    request.expiresAt === undefined ? undefined : new Date(request.expiresAt).toISOString();
  const expiresAt =
    asked === undefined ? (cap ?? null) : cap === undefined || asked < cap ? asked : cap;
  const hold: LegalHoldRow = {
    id: deps.ids.next(),
    personId: request.personId ?? null,
    categoryId: request.category ?? null,
    reason: request.reason,
    note: request.note ?? null,
    placedBy: actingUserId(actor),
    placedAt: now.toISOString(),
    expiresAt,
    releasedAt: null,
    releasedBy: null,
  };
  await inTransaction(deps.store, async (trx) => {
    await createRetentionStore(trx).insertHold(scope, hold);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'retention.hold-placed',
      outcome: 'success',
      subjectId: hold.personId,
      details: { holdId: hold.id, reason: hold.reason, category: hold.categoryId, expiresAt },
    });
  });
  return toView(hold, now.toISOString());
}

/** Releases a hold in force; the actions it suspended fall due again at once if their time has come. */
export async function releaseLegalHold(
  deps: HoldDeps,
  actor: Actor,
  organizationId: string,
  holdId: string,
  origin: RequestOrigin | undefined,
): Promise<void> {
  const { scope } = await authorizeHolds(deps, actor, organizationId);
  const at = deps.clock.now().toISOString();
  await inTransaction(deps.store, async (trx) => {
    if (
      !(await createRetentionStore(trx).releaseHold(scope, holdId, { at, by: actingUserId(actor) }))
    ) {
      throw new AppError('NOT_FOUND', 'Not found.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'retention.hold-released',
      outcome: 'success',
      subjectId: null,
      details: { holdId },
    });
  });
}

export async function listLegalHolds(
  deps: HoldDeps,
  actor: Actor,
  organizationId: string,
): Promise<{ holds: LegalHoldView[] }> {
  const { scope } = await authorizeHolds(deps, actor, organizationId);
  const now = deps.clock.now().toISOString();
  const holds = await createRetentionStore(deps.store.db).listHolds(scope);
  return { holds: holds.map((hold) => toView(hold, now)) };
}

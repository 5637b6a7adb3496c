import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createRetentionStore } from '../../store/retention-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actingUserId, actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { requirePerson } from '../people/people-support.js';

/** The triggers only the outside world knows; the others are read from the record itself. */
export const RecordedTrigger = z.enum([
  'account-closed',
  'deletion-requested',
  'last-activity',
  'contract-terminated',
]);

export const RecordRetentionEventRequest = z.strictObject({
  trigger: RecordedTrigger,
  personId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('The person; left out only for contract-terminated, an event of the organisation'),
  occurredAt: z.iso.datetime().optional().describe('When it happened (default: now; not future)'),
});
export type RecordRetentionEventRequest = z.input<typeof RecordRetentionEventRequest>;

export const RecordedRetentionEvent = z.object({
  id: z.string(),
  trigger: RecordedTrigger,
  personId: z.string().nullable(),
  occurredAt: z.string(),
});
export type RecordedRetentionEvent = z.infer<typeof RecordedRetentionEvent>;

/**
 * Records an event a retention rule counts from (kindergarten: the client contract terminated;
 * kexara: an account closed). Needs `manage-retention`. An event cannot be dated in the future:
 * that would schedule deletions for something that has not happened.
 */
export async function recordRetentionEvent(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  actor: Actor,
  organizationId: string,
  request: z.output<typeof RecordRetentionEventRequest>,
  origin: RequestOrigin | undefined,
): Promise<RecordedRetentionEvent> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'manage-retention',
  );
  const isOrganizationEvent = request.trigger === 'contract-terminated';
  if (isOrganizationEvent !== (request.personId === undefined)) {
    throw new AppError('VALIDATION_FAILED', 'The event does not match its subject.', {
      details: {
        issues: [
          {
            path: 'personId',
            message: isOrganizationEvent
              ? 'contract-terminated is an event of the organisation: leave personId out'
              : `${request.trigger} happens to a person: give personId`,
          },
        ],
      },
    });
  }
  const now = deps.clock.now().toISOString();
  const occurredAt =
    request.occurredAt === undefined ? now : new Date(request.occurredAt).toISOString();
  if (occurredAt > now) {
    throw new AppError('VALIDATION_FAILED', 'The event is dated in the future.', {
      details: { issues: [{ path: 'occurredAt', message: 'must not be in the future' }] },
    });
  }
  if (request.personId !== undefined) {
    await requirePerson(deps.store.db, scope, request.personId);
  }
  const event = {
    id: deps.ids.next(),
    personId: request.personId ?? null,
    trigger: request.trigger,
    occurredAt,
    recordedBy: actingUserId(actor),
    recordedAt: now,
  };
  await inTransaction(deps.store, async (trx) => {
    await createRetentionStore(trx).insertEvent(scope, event);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'retention.event-recorded',
      outcome: 'success',
      subjectId: event.personId,
      details: { trigger: event.trigger, occurredAt },
    });
  });
  return { id: event.id, trigger: request.trigger, personId: event.personId, occurredAt };
}

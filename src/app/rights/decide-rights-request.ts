import { z } from 'zod';
import { REFUSAL_REASONS, statusesBefore } from '../../domain/rights-request.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createRightsStore, type RightsRequestRow } from '../../store/rights-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import {
  extendedClockFor,
  requireRequest,
  tellRequester,
  viewOf,
  type RightsRequestView,
} from './rights-support.js';

export const ExtendRequest = z.strictObject({
  reason: z
    .string()
    .min(10)
    .max(2000)
    .describe('Why more time is needed: told to the person (GDPR Art. 12(3), PIPEDA s. 8(4))'),
});

export const RefuseRequest = z.strictObject({
  reason: z.enum(REFUSAL_REASONS),
  note: z.string().max(2000).optional().describe('Told to the person with the reason'),
});

type DecideDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer'>;

async function authorize(deps: DecideDeps, actor: Actor, organizationId: string) {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'handle-rights-requests',
    'handling requests',
  );
  return { scope, active };
}

/**
 * Extends a request's deadline once, by what the policy's rule for its jurisdiction allows, with
 * a reason the person is told before the first deadline passes (refused after it: an extension
 * cannot rescue a request already late).
 */
export async function extendRightsRequest(
  deps: DecideDeps,
  actor: Actor,
  organizationId: string,
  requestId: string,
  input: z.output<typeof ExtendRequest>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const { scope, active } = await authorize(deps, actor, organizationId);
  const row = await requireRequest(deps.store.db, scope, requestId);
  const now = deps.clock.now();
  if (row.extendedDueAt !== null) {
    throw new AppError('CONFLICT', 'This request was extended already: the law allows it once.');
  }
  if (row.dueAt === null || row.dueAt < now.toISOString()) {
    throw new AppError(
      'CONFLICT',
      'Only a verified request still within its deadline can be extended.',
    );
  }
  const extended = extendedClockFor(active, row);
  if (extended === undefined) {
    throw new AppError('CONFLICT', 'The policy allows no extension for this request.');
  }
  const updated = await inTransaction(deps.store, async (trx) => {
    const moved = await createRightsStore(trx).updateRequest(
      scope,
      row.id,
      ['verified', 'in-progress'],
      { extendedDueAt: extended, extensionReason: input.reason },
    );
    if (!moved) {
      throw new AppError('CONFLICT', 'This request is not open.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'rights.request-extended',
      outcome: 'success',
      subjectId: row.personId,
      details: { requestId: row.id, from: row.dueAt, to: extended, reason: input.reason },
    });
    return { ...row, extendedDueAt: extended, extensionReason: input.reason };
  });
  await tellRequester(deps, scope, active, updated, {
    subject: 'we need more time',
    text: `We need more time to answer your ${row.kind} request: ${input.reason}\nWe will answer by ${extended}.`,
  });
  return viewOf(active, updated, now);
}

/** Refuses a request with a machine-readable reason the person is told, with their recourse. */
export async function refuseRightsRequest(
  deps: DecideDeps,
  actor: Actor,
  organizationId: string,
  requestId: string,
  input: z.output<typeof RefuseRequest>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const { scope, active } = await authorize(deps, actor, organizationId);
  const row = await requireRequest(deps.store.db, scope, requestId);
  const now = deps.clock.now().toISOString();
  const refused: RightsRequestRow = await inTransaction(deps.store, async (trx) => {
    const moved = await createRightsStore(trx).updateRequest(
      scope,
      row.id,
      statusesBefore('refused'),
      {
        status: 'refused',
        refusalReason: input.reason,
        closedAt: now,
        outcome: input.note === undefined ? null : { note: input.note },
      },
    );
    if (!moved) {
      throw new AppError('CONFLICT', `This request is already ${row.status}.`);
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'rights.request-refused',
      outcome: 'success',
      subjectId: row.personId,
      details: { requestId: row.id, reason: input.reason },
    });
    return { ...row, status: 'refused', refusalReason: input.reason, closedAt: now };
  });
  await tellRequester(deps, scope, active, refused, {
    subject: 'your request was refused',
    text: `We cannot act on your ${row.kind} request (${input.reason.replaceAll('-', ' ')}).${input.note === undefined ? '' : ` ${input.note}`}`,
  });
  return viewOf(active, refused, deps.clock.now());
}

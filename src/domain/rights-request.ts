import type { RightKind } from '../policy/schema.js';

/**
 * The life of a data subject request, as the Data Rights Protocol and Moodle's privacy tool model
 * it: received (identity not yet checked: the legal clock is paused, ICO guidance on verifying
 * identity) → verified (the clock runs from here) → in-progress → completed, or refused with a
 * machine-readable reason at any point before completion.
 */
export const REQUEST_STATUSES = [
  'received',
  'verified',
  'in-progress',
  'completed',
  'refused',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Where each status may go next. Completed and refused are final. */
const NEXT: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['verified', 'refused'],
  verified: ['in-progress', 'completed', 'refused'],
  'in-progress': ['completed', 'refused'],
  completed: [],
  refused: [],
};

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses a request can be moved to `to` from. */
export function statusesBefore(to: RequestStatus): RequestStatus[] {
  return REQUEST_STATUSES.filter((status) => NEXT[status].includes(to));
}

/**
 * Why a request is refused: the Data Rights Protocol's denial reasons, plus the two the GDPR
 * names (Art. 12(5): manifestly unfounded or excessive) and a legal exception that covers all of
 * it (e.g. every category is under a legal hold or a statutory retention duty).
 */
export const REFUSAL_REASONS = [
  'suspected-fraud',
  'insufficient-verification',
  'no-match',
  'claim-not-covered',
  'outside-jurisdiction',
  'too-many-requests',
  'manifestly-unfounded',
  'legal-exception',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * Law 1581 runs two clocks: consultations (Art. 14: to know what is held) and claims (Art. 15:
 * to correct, delete, revoke). Other regimes ignore the kind.
 */
export function requestKindOf(right: RightKind): 'consultation' | 'claim' {
  return right === 'access' || right === 'portability' ? 'consultation' : 'claim';
}

/** Whether a request is past its deadline at `now` (the extended one, when extended). */
export function isOverdue(
  request: { status: RequestStatus; dueAt: string | null; extendedDueAt: string | null },
  now: Date,
): boolean {
  const due = request.extendedDueAt ?? request.dueAt;
  return (
    due !== null &&
    request.status !== 'completed' &&
    request.status !== 'refused' &&
    due < now.toISOString()
  );
}

/** Whether a closed request was answered in time: what the on-time report counts. */
export function wasOnTime(request: {
  status: RequestStatus;
  dueAt: string | null;
  extendedDueAt: string | null;
  closedAt: string | null;
}): boolean | undefined {
  const due = request.extendedDueAt ?? request.dueAt;
  if (request.closedAt === null) {
    return undefined;
  }
  return due === null || request.closedAt <= due;
}

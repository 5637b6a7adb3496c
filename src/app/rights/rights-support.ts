import { z } from 'zod';
import { deadlineFor, extendDeadline, legalCalendarOf } from '../../domain/rights-deadline.js';
import {
  REFUSAL_REASONS,
  REQUEST_STATUSES,
  isOverdue,
  requestKindOf,
} from '../../domain/rights-request.js';
import { AppError, isAppError } from '../../errors.js';
import type { Jurisdiction, RightKind } from '../../policy/schema.js';
import { RightKind as RightKindSchema } from '../../policy/schema.js';
import type { Executor } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createRightsStore, type RightsRequestRow } from '../../store/rights-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { AppDeps } from '../context.js';
import { contactAddressesOf } from '../marketing/contact-addresses.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

export const RightsRequestView = z.object({
  id: z.string(),
  personId: z.string(),
  kind: RightKindSchema,
  requestKind: z.enum(['consultation', 'claim']).nullable(),
  jurisdiction: z.string(),
  madeBy: z.enum(['subject', 'guardian', 'staff-on-behalf', 'authorised-agent']),
  requesterId: z.string().nullable(),
  agent: z.record(z.string(), z.string()).nullable(),
  channel: z.string(),
  status: z.enum(REQUEST_STATUSES),
  details: z.record(z.string(), z.unknown()),
  receivedAt: z.string(),
  verifiedAt: z.string().nullable(),
  dueAt: z.string().nullable().describe('The legal deadline; null until identity is verified'),
  extendedDueAt: z.string().nullable(),
  extensionReason: z.string().nullable(),
  closedAt: z.string().nullable(),
  refusalReason: z.enum(REFUSAL_REASONS).nullable(),
  outcome: z.record(z.string(), z.unknown()).nullable(),
  overdue: z.boolean(),
  supervisoryAuthority: z
    .object({ name: z.string(), contact: z.record(z.string(), z.string()) })
    .nullable()
    .describe('Where the person may complain: named in every answer'),
});
export type RightsRequestView = z.infer<typeof RightsRequestView>;

export function viewOf(
  active: ActivePolicy | undefined,
  row: RightsRequestRow,
  now: Date,
): RightsRequestView {
  return {
    ...row,
    kind: row.kind as RightKind,
    refusalReason: row.refusalReason as RightsRequestView['refusalReason'],
    overdue: isOverdue(row, now),
    supervisoryAuthority:
      active === undefined ? null : authorityOf(active, row.jurisdiction as Jurisdiction),
  };
}

export function authorityOf(
  active: ActivePolicy,
  jurisdiction: Jurisdiction,
): RightsRequestView['supervisoryAuthority'] {
  const authority = active.policy.document.organisation.supervisory_authorities[jurisdiction];
  if (authority === undefined) {
    return null;
  }
  const contact = Object.fromEntries(
    Object.entries(authority.contact).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return { name: authority.name, contact };
}

/** "You may complain to …": the sentence every answer to a person ends with. */
export function complaintSentence(active: ActivePolicy, jurisdiction: Jurisdiction): string {
  const authority = authorityOf(active, jurisdiction);
  if (authority === null) {
    return '';
  }
  const how = Object.values(authority.contact).join(', ');
  return `If you are not satisfied, you may complain to ${authority.name}${how === '' ? '' : ` (${how})`}.`;
}

/**
 * The legal clock of a request for `right`, started at `from`: of the policy's jurisdictions
 * whose rules give a deadline for the right, the one that falls due first — a person protected by
 * several regimes gets the shortest answer time any of them promises.
 */
export function clockFor(
  active: ActivePolicy,
  right: RightKind,
  from: Date,
): { jurisdiction: Jurisdiction; requestKind: 'consultation' | 'claim' | null; dueAt: string } {
  let best:
    | { jurisdiction: Jurisdiction; requestKind: 'consultation' | 'claim' | null; dueAt: string }
    | undefined;
  for (const jurisdiction of active.policy.jurisdictions) {
    const kind = requestKindOf(right);
    const rule = active.policy.rightsDeadline(jurisdiction, right, kind);
    if (rule === undefined) {
      continue;
    }
    const { dueAt } = deadlineFor(from, rule.respondWithin, legalCalendarOf(jurisdiction));
    if (best === undefined || dueAt < best.dueAt) {
      best = { jurisdiction, requestKind: rule.requestKind === 'any' ? null : kind, dueAt };
    }
  }
  if (best === undefined) {
    throw new AppError(
      'CONFLICT',
      `The policy gives no deadline for the right "${right}": it cannot be requested here.`,
    );
  }
  return best;
}

/** The extended deadline the policy allows for a request, or undefined when it allows none. */
export function extendedClockFor(active: ActivePolicy, row: RightsRequestRow): string | undefined {
  const rule = active.policy.rightsDeadline(
    row.jurisdiction as Jurisdiction,
    row.kind as RightKind,
    row.requestKind ?? undefined,
  );
  if (rule?.extension === undefined || row.verifiedAt === null) {
    return undefined;
  }
  const calendar = legalCalendarOf(row.jurisdiction as Jurisdiction);
  // Extensions count from the end of the original period (the law extends "the period").
  const original = deadlineFor(new Date(row.verifiedAt), rule.respondWithin, calendar);
  return extendDeadline(
    original,
    { amount: rule.extension.amount, unit: rule.extension.unit },
    calendar,
  ).dueAt;
}

export async function requireRequest(
  db: Executor,
  scope: OrganizationScope,
  requestId: string,
): Promise<RightsRequestRow> {
  const row = await createRightsStore(db).findRequest(scope, requestId);
  if (row === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return row;
}

/**
 * The address answers go to: the person's, or the guardian's who asked for them. Read before an
 * erasure, which deletes it, so that the answer saying what was erased still reaches them.
 */
export async function requesterAddress(
  deps: Pick<AppDeps, 'store' | 'masterKeys'>,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
): Promise<string | undefined> {
  const recipient =
    row.madeBy === 'guardian' && row.requesterId !== null ? row.requesterId : row.personId;
  const { email } = await contactAddressesOf(
    { masterKeys: deps.masterKeys, dialect: deps.store.dialect },
    deps.store.db,
    scope,
    active,
    recipient,
  );
  return email;
}

/**
 * Emails whoever made a request about it: the person, or the guardian who acted for them (an
 * authorised agent is answered through the person, who authorised them). Every step is told; a
 * mail server that is down does not undo the step — the audit entry records that the email failed.
 */
export async function tellRequester(
  deps: Pick<AppDeps, 'store' | 'masterKeys' | 'mailer'>,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
  message: { subject: string; text: string },
  known?: { email: string | undefined },
): Promise<'sent' | 'no-address' | 'failed'> {
  const email =
    known === undefined ? await requesterAddress(deps, scope, active, row) : known.email;
  if (email === undefined) {
    return 'no-address';
  }
  const organization = await createOrganizationStore(deps.store.db).findById(scope.organizationId);
  try {
    await deps.mailer.send({
      to: email,
      subject: `${organization?.name ?? 'Your request'}: ${message.subject}`,
      text: `${message.text}\n\n${complaintSentence(active, row.jurisdiction as Jurisdiction)}\n\nRequest reference: ${row.id}\n`,
    });
    return 'sent';
  } catch (error) {
    if (isAppError(error) && error.code === 'EMAIL_UNAVAILABLE') {
      return 'failed';
    }
    throw error;
  }
}

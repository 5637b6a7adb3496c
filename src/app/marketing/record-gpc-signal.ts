import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction, type Executor } from '../../store/db.js';
import type { PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { verifyLinkToken } from '../links/verify-link.js';
import { requireActivePolicy, requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { optOutIn, type OptOutResult } from './unsubscribe.js';

export const GpcOutcome = z.object({
  honoured: z.boolean().describe('Whether the policy honours Global Privacy Control'),
  withdrawnRecords: z.number().int(),
  withdrawnConsents: z.array(z.string()),
  suppressedChannels: z.array(z.string()),
});
export type GpcOutcome = z.infer<typeof GpcOutcome>;

type GpcDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>;

/**
 * Applies a Global Privacy Control opt-out to one person in the caller's transaction: every
 * marketing consent in force is withdrawn (method `gpc`) and every address of theirs suppressed.
 * GPC is a person's standing "do not sell or share" (CCPA Regs. §7025); marketing built on their
 * data is what this organisation could do with it, so the signal stops all of it.
 */
export async function applyGpcOptOutIn(
  deps: Pick<AppDeps, 'clock' | 'ids' | 'masterKeys'> & { dialect: AppDeps['store']['dialect'] },
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  origin: RequestOrigin | undefined,
): Promise<OptOutResult> {
  const result = await optOutIn(
    deps,
    trx,
    scope,
    active,
    person,
    {
      channel: 'all',
      method: 'gpc',
      by: { kind: 'person', personId: person.id },
      suppressAddresses: true,
    },
    origin,
  );
  await writeAuditEvent(deps, trx, scope, origin, {
    actorType: 'person',
    actorId: person.id,
    action: 'marketing.gpc-opt-out',
    outcome: 'success',
    subjectId: person.id,
    details: {
      withdrawnRecords: result.withdrawnRecords,
      withdrawnConsents: result.withdrawnConsents,
      suppressedChannels: result.suppressedChannels,
    },
  });
  return result;
}

/**
 * `POST /api/v1/links/gpc?token=…`: the organisation's preference page, opened from one of the
 * person's own links in a browser that sends `Sec-GPC: 1`, records that signal as the person's
 * opt-out. Any of the person's marketing links identifies them: an opt-out needs no more than an
 * unsubscribe does. Without the header there is no signal to record (VALIDATION_FAILED); under a
 * policy that does not honour GPC nothing changes and the answer says so.
 */
export async function recordGpcSignal(
  deps: GpcDeps,
  token: string,
  signals: { gpc: boolean },
  origin: RequestOrigin | undefined,
): Promise<GpcOutcome> {
  const { scope, claims } = await verifyLinkToken(
    deps,
    token,
    ['unsubscribe', 'marketing-opt-in'],
    origin,
  );
  if (!signals.gpc) {
    throw new AppError('VALIDATION_FAILED', 'No Global Privacy Control signal was sent.', {
      details: { issues: [{ path: 'headers.sec-gpc', message: 'must be "1"' }] },
    });
  }
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, claims.personId);
  if (active.policy.document.marketing?.honour_gpc !== true) {
    return { honoured: false, withdrawnRecords: 0, withdrawnConsents: [], suppressedChannels: [] };
  }
  const result = await inTransaction(deps.store, (trx) =>
    applyGpcOptOutIn({ ...deps, dialect: deps.store.dialect }, trx, scope, active, person, origin),
  );
  return { honoured: true, ...result };
}

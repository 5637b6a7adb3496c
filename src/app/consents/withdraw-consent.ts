import { z } from 'zod';
import type { ConsentWorkDeps } from './person-facts.js';
import { AppError } from '../../errors.js';
import { WithdrawalMethod } from '../../policy/schema.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createConsentStore } from '../../store/consent-store.js';
import type { PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { addressFor, addressHash, contactAddressesOf } from '../marketing/contact-addresses.js';
import { authorizeConsentWork } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import type { ConsentRecorder } from './record-consent.js';

export const WithdrawConsentRequest = z.strictObject({
  consent: z.string().min(1).max(64),
  method: WithdrawalMethod.or(z.enum(['unsubscribe-link', 'gpc']))
    .default('staff-on-request')
    .describe('How the withdrawal reached the organisation'),
});
export type WithdrawConsentRequest = z.input<typeof WithdrawConsentRequest>;

export const WithdrawalOutcome = z.object({
  consent: z.string(),
  withdrawnRecords: z.number().int(),
  stoppedPurposes: z.array(z.string()),
  suppressedChannels: z.array(z.string()),
});
export type WithdrawalOutcome = z.infer<typeof WithdrawalOutcome>;

/**
 * Withdraws a consent in the caller's transaction, at once (GDPR Art. 7(3)): every record of it in
 * force is closed, so the next access decision no longer counts it. A withdrawal is never refused
 * for the way it arrived: the method is recorded, not checked. Withdrawing a marketing consent
 * puts the person's addresses on the suppression list, so no later import subscribes them again.
 */
export async function withdrawConsentIn(
  deps: ConsentWorkDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  request: z.output<typeof WithdrawConsentRequest>,
  by: ConsentRecorder | { kind: 'gpc' },
  origin: RequestOrigin | undefined,
): Promise<WithdrawalOutcome> {
  const consent = active.policy.consents.get(request.consent);
  if (consent === undefined) {
    throw new AppError('VALIDATION_FAILED', 'The consent is not one the policy declares.', {
      details: { issues: [{ path: 'consent', message: `"${request.consent}" is not declared` }] },
    });
  }
  const at = deps.clock.now().toISOString();
  const withdrawnBy =
    by.kind === 'staff'
      ? `staff:${actorOf(by.principal).actorId}`
      : by.kind === 'gpc'
        ? 'gpc'
        : by.personId === person.id
          ? 'subject'
          : `guardian:${by.personId}`;
  const consents = createConsentStore(trx);
  const withdrawnRecords = await consents.withdraw(scope, person.id, consent.id, {
    at,
    by: withdrawnBy,
    method: request.method,
  });
  if (withdrawnRecords === 0) {
    throw new AppError('CONFLICT', 'No consent of this kind is in force for this person.');
  }
  const isMarketing = consent.purposes.some(
    (purposeId) => active.policy.purposes.get(purposeId)?.isMarketing === true,
  );
  const suppressedChannels: string[] = [];
  if (isMarketing) {
    const addresses = await contactAddressesOf(deps, trx, scope, active, person.id);
    for (const channel of consent.channels ?? []) {
      const address = addressFor(addresses, channel);
      if (address !== undefined) {
        await consents.suppress(scope, {
          channel,
          addressHash: addressHash(channel, address),
          reason: request.method === 'gpc' ? 'gpc' : 'consent-withdrawn',
          at,
        });
        suppressedChannels.push(channel);
      }
    }
  }
  await writeAuditEvent(deps, trx, scope, origin, {
    ...(by.kind === 'staff'
      ? actorOf(by.principal)
      : by.kind === 'gpc'
        ? { actorType: 'anonymous' as const, actorId: null }
        : { actorType: 'person' as const, actorId: by.personId }),
    action: 'consent.withdrawn',
    outcome: 'success',
    subjectId: person.id,
    details: {
      consent: consent.id,
      purposes: consent.purposes,
      method: request.method,
      withdrawnBy,
      suppressedChannels,
    },
  });
  return {
    consent: consent.id,
    withdrawnRecords,
    stoppedPurposes: [...consent.purposes],
    suppressedChannels,
  };
}

/** Staff enter a withdrawal received by email, phone or post on the person's behalf. */
export async function withdrawConsent(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  request: z.output<typeof WithdrawConsentRequest>,
  origin: RequestOrigin | undefined,
): Promise<WithdrawalOutcome> {
  // Withdrawing must be as easy as giving (GDPR Art. 7(3)): any staff member who may see the
  // person's record may enter a withdrawal received by phone or email.
  const { scope, active, person } = await authorizeConsentWork(
    deps,
    principal,
    organizationId,
    personId,
    undefined,
    'read',
  );
  return inTransaction(deps.store, (trx) =>
    withdrawConsentIn(
      { ...deps, dialect: deps.store.dialect },
      trx,
      scope,
      active,
      person,
      request,
      { kind: 'staff', principal },
      origin,
    ),
  );
}

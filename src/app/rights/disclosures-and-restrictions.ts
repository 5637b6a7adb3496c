import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createRightsStore } from '../../store/rights-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization, authorizeSystemAction } from '../authorize.js';
import {
  actorOf,
  type Actor,
  type AppDeps,
  type Principal,
  type RequestOrigin,
} from '../context.js';
import { requireActivePolicy, requireDataAccess, requirePerson } from '../people/people-support.js';

export const RecordDisclosureRequest = z.strictObject({
  thirdParty: z.string().min(1).max(64).describe('A recipient the policy declares'),
  categories: z.array(z.string().min(1).max(64)).min(1).max(100),
});

export const DisclosureView = z.object({
  id: z.string(),
  thirdParty: z.string(),
  categories: z.array(z.string()),
  disclosedAt: z.string(),
});

/**
 * Records that categories of a person were given to a recipient — as it happens, so that a later
 * correction reaches everyone who holds the old value. Only what the policy says the recipient
 * receives can be disclosed, and only by a role that may export those categories.
 */
export async function recordDisclosure(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  request: z.output<typeof RecordDisclosureRequest>,
  origin: RequestOrigin | undefined,
): Promise<z.infer<typeof DisclosureView>> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  await requirePerson(deps.store.db, scope, personId);
  const party = active.policy.thirdParties.get(request.thirdParty);
  const outside = request.categories.filter(
    (category) => party === undefined || !party.categories.includes(category),
  );
  if (party === undefined || outside.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'The policy does not declare this disclosure.', {
      details: {
        issues:
          party === undefined
            ? [
                {
                  path: 'thirdParty',
                  message: `"${request.thirdParty}" is not a recipient of the policy`,
                },
              ]
            : outside.map((category) => ({
                path: 'categories',
                message: `"${request.thirdParty}" does not receive "${category}" under the policy`,
              })),
      },
    });
  }
  requireDataAccess(active, principal.role, request.categories, 'export', undefined);
  const row = {
    id: deps.ids.next(),
    personId,
    thirdPartyId: request.thirdParty,
    categories: [...request.categories],
    disclosedAt: deps.clock.now().toISOString(),
    recordedBy: actorOf(principal).actorId,
  };
  await inTransaction(deps.store, async (trx) => {
    await createRightsStore(trx).insertDisclosure(scope, row);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'person.disclosed',
      outcome: 'success',
      subjectId: personId,
      details: { thirdParty: row.thirdPartyId, categories: row.categories },
    });
  });
  return {
    id: row.id,
    thirdParty: row.thirdPartyId,
    categories: row.categories,
    disclosedAt: row.disclosedAt,
  };
}

export const LiftRestrictionRequest = z.strictObject({
  overridingGrounds: z
    .string()
    .min(10)
    .max(2000)
    .optional()
    .describe(
      'Objection only: the compelling legitimate grounds that override the person’s interests (GDPR Art. 21(1)); without it the objection is withdrawn',
    ),
});

/**
 * Lifts a restriction (the person is told beforehand, Art. 18(3): the caller's duty), or goes on
 * with a purpose objected to by recording overriding grounds (`handle-rights-requests`).
 */
export async function liftRestriction(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  actor: Actor,
  organizationId: string,
  restrictionId: string,
  request: z.output<typeof LiftRestrictionRequest>,
  origin: RequestOrigin | undefined,
): Promise<void> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'handle-rights-requests',
  );
  await inTransaction(deps.store, async (trx) => {
    const lifted = await createRightsStore(trx).liftRestriction(scope, restrictionId, {
      at: deps.clock.now().toISOString(),
      by: actorOf(actor).actorId,
      ...(request.overridingGrounds === undefined
        ? {}
        : { overridingGrounds: request.overridingGrounds }),
    });
    if (!lifted) {
      throw new AppError('NOT_FOUND', 'Not found.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'rights.restriction-lifted',
      outcome: 'success',
      subjectId: null,
      details: {
        restrictionId,
        overridingGrounds: request.overridingGrounds ?? null,
      },
    });
  });
}

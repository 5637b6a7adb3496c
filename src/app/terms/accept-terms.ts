import { z } from 'zod';
import { hasAcceptedCurrentTerms } from '../../domain/terms.js';
import { AppError } from '../../errors.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createConsentStore } from '../../store/consent-store.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import type { ConsentRecorder } from '../consents/record-consent.js';
import { loadPersonFacts, type ConsentWorkDeps } from '../consents/person-facts.js';
import {
  governingCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

export const AcceptTermsRequest = z.strictObject({
  acceptedBy: z
    .enum(['subject', 'guardian', 'staff-paper-form'])
    .describe('Who accepted: the person, a linked guardian for them, or a signed paper form'),
  guardianId: z.string().min(1).max(64).optional(),
  evidenceReference: z.string().trim().min(1).max(200).optional(),
});
export type AcceptTermsRequest = z.input<typeof AcceptTermsRequest>;

export const TermsAcceptanceView = z.object({
  personId: z.string(),
  policyVersionId: z.string(),
  acceptedAt: z.string(),
  acceptedBy: z.string(),
  method: z.enum(['explicit', 'continued-use']),
  current: z.boolean().describe('Whether the person has accepted the terms now in force'),
});
export type TermsAcceptanceView = z.infer<typeof TermsAcceptanceView>;

/** Whether the person has accepted the terms in force (domain/terms.ts says which count). */
export async function hasAcceptedTerms(
  db: Executor,
  scope: OrganizationScope,
  personId: string,
): Promise<boolean> {
  const history = await createPolicyVersionStore(db).activationHistory(scope);
  const accepted = await createConsentStore(db).termsAcceptances(scope, personId);
  return hasAcceptedCurrentTerms(
    history,
    new Set(accepted.map((acceptance) => acceptance.policyVersionId)),
  );
}

/**
 * Records acceptance of the active version's terms in the caller's transaction. A person under
 * the guardian-consent age cannot accept alone: a linked guardian or a form a guardian signed does.
 * Accepting twice is not an error: the first acceptance stands.
 */
export async function acceptTermsIn(
  deps: ConsentWorkDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  request: z.output<typeof AcceptTermsRequest> | { acceptedBy: 'subject'; continuedUse: true },
  by: ConsentRecorder,
  origin: RequestOrigin | undefined,
): Promise<TermsAcceptanceView> {
  const facts = await loadPersonFacts(deps, trx, scope, active, person);
  const isContinuedUse = 'continuedUse' in request;
  if (facts.minor.needsGuardianConsent && request.acceptedBy === 'subject') {
    throw new AppError('VALIDATION_FAILED', 'The person cannot accept the terms alone.', {
      details: {
        issues: [
          {
            path: 'acceptedBy',
            message: 'the person is a minor: a linked guardian accepts for them',
          },
        ],
      },
    });
  }
  let reference: string | null = null;
  if (!isContinuedUse && request.acceptedBy === 'guardian') {
    const guardianId = request.guardianId ?? (by.kind === 'person' ? by.personId : undefined);
    const linked = (await createPersonStore(trx).guardiansOf(scope, person.id)).some(
      (link) => link.guardianId === guardianId,
    );
    if (!linked) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Only a linked guardian can accept for this person.',
        {
          details: {
            issues: [{ path: 'guardianId', message: 'must be a guardian linked to this person' }],
          },
        },
      );
    }
    reference = guardianId ?? null;
  }
  if (!isContinuedUse && request.acceptedBy === 'staff-paper-form') {
    if (request.evidenceReference === undefined || by.kind !== 'staff') {
      throw new AppError(
        'VALIDATION_FAILED',
        'A paper form needs its reference, entered by staff.',
        {
          details: {
            issues: [{ path: 'evidenceReference', message: 'required for a paper form' }],
          },
        },
      );
    }
    reference = request.evidenceReference;
  }
  const at = deps.clock.now().toISOString();
  const method = isContinuedUse ? 'continued-use' : 'explicit';
  const inserted = await createConsentStore(trx).insertTermsAcceptance(scope, {
    id: deps.ids.next(),
    personId: person.id,
    policyVersionId: active.versionId,
    acceptedAt: at,
    acceptedBy: request.acceptedBy,
    acceptedByReference: reference,
    recordedBy: by.kind === 'staff' ? actorOf(by.principal).actorId : null,
    method,
    ip: origin?.ip ?? null,
    userAgent: origin?.userAgent ?? null,
  });
  if (inserted) {
    await writeAuditEvent(deps, trx, scope, origin, {
      ...(by.kind === 'staff'
        ? actorOf(by.principal)
        : { actorType: 'person' as const, actorId: by.personId }),
      action: 'terms.accepted',
      outcome: 'success',
      subjectId: person.id,
      details: { policyVersionId: active.versionId, acceptedBy: request.acceptedBy, method },
    });
  }
  const acceptance = (await createConsentStore(trx).termsAcceptances(scope, person.id)).find(
    (row) => row.policyVersionId === active.versionId,
  );
  return {
    personId: person.id,
    policyVersionId: active.versionId,
    acceptedAt: acceptance?.acceptedAt ?? at,
    acceptedBy: acceptance?.acceptedBy ?? request.acceptedBy,
    method: acceptance?.method ?? method,
    current: await hasAcceptedTerms(trx, scope, person.id),
  };
}

/** Staff record an acceptance given on paper or by a guardian in person. */
export async function acceptTerms(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  request: z.output<typeof AcceptTermsRequest>,
  origin: RequestOrigin | undefined,
): Promise<TermsAcceptanceView> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, personId);
  requireDataAccess(
    active,
    principal.role,
    governingCategoryIds(active, person.subjectKind),
    'write',
    undefined,
  );
  return inTransaction(deps.store, (trx) =>
    acceptTermsIn(
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

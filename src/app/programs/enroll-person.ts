import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { createProgramStore } from '../../store/program-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { hasAcceptedTerms } from '../terms/accept-terms.js';
import { recordContinuedUseIfDue } from '../policy/announce-policy-version.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import {
  enrollmentCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from '../people/people-support.js';

export const EnrollmentStatus = z.enum(['pending', 'active', 'completed', 'cancelled']);

export const EnrollmentView = z.object({
  id: z.string(),
  personId: z.string(),
  programId: z.string(),
  status: EnrollmentStatus,
  enrolledAt: z.string(),
  updatedAt: z.string(),
  policyVersionId: z.string().describe('The policy the enrollment was made under'),
});
export type EnrollmentView = z.infer<typeof EnrollmentView>;

export const EnrollPersonRequest = z.strictObject({
  personId: z.string().min(1).max(64),
  status: EnrollmentStatus.default('active'),
});
export type EnrollPersonRequest = z.input<typeof EnrollPersonRequest>;

/**
 * Enrolls a person in a program under the active policy, and moves the person's last-enrollment
 * date forward: the trigger of retention rules such as "5 years after the last enrollment"
 * (kajuyali.txt) and of marketing audiences ("enrolled within 12 months").
 */
export async function enrollPerson(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  programId: string,
  request: z.output<typeof EnrollPersonRequest>,
  origin: RequestOrigin | undefined,
): Promise<EnrollmentView> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, request.personId);
  requireDataAccess(
    active,
    principal.role,
    enrollmentCategoryIds(active, person.subjectKind),
    'write',
    undefined,
  );
  if ((await createProgramStore(deps.store.db).findProgram(scope, programId)) === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  // kajuyali §5: enrollment requires acceptance of the terms and data-processing authorisation.
  if (
    active.policy.document.changes.terms_acceptance_required_to_enroll &&
    request.status !== 'cancelled' &&
    !(await hasAcceptedTerms(deps.store.db, scope, person.id))
  ) {
    throw new AppError(
      'TERMS_NOT_ACCEPTED',
      'The policy requires acceptance of its current terms before enrollment: record it first.',
    );
  }
  const at = deps.clock.now().toISOString();
  const enrollment = {
    id: deps.ids.next(),
    personId: request.personId,
    programId,
    status: request.status,
    enrolledAt: at,
    updatedAt: at,
    policyVersionId: active.versionId,
  };
  await inTransaction(deps.store, async (trx) => {
    await createProgramStore(trx).insertEnrollment(scope, enrollment);
    if (request.status !== 'cancelled') {
      await createPersonStore(trx).recordEnrollment(scope, request.personId, at);
    }
    await recordContinuedUseIfDue(
      { ...deps, dialect: deps.store.dialect },
      trx,
      scope,
      active,
      person,
    );
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'enrollment.create',
      outcome: 'success',
      subjectId: request.personId,
      details: { enrollmentId: enrollment.id, programId, status: request.status },
    });
  });
  return enrollment;
}

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createProgramStore } from '../../store/program-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import {
  enrollmentCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from '../people/people-support.js';
import { EnrollmentStatus } from './enroll-person.js';

export const SetEnrollmentStatusRequest = z.strictObject({ status: EnrollmentStatus });
export type SetEnrollmentStatusRequest = z.infer<typeof SetEnrollmentStatusRequest>;

/**
 * Marks an enrollment pending, active, completed or cancelled ("complete": kajuyali.txt level C),
 * if the role may write the person's enrollment records under the active policy.
 */
export async function setEnrollmentStatus(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  enrollmentId: string,
  request: SetEnrollmentStatusRequest,
  origin: RequestOrigin | undefined,
): Promise<void> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const programs = createProgramStore(deps.store.db);
  const enrollment = await programs.findEnrollment(scope, enrollmentId);
  if (enrollment === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const person = await requirePerson(deps.store.db, scope, enrollment.personId);
  requireDataAccess(
    active,
    principal.role,
    enrollmentCategoryIds(active, person.subjectKind),
    'write',
    undefined,
  );
  await inTransaction(deps.store, async (trx) => {
    await createProgramStore(trx).setEnrollmentStatus(
      scope,
      enrollmentId,
      request.status,
      deps.clock.now().toISOString(),
    );
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'enrollment.status',
      outcome: 'success',
      subjectId: enrollment.personId,
      details: { enrollmentId, from: enrollment.status, to: request.status },
    });
  });
}

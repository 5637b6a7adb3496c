import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import {
  governingCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from './people-support.js';

export const LinkGuardianRequest = z.strictObject({
  guardianId: z.string().min(1).max(64),
  relationship: z.string().trim().min(1).max(100).default('parent'),
});
export type LinkGuardianRequest = z.input<typeof LinkGuardianRequest>;

/**
 * Links a guardian to a minor (both people of this organisation). The role must be allowed to
 * write the minor's data: the link gives the guardian a say over it.
 */
export async function linkGuardian(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  minorId: string,
  request: z.output<typeof LinkGuardianRequest>,
  origin: RequestOrigin | undefined,
): Promise<void> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  if (request.guardianId === minorId) {
    throw new AppError('VALIDATION_FAILED', 'A person cannot be their own guardian.', {
      details: { issues: [{ path: 'guardianId', message: 'must be another person' }] },
    });
  }
  const minor = await requirePerson(deps.store.db, scope, minorId);
  await requirePerson(deps.store.db, scope, request.guardianId);
  requireDataAccess(
    active,
    principal.role,
    governingCategoryIds(active, minor.subjectKind),
    'write',
    undefined,
  );
  await inTransaction(deps.store, async (trx) => {
    await createPersonStore(trx).linkGuardian(scope, {
      guardianId: request.guardianId,
      minorId,
      relationship: request.relationship,
      createdAt: deps.clock.now().toISOString(),
    });
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'person.link-guardian',
      outcome: 'success',
      subjectId: minorId,
      details: { guardianId: request.guardianId, relationship: request.relationship },
    });
  });
}

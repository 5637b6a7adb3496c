import { AppError } from '../../errors.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { authorizeInOrganization, authorizeSystemAction } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { toStaffUserView, type StaffUserView } from './staff-user-view.js';

/** One staff account: administrators see anyone in their organisation, others only themselves. */
export async function getStaffUser(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  userId: string,
): Promise<StaffUserView> {
  const scope =
    userId === principal.userId
      ? authorizeInOrganization(principal, organizationId)
      : (
          await authorizeSystemAction(
            { db: deps.store.db, policies: deps.policies },
            principal,
            organizationId,
            'manage-users',
          )
        ).scope;
  const row = await createStaffUserStore(deps.store.db).findById(scope, userId);
  if (row === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  return toStaffUserView(row);
}

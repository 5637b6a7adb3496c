import { createStaffUserStore } from '../../store/staff-user-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { toStaffUserView, type StaffUserView } from './staff-user-view.js';

export async function listStaffUsers(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
): Promise<StaffUserView[]> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-users',
  );
  const rows = await createStaffUserStore(deps.store.db).list(scope);
  return rows.map(toStaffUserView);
}

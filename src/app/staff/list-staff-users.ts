import { createStaffUserStore } from '../../store/staff-user-store.js';
import { authorizeInOrganization } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { toStaffUserView, type StaffUserView } from './staff-user-view.js';

export async function listStaffUsers(
  deps: Pick<AppDeps, 'store'>,
  principal: Principal,
  organizationId: string,
): Promise<StaffUserView[]> {
  const scope = authorizeInOrganization(principal, organizationId, 'manage-users');
  const rows = await createStaffUserStore(deps.store.db).list(scope);
  return rows.map(toStaffUserView);
}

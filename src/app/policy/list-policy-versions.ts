import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import type { PolicyVersionView } from './upload-policy-version.js';

/** Every version the organisation uploaded, newest first; older versions are kept for ever. */
export async function listPolicyVersions(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
): Promise<PolicyVersionView[]> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-policy',
  );
  return createPolicyVersionStore(deps.store.db).list(scope);
}

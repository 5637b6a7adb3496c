import { createApiTokenStore } from '../../store/api-token-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { toApiTokenView, type ApiTokenView } from './api-token-view.js';

export async function listApiTokens(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
): Promise<ApiTokenView[]> {
  // Issuing a credential that acts as its creator is managing users (the policy's word for it).
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-users',
  );
  return (await createApiTokenStore(deps.store.db).list(scope)).map(toApiTokenView);
}

import { createApiTokenStore } from '../../store/api-token-store.js';
import { authorizeInOrganization } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import { toApiTokenView, type ApiTokenView } from './api-token-view.js';

export async function listApiTokens(
  deps: Pick<AppDeps, 'store'>,
  principal: Principal,
  organizationId: string,
): Promise<ApiTokenView[]> {
  const scope = authorizeInOrganization(principal, organizationId, 'manage-api-tokens');
  return (await createApiTokenStore(deps.store.db).list(scope)).map(toApiTokenView);
}

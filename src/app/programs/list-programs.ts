import { createProgramStore } from '../../store/program-store.js';
import { authorizeInOrganization } from '../authorize.js';
import type { AppDeps, Principal } from '../context.js';
import type { ProgramView } from './create-program.js';

export async function listPrograms(
  deps: Pick<AppDeps, 'store'>,
  principal: Principal,
  organizationId: string,
): Promise<ProgramView[]> {
  const scope = authorizeInOrganization(principal, organizationId);
  const rows = await createProgramStore(deps.store.db).listPrograms(scope);
  return rows.map(({ organizationId: _organizationId, ...program }) => program);
}

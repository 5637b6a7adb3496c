import { isAppError } from '../../errors.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { scopeOf } from '../../store/scope.js';
import { systemActor, type AppDeps } from '../context.js';
import { activatePolicyVersion } from './activate-policy-version.js';

export interface DueActivation {
  organizationId: string;
  versionId: string;
  effectiveAt: string;
  outcome: 'activated' | 'refused';
  /** Why activation was refused (an account without a role of the new policy, a stale notice…). */
  reason?: string;
}

/**
 * Activates every announced version whose effective date has come, in every organisation, as the
 * organisation's system actor: `serve` calls it on its periodic tick, `custodia policy
 * activate-due` on demand. Each goes through `activatePolicyVersion`, so every rule of a manual
 * activation holds; a version it refuses stays a draft and is reported (and tried again on the
 * next tick) until someone resolves it, e.g. `custodia policy activate ID --assign …`.
 */
export async function activateDuePolicyVersions(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
): Promise<DueActivation[]> {
  const now = deps.clock.now().toISOString();
  const results: DueActivation[] = [];
  for (const organization of await createOrganizationStore(deps.store.db).list()) {
    const scope = scopeOf(organization.id);
    const due = await createPolicyVersionStore(deps.store.db).announcedDrafts(scope, {
      dueBy: now,
    });
    for (const version of due) {
      const result = {
        organizationId: organization.id,
        versionId: version.id,
        effectiveAt: version.effectiveAt,
      };
      try {
        await activatePolicyVersion(
          deps,
          systemActor(organization.id),
          organization.id,
          version.id,
          { assignRoles: {} },
          undefined,
        );
        results.push({ ...result, outcome: 'activated' });
      } catch (error) {
        if (!isAppError(error)) {
          throw error;
        }
        const issues = (error.details?.issues ?? []).map((issue) => issue.message);
        results.push({
          ...result,
          outcome: 'refused',
          reason: [error.message, ...issues].join(' '),
        });
      }
    }
  }
  return results;
}

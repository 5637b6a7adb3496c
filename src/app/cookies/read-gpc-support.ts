import { z } from 'zod';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { scopeOf } from '../../store/scope.js';
import type { AppDeps } from '../context.js';

export const GpcSupport = z.object({
  gpc: z.boolean().describe('Whether this site honours Global Privacy Control signals'),
  lastUpdate: z.iso
    .date()
    .optional()
    .describe('The date the answer last changed: the most recent policy activation'),
});
export type GpcSupport = z.infer<typeof GpcSupport>;

/**
 * The site-wide Global Privacy Control support resource (`/.well-known/gpc.json`, GPC
 * specification § 3.5). One server answers for every organisation it hosts, so it claims support
 * only when every organisation with an active policy honours the signal (`marketing.honour_gpc`);
 * with no active policy at all there is nothing to claim. `lastUpdate` is the date of the most
 * recent policy activation, the last moment the answer could have changed.
 */
export async function readGpcSupport(
  deps: Pick<AppDeps, 'store' | 'policies'>,
): Promise<GpcSupport> {
  const db = deps.store.db;
  const organizations = await createOrganizationStore(db).list();
  let activePolicies = 0;
  let isHonouredByAll = true;
  let lastActivation: string | undefined;
  for (const organization of organizations) {
    const scope = scopeOf(organization.id);
    const row = await createPolicyVersionStore(db).findActive(scope);
    const active = row === undefined ? undefined : await deps.policies.version(db, scope, row.id);
    if (row === undefined || active === undefined) {
      continue;
    }
    activePolicies += 1;
    if (active.policy.document.marketing?.honour_gpc !== true) {
      isHonouredByAll = false;
    }
    if (
      row.activatedAt !== null &&
      (lastActivation === undefined || row.activatedAt > lastActivation)
    ) {
      lastActivation = row.activatedAt;
    }
  }
  const gpc = activePolicies > 0 && isHonouredByAll;
  return lastActivation === undefined ? { gpc } : { gpc, lastUpdate: lastActivation.slice(0, 10) };
}

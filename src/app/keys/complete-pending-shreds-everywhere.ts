import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import type { AppDeps } from '../context.js';
import { completePendingShreds } from './complete-pending-shreds.js';

/**
 * Pays, for every organisation, the organisation-key rotation its shreds since the last call
 * owe (`completePendingShreds`). `serve` calls it every minute: erasure requests destroy keys at
 * once but share one rotation a minute, instead of re-wrapping every key of the organisation per
 * erasure (bench/README.md "Rights erasure": ~150 µs per live key per rotation).
 */
export async function completePendingShredsEverywhere(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'masterKeys'>,
): Promise<{ organizationId: string; completedShreds: number }[]> {
  const done: { organizationId: string; completedShreds: number }[] = [];
  for (const organization of await createOrganizationStore(deps.store.db).list()) {
    const result = await completePendingShreds(deps, scopeOf(organization.id), {
      actorType: 'system',
      actorId: null,
    });
    if (result.outcome === 'rotated') {
      done.push({ organizationId: organization.id, completedShreds: result.completedShreds });
    }
  }
  return done;
}

import { AppError } from '../../errors.js';
import { createCookieConsentStore } from '../../store/cookie-consent-store.js';
import { scopeOf } from '../../store/scope.js';
import type { AppDeps } from '../context.js';
import {
  findOrganization,
  receiptOf,
  type CookieConsentReceipt,
} from './cookie-consent-support.js';

/**
 * A visitor's latest cookie consent receipt, under the policy version it was given under (which
 * may since have been replaced). Public: the random visitor id is what finds it. An unknown
 * organisation, an unknown visitor and a visitor of another organisation all answer the same
 * NOT_FOUND.
 */
export async function readCookieConsent(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  input: { slug: string; visitorId: string },
): Promise<CookieConsentReceipt> {
  const organization = await findOrganization(deps, input.slug);
  const scope = scopeOf(organization.id);
  const consent = await createCookieConsentStore(deps.store.db).findLatestByVisitor(
    scope,
    input.visitorId,
  );
  if (consent === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const policy = await deps.policies.version(deps.store.db, scope, consent.policyVersionId);
  if (policy === undefined) {
    // Policy versions are never deleted; a receipt without its version is a broken database.
    throw new Error(`cookie consent ${consent.id} names a missing policy version`);
  }
  return receiptOf(organization, policy, consent);
}

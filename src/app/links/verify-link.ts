import {
  readLinkEnvelope,
  verifyLink,
  type LinkClaims,
  type LinkPurpose,
} from '../../crypto/signed-links.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { findLinkKey } from './link-keys.js';

export interface VerifiedLink {
  scope: OrganizationScope;
  claims: LinkClaims;
}

type VerifyDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'masterKeys'>;

/**
 * Checks a signed link for one of `purposes`. Refuses, with nothing changed, a token that is not
 * one, names no key of its organisation, fails its MAC (forged, altered, another organisation's),
 * or is for something else — LINK_INVALID — and a genuine one past its expiry — LINK_EXPIRED.
 * Whenever the token names an existing organisation, the refusal goes into that organisation's
 * audit log (actor anonymous), so attempts on its people's links can be seen; the person is
 * named only when the token is genuine.
 */
export async function verifyLinkToken(
  deps: VerifyDeps,
  token: string,
  purposes: readonly LinkPurpose[],
  origin: RequestOrigin | undefined,
): Promise<VerifiedLink> {
  const envelope = readLinkEnvelope(token);
  if (envelope === undefined) {
    throw invalidLink();
  }
  const organization = await createOrganizationStore(deps.store.db).findById(
    envelope.organizationId,
  );
  if (organization === undefined) {
    throw invalidLink();
  }
  const scope = scopeOf(organization.id);
  const key = await findLinkKey(deps, deps.store.db, scope, envelope.keyId);
  const result =
    key === undefined
      ? ({ status: 'invalid', reason: 'unknown-key' } as const)
      : verifyLink(token, key, deps.clock.now(), purposes);
  if (result.status === 'valid') {
    return { scope, claims: result.claims };
  }
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      actorType: 'anonymous',
      actorId: null,
      action: 'link.refused',
      outcome: 'denied',
      subjectId: result.status === 'expired' ? result.claims.personId : null,
      details: {
        purposes,
        reason: result.status === 'expired' ? 'expired' : result.reason,
      },
    }),
  );
  if (result.status === 'expired') {
    throw new AppError('LINK_EXPIRED', 'This link has expired: ask for a new one.');
  }
  throw invalidLink();
}

function invalidLink(): AppError {
  return new AppError('LINK_INVALID', 'This link is not valid.');
}

import { AppError } from '../../errors.js';
import { createApiTokenStore } from '../../store/api-token-store.js';
import { inTransaction } from '../../store/db.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';

export async function revokeApiToken(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  tokenId: string,
  origin: RequestOrigin,
): Promise<void> {
  // Issuing a credential that acts as its creator is managing users (the policy's word for it).
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-users',
  );
  const audit = { clock: deps.clock, ids: deps.ids, dialect: deps.store.dialect };
  const isRevoked = await inTransaction(deps.store, async (trx) => {
    const revoked = await createApiTokenStore(trx).revoke(
      scope,
      tokenId,
      deps.clock.now().toISOString(),
    );
    if (revoked) {
      await writeAuditEvent(audit, trx, scope, origin, {
        ...actorOf(principal),
        action: 'api-token.revoke',
        outcome: 'success',
        subjectId: tokenId,
        details: {},
      });
    }
    return revoked;
  });
  if (!isRevoked) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
}

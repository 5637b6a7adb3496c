import { z } from 'zod';
import { formatApiToken, hashSecret, newSecret } from '../../crypto/tokens.js';
import { inTransaction } from '../../store/db.js';
import { createApiTokenStore } from '../../store/api-token-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import type { ApiTokenView } from './api-token-view.js';

export const CreateApiTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Days until the token stops working; omit for a token that lasts until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

export interface CreatedApiToken {
  apiToken: ApiTokenView;
  /** The bearer token: shown once, stored only as a hash. */
  token: string;
}

/** Issues an API token for an integration; it acts in this organisation only, with its creator's role. */
export async function createApiToken(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Principal,
  organizationId: string,
  request: CreateApiTokenRequest,
  origin: RequestOrigin,
): Promise<CreatedApiToken> {
  // Issuing a credential that acts as its creator is managing users (the policy's word for it).
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-users',
  );
  const now = deps.clock.now();
  const id = deps.ids.next();
  const secret = newSecret();
  const row = {
    id,
    name: request.name,
    secretHash: hashSecret(secret),
    createdBy: principal.userId,
    createdAt: now.toISOString(),
    expiresAt:
      request.expiresInDays === undefined
        ? null
        : new Date(now.getTime() + request.expiresInDays * 86_400_000).toISOString(),
  };
  const audit = { clock: deps.clock, ids: deps.ids, dialect: deps.store.dialect };
  await inTransaction(deps.store, async (trx) => {
    await createApiTokenStore(trx).insert(scope, row);
    await writeAuditEvent(audit, trx, scope, origin, {
      ...actorOf(principal),
      action: 'api-token.create',
      outcome: 'success',
      subjectId: id,
      details: { name: request.name },
    });
  });
  return {
    apiToken: { ...row, lastUsedAt: null, revokedAt: null },
    token: formatApiToken(organizationId, id, secret),
  };
}

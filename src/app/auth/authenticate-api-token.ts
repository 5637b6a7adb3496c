import { parseApiToken, secretsMatch } from '../../crypto/tokens.js';
import { isTouchDue } from '../../domain/session-expiry.js';
import { AppError } from '../../errors.js';
import { createApiTokenStore } from '../../store/api-token-store.js';
import { scopeOf } from '../../store/scope.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import type { AppDeps, Principal } from '../context.js';

const TOKEN_INVALID = 'The API token is invalid, expired or revoked.';

/** Resolves a bearer token to its principal: it acts in its own organisation, as its creator's role. */
export async function authenticateApiToken(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  bearer: string,
): Promise<Extract<Principal, { kind: 'api-token' }>> {
  const parsed = parseApiToken(bearer);
  if (parsed === undefined) {
    throw new AppError('UNAUTHENTICATED', TOKEN_INVALID);
  }
  const scope = scopeOf(parsed.organizationId);
  const tokens = createApiTokenStore(deps.store.db);
  const token = await tokens.findById(scope, parsed.tokenId);
  const now = deps.clock.now();
  if (
    token === undefined ||
    !secretsMatch(token.secretHash, parsed.secret) ||
    token.revokedAt !== null ||
    (token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now.getTime())
  ) {
    throw new AppError('UNAUTHENTICATED', TOKEN_INVALID);
  }
  const creator = await createStaffUserStore(deps.store.db).findById(scope, token.createdBy);
  // A token never outlives its creator's access: disabling the user stops their tokens too.
  if (creator === undefined || creator.disabledAt !== null) {
    throw new AppError('UNAUTHENTICATED', TOKEN_INVALID);
  }
  if (token.lastUsedAt === null || isTouchDue(token.lastUsedAt, now)) {
    await tokens.markUsed(scope, token.id, now.toISOString());
  }
  return {
    kind: 'api-token',
    organizationId: token.organizationId,
    userId: creator.id,
    role: creator.role,
    tokenId: token.id,
  };
}

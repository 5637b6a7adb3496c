import type { Clock, IdGenerator } from '../clock.js';
import type { Config } from '../config.js';
import type { MasterKeyProvider } from '../crypto/master-key.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import type { Store } from '../store/db.js';
import type { PolicyRegistry } from './policy/policy-registry.js';

/** Where a request came from: recorded with every audit entry. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
  requestId: string;
}

/** What the use cases are built from; each use case takes only the parts it uses. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  /** Wraps organisation keys and audit signing keys; the top of the key hierarchy. */
  masterKeys: MasterKeyProvider;
  /** Each organisation's active policy, compiled. */
  policies: PolicyRegistry;
  auth: Config['auth'];
}

/**
 * Who is acting. A staff session may still owe its second factor; only an `active` principal may
 * do anything beyond completing MFA or logging out.
 */
export type Principal =
  | {
      kind: 'staff-session';
      organizationId: string;
      userId: string;
      role: string;
      sessionId: string;
      mfa: 'not-required' | 'verified' | 'pending' | 'enrollment-required';
      expiresAt: string;
    }
  | {
      kind: 'api-token';
      organizationId: string;
      userId: string;
      role: string;
      tokenId: string;
    };

export function isFullyAuthenticated(principal: Principal): boolean {
  return (
    principal.kind === 'api-token' ||
    principal.mfa === 'not-required' ||
    principal.mfa === 'verified'
  );
}

export function actorOf(principal: Principal): {
  actorType: 'staff' | 'api_token';
  actorId: string;
} {
  return principal.kind === 'api-token'
    ? { actorType: 'api_token', actorId: principal.tokenId }
    : { actorType: 'staff', actorId: principal.userId };
}

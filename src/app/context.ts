import type { Clock, IdGenerator } from '../clock.js';
import type { Config } from '../config.js';
import type { MasterKeyProvider } from '../crypto/master-key.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import type { Mailer } from '../mail/mailer.js';
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
  /**
   * Where people reach this server (`mail.publicBaseUrl`): links in emails and exports start with
   * it, never with a request's Host header, which a client controls.
   */
  publicBaseUrl: string;
  /** Sends email (policy-change notices, one-time codes); refuses when `mail.smtpUrl` is unset. */
  mailer: Mailer;
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

/**
 * The server itself, acting for an operator at its console (`custodia policy upload|activate`,
 * `custodia import participants`). Whoever runs those commands already holds the database and the
 * master key and could change the rows by hand; going through the use cases instead keeps every
 * rule (policy check, no lock-out, data minimisation, encryption) and writes the audit entry, with
 * actor type `system`.
 *
 * Deliberately not a `Principal`: no credential resolves to it (HTTP builds principals only from
 * sessions and API tokens, and `test/cli/policy-versions.test.ts` checks that nothing under
 * src/http imports `systemActor`), and only the use cases that declare `Actor` accept it, so the
 * type checker keeps it away from every other one (reading a person, managing users). A system
 * actor is bound to one organisation like any principal and may perform every system action in it.
 */
export interface SystemActor {
  kind: 'system';
  organizationId: string;
}

/** Who may call the use cases that an operator can also run from the console. */
export type Actor = Principal | SystemActor;

/** The system actor for one organisation; built only by the CLI. */
export function systemActor(organizationId: string): SystemActor {
  return { kind: 'system', organizationId };
}

/** The staff account behind an actor (recorded as uploaded / created by); none for the system. */
export function actingUserId(actor: Actor): string | null {
  return actor.kind === 'system' ? null : actor.userId;
}

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
};
export function actorOf(actor: Actor): {
  actorType: 'staff' | 'api_token' | 'system';
  actorId: string | null;
};
export function actorOf(actor: Actor): {
  actorType: 'staff' | 'api_token' | 'system';
  actorId: string | null;
} {
  switch (actor.kind) {
    case 'api-token':
      return { actorType: 'api_token', actorId: actor.tokenId };
    case 'staff-session':
      return { actorType: 'staff', actorId: actor.userId };
    case 'system':
      return { actorType: 'system', actorId: null };
  }
}

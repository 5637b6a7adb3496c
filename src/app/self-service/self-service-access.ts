import { AppError } from '../../errors.js';
import type { Executor } from '../../store/db.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { loadPersonFacts } from '../consents/person-facts.js';
import { verifyLinkToken } from '../links/verify-link.js';
import { requireActivePolicy, requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';

/** What a person may do through their self-service link, on their own record or a child's. */
export type SelfServicePower = 'review' | 'modify' | 'delete' | 'consent' | 'withdraw-consent';

export interface SelfServiceSession {
  scope: OrganizationScope;
  active: ActivePolicy;
  /** The person the link was sent to: who acts. */
  actor: PersonRow;
}

export interface SelfServiceTarget {
  person: PersonRow;
  /** Acting on their own record, or as a linked guardian for a minor. */
  relation: 'self' | 'guardian';
}

type SessionDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'masterKeys' | 'policies'>;

/** Opens a self-service link: the token must be genuine, unexpired, and its person must exist. */
export async function openSelfService(
  deps: SessionDeps,
  token: string,
  origin: RequestOrigin | undefined,
): Promise<SelfServiceSession> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['self-service'], origin);
  const active = await requireActivePolicy(deps, scope);
  const actor = await createPersonStore(deps.store.db).findById(scope, claims.personId);
  if (actor === undefined) {
    // The person was erased after the link was sent: the link opens nothing.
    throw new AppError('LINK_INVALID', 'This link is not valid.');
  }
  return { scope, active, actor };
}

/** The guardian power that stands for each action (the policy's `minors.guardian_may`). */
const GUARDIAN_POWERS: Record<SelfServicePower, readonly string[]> = {
  review: ['review'],
  modify: ['modify'],
  delete: ['delete'],
  consent: ['consent', 'manage-media-sharing'],
  'withdraw-consent': ['withdraw-consent', 'manage-media-sharing'],
};

/**
 * The record the link's person may act on: their own (every power but deletion, which is an
 * erasure request with its legal exceptions), or a child's, where they are a linked guardian, the
 * child is under `minors.guardian_may_act_below_age` at this instant, and `guardian_may` grants the
 * power (kexara: parents may review, modify or delete their child's information). Anything else
 * answers NOT_FOUND, like an unknown id, so a link does not reveal who else is on record.
 */
export async function requireActingFor(
  deps: Pick<AppDeps, 'masterKeys' | 'clock'> & { dialect: AppDeps['store']['dialect'] },
  db: Executor,
  session: SelfServiceSession,
  personId: string,
  power: SelfServicePower,
): Promise<SelfServiceTarget> {
  const { scope, active, actor } = session;
  if (personId === actor.id) {
    if (power === 'delete') {
      throw new AppError(
        'FORBIDDEN',
        'Not allowed: deleting your own record is an erasure request, answered with its legal exceptions.',
      );
    }
    return { person: actor, relation: 'self' };
  }
  const notFound = new AppError('NOT_FOUND', 'Not found.');
  const isLinked = (await createPersonStore(db).minorsOf(scope, actor.id)).some(
    (link) => link.minorId === personId,
  );
  if (!isLinked) {
    throw notFound;
  }
  const child = await requirePerson(db, scope, personId);
  const facts = await loadPersonFacts(deps, db, scope, active, child);
  const granted = active.policy.document.minors?.guardian_may ?? [];
  if (
    !facts.minor.guardianMayAct ||
    !GUARDIAN_POWERS[power].some((name) => (granted as readonly string[]).includes(name))
  ) {
    throw notFound;
  }
  return { person: child, relation: 'guardian' };
}

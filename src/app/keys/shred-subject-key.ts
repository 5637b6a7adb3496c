import type { Clock, IdGenerator } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Executor, type Store } from '../../store/db.js';
import { createKeyStore, purgeDestroyedKeyPages } from '../../store/key-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent, type AuditEventFields } from '../audit/write-audit-event.js';
import type { RequestOrigin } from '../context.js';
import { rotateOrganizationKeyInTransaction, type KeyDeps } from './key-hierarchy.js';

/** Who asks for a key change: recorded in the audit entry. */
export interface KeyChangeActor {
  actorType: AuditEventFields['actorType'];
  actorId: string | null;
}

export interface ShredSubjectKeyInput {
  subjectId: string;
  actor: KeyChangeActor;
  origin?: RequestOrigin;
}

export interface ShredSubjectKeyResult {
  /**
   * `shredded`: the key existed and is destroyed; `already-shredded`: nothing left to destroy;
   * `no-key-existed`: nothing was ever encrypted for the person — a destroyed marker is recorded
   * so nothing can be encrypted for them later.
   */
  outcome: 'shredded' | 'already-shredded' | 'no-key-existed';
  /** The organisation key destroyed with the person's key (it wrapped it), if any. */
  retiredOrganizationKeyId: string | null;
  /**
   * Stage 2 of the guarantee (see store/key-store.ts): copies of the database taken before this
   * shred stay readable for whoever holds this master key until it is rotated out and destroyed.
   */
  masterKeyIdToRetire: string | null;
  rewrappedSubjectKeys: number;
}

/**
 * Crypto-shreds one person in the caller's transaction (for an erasure that also deletes other
 * rows): destroys their data key, rotates the organisation key that wrapped it (re-wrapping
 * everyone else's key under a fresh one) and appends a `key.shred` audit entry naming the person
 * and the key ids — never key material or data. Call {@link purgeDestroyedKeyPages} after commit.
 */
export async function shredSubjectKeyInTransaction(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  input: ShredSubjectKeyInput,
): Promise<ShredSubjectKeyResult> {
  const keys = createKeyStore(trx, deps.dialect);
  await keys.lockOrganizationKeys(scope);
  const now = deps.clock.now().toISOString();
  const existing = await keys.findSubjectKey(scope, input.subjectId);
  let result: ShredSubjectKeyResult;
  if (existing === undefined) {
    await keys.insertSubjectKey(scope, {
      subjectId: input.subjectId,
      organizationKeyId: null,
      wrappedKey: null,
      createdAt: now,
      destroyedAt: now,
    });
    result = nothingRotated('no-key-existed');
  } else if (!(await keys.destroySubjectKey(scope, input.subjectId, now))) {
    result = nothingRotated('already-shredded');
  } else {
    // Every live person's key is wrapped by the current organisation key (rotations re-wrap them
    // all), so rotating it destroys the key that wrapped this person's key.
    const rotation = await rotateOrganizationKeyInTransaction(deps, trx, scope);
    result = {
      outcome: 'shredded',
      retiredOrganizationKeyId: rotation?.retiredOrganizationKeyId ?? null,
      masterKeyIdToRetire: rotation?.retiredKeyMasterKeyId ?? null,
      rewrappedSubjectKeys: rotation?.rewrappedSubjectKeys ?? 0,
    };
  }
  await writeAuditEvent(deps, trx, scope, input.origin, {
    actorType: input.actor.actorType,
    actorId: input.actor.actorId,
    action: 'key.shred',
    outcome: 'success',
    subjectId: input.subjectId,
    details: {
      result: result.outcome,
      retiredOrganizationKeyId: result.retiredOrganizationKeyId,
      masterKeyIdToRetire: result.masterKeyIdToRetire,
      rewrappedSubjectKeys: result.rewrappedSubjectKeys,
    },
  });
  return result;
}

function nothingRotated(outcome: ShredSubjectKeyResult['outcome']): ShredSubjectKeyResult {
  return {
    outcome,
    retiredOrganizationKeyId: null,
    masterKeyIdToRetire: null,
    rewrappedSubjectKeys: 0,
  };
}

/** Crypto-shreds one person in a transaction of its own, then purges freed pages (SQLite). */
export async function shredSubjectKey(
  deps: { store: Store; masterKeys: MasterKeyProvider; clock: Clock; ids: IdGenerator },
  scope: OrganizationScope,
  input: ShredSubjectKeyInput,
): Promise<ShredSubjectKeyResult> {
  const result = await inTransaction(deps.store, (trx) =>
    shredSubjectKeyInTransaction({ ...deps, dialect: deps.store.dialect }, trx, scope, input),
  );
  await purgeDestroyedKeyPages(deps.store);
  return result;
}

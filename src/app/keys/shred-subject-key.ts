import type { Clock, IdGenerator } from '../../clock.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import { inTransaction, type Executor, type Store } from '../../store/db.js';
import { PERSON_WIDE_KEY, createKeyStore, purgeDestroyedKeyPages } from '../../store/key-store.js';
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
  /**
   * Destroy the keys only and leave the organisation key rotation to `completePendingShreds`,
   * which rotates once for every shred deferred before it: for a sweep that erases many people in
   * one transaction each. Until that rotation, a copy of the database taken before this shred
   * still opens the destroyed keys with the live organisation key (store/key-store.ts). Default
   * false: rotate in this transaction.
   */
  deferRotation?: boolean;
}

/** What a shred did about the organisation key rotation that makes it final (stage 1). */
export interface ShredRotation {
  /** The organisation key destroyed with the shredded key(s) (it wrapped them), if rotated. */
  retiredOrganizationKeyId: string | null;
  /**
   * Stage 2 of the guarantee (see store/key-store.ts): copies of the database taken before this
   * shred stay readable for whoever holds this master key until it is rotated out and destroyed.
   */
  masterKeyIdToRetire: string | null;
  rewrappedSubjectKeys: number;
  /**
   * The destroyed key(s) still name the live organisation key because the rotation was deferred:
   * `completePendingShreds` owes it (the destroyed rows are its durable record).
   */
  rotationPending: boolean;
}

/** A shred that rotated nothing and owes nothing. */
export const NO_ROTATION: Readonly<ShredRotation> = {
  retiredOrganizationKeyId: null,
  masterKeyIdToRetire: null,
  rewrappedSubjectKeys: 0,
  rotationPending: false,
};

export interface ShredSubjectKeyResult extends ShredRotation {
  /**
   * `shredded`: live keys existed and are destroyed; `already-shredded`: nothing left to destroy;
   * `no-key-existed`: nothing was ever encrypted for the person. Every outcome leaves a destroyed
   * person-wide marker, so nothing can be encrypted for them later.
   */
  outcome: 'shredded' | 'already-shredded' | 'no-key-existed';
  /** How many live keys (person-wide, or one per category) were destroyed. */
  destroyedKeys: number;
}

/**
 * Crypto-shreds one person in the caller's transaction (for an erasure that also deletes other
 * rows): destroys every data key of theirs (each category's, or the person-wide one), records a
 * destroyed person-wide marker that refuses any later encryption for them, rotates the
 * organisation key that wrapped them (re-wrapping everyone else's keys under a fresh one) unless
 * `deferRotation`, and appends a `key.shred` audit entry naming the person and the key ids — never
 * key material or data. Call {@link purgeDestroyedKeyPages} after commit.
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
  const existing = await keys.findSubjectKeys(scope, input.subjectId);
  const destroyedKeys = await keys.destroySubjectKeys(scope, { subjectId: input.subjectId }, now);
  // A no-op when the person already has a person-wide row: it was destroyed just now, or before.
  await keys.insertSubjectKey(scope, {
    subjectId: input.subjectId,
    categoryId: PERSON_WIDE_KEY,
    organizationKeyId: null,
    wrappedKey: null,
    createdAt: now,
    destroyedAt: now,
  });
  const rotation = await rotateAfterShred(
    deps,
    trx,
    scope,
    { subjectId: input.subjectId },
    input.deferRotation === true,
  );
  const result: ShredSubjectKeyResult = {
    outcome:
      destroyedKeys > 0
        ? 'shredded'
        : existing.length === 0
          ? 'no-key-existed'
          : 'already-shredded',
    destroyedKeys,
    ...rotation,
  };
  await writeAuditEvent(deps, trx, scope, input.origin, {
    actorType: input.actor.actorType,
    actorId: input.actor.actorId,
    action: 'key.shred',
    outcome: 'success',
    subjectId: input.subjectId,
    details: {
      result: result.outcome,
      destroyedKeys,
      retiredOrganizationKeyId: result.retiredOrganizationKeyId,
      masterKeyIdToRetire: result.masterKeyIdToRetire,
      rewrappedSubjectKeys: result.rewrappedSubjectKeys,
      rotationPending: result.rotationPending,
    },
  });
  return result;
}

/**
 * After destroying keys under the key lock: rotates the organisation key if any destroyed key of
 * `target` still names it — the keys just destroyed, or ones whose rotation an earlier shred
 * deferred — unless `deferRotation`, which leaves that to `completePendingShreds`. Every live key
 * is wrapped by the current organisation key (rotations re-wrap them all), so a destroyed key
 * names either the current key or one already destroyed.
 */
export async function rotateAfterShred(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  target: { subjectId: string; categoryId?: string },
  deferRotation: boolean,
): Promise<ShredRotation> {
  const owed = await createKeyStore(trx, deps.dialect).countKeysAwaitingRotation(scope, target);
  if (owed === 0 || deferRotation) {
    return { ...NO_ROTATION, rotationPending: owed > 0 };
  }
  const rotation = await rotateOrganizationKeyInTransaction(deps, trx, scope);
  return {
    retiredOrganizationKeyId: rotation?.retiredOrganizationKeyId ?? null,
    masterKeyIdToRetire: rotation?.retiredKeyMasterKeyId ?? null,
    rewrappedSubjectKeys: rotation?.rewrappedSubjectKeys ?? 0,
    rotationPending: false,
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

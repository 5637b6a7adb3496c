import { sql } from 'kysely';
import type { Dialect, Executor, Store } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

/**
 * Wrapped encryption keys: `organization_keys` (wrapped by a master key that never enters the
 * database) and `subject_keys` (data keys, wrapped by the organisation key). No column ever holds
 * an unwrapped key; unwrapping happens in memory in `app/keys/`.
 *
 * ## Which data key encrypts what
 *
 * One data key per person *and category* (`category_id`): a retention rule that deletes one
 * category of a person (payment records after seven years) destroys that category's key alone, so
 * the category is crypto-shredded while the person's other categories stay readable. Data outside
 * the policy's categories has a reserved key id (`#consent-evidence`). A person whose key was made
 * before per-category keys (migration 0010) keeps one person-wide key, category `*`, for every
 * category — for them a category deletion cannot be cryptographic (the use case says so and audits
 * it); only shredding the whole person is. A person shred destroys every key of the person and
 * leaves a destroyed `*` row, which refuses any later encryption for them. A category written
 * again after its key was destroyed gets a fresh key; the destroyed row is set aside, never
 * overwritten.
 *
 * ## Threat model and the guarantee of crypto-shredding
 *
 * The adversary obtains, at any time, any copy of the database: a backup, a dump, a replica, a
 * stolen disk, PostgreSQL dead tuples or archived WAL, a SQLite file copied before shredding.
 * After a key is shredded the adversary may also obtain the live database and every master key
 * still configured. Out of scope: someone who read plaintext or keys out of a running process's
 * memory, or copied a master key before it was retired; plaintext that left the system (exports,
 * e-mails, logs); physical forensics of freed disk blocks (covered anyway by the second stage).
 *
 * A copy taken before shredding holds the ciphertexts, the data key wrapped by the organisation
 * key K, and K wrapped by the master key M. If K and M both survive the shred, the copy decrypts —
 * whatever the live database looks like. In general: the holder of a pre-shred copy can decrypt
 * unless shredding destroyed some secret that the copy does not contain. The database copy
 * contains every database row, so that secret must live outside the database: it is the master
 * key generation. Hence two stages, which this store's methods implement:
 *
 * 1. Shredding (with its audit entry): the data key's wrapped form is set to NULL — every key of
 *    the person, or one category's — *and* the organisation key K is rotated: every remaining
 *    live data key is re-wrapped under a fresh K' and K's wrapped form is set to NULL. From the
 *    rotation on, the live database holds no path to the destroyed data key: not its wrapped form,
 *    not K. This is what a rotation alone cannot give (without it, the live K would open the
 *    wrapped key kept in any old copy). On SQLite the freed bytes are zeroed (`secure_delete`)
 *    and the WAL is checkpointed and truncated after commit, so the database files hold neither
 *    key either; on PostgreSQL the old row versions stay in the heap until VACUUM reuses them,
 *    and in WAL archives — stage 2 covers those.
 *
 *    By default the rotation runs in the shred's own transaction. A sweep erasing many people
 *    instead destroys keys in one small transaction per person (`deferRotation`) and rotates once
 *    at its end (`completePendingShreds`): one rotation re-wraps every live key, so a thousand
 *    rotations would buy nothing over one. **The deferred window**: between a deferred destroy and
 *    that rotation, a pre-shred copy together with the live K (and a configured M) can still open
 *    the destroyed key; the live database alone cannot (its wrapped form is gone). The window
 *    ends when the rotation commits. Its durable record is the destroyed row itself: a destroyed
 *    key whose `organization_key_id` names the live organisation key is a shred whose rotation is
 *    owed (`countKeysAwaitingRotation`, a partial index). Any rotation completes every owed one —
 *    the sweep's final call, the next call after a crash, an undeferred shred, a manual rotation —
 *    and nothing can erase the record before then: rotations skip destroyed rows, and a category
 *    written again sets its destroyed row aside rather than overwriting it.
 * 2. Master key retirement: `custodia keys rotate-master` re-wraps the live organisation keys
 *    under a new current master key; once the previous master key is removed from the key file
 *    (or its KMS key version destroyed) and from every copy of the key file, K cannot be
 *    unwrapped from any copy, and so every copy taken before the shred is unreadable for what was
 *    shredded. `organization_keys.master_key_id` is kept after destruction so the command can tell
 *    which master keys still keep destroyed keys recoverable.
 *
 * The exact guarantee: after stage 1 (the rotation included), nobody can decrypt shredded fields
 * using the live database and the configured master keys, even together with any pre-shred copy,
 * *except* by using a pre-shred copy together with a master key that wrapped the destroyed K;
 * after stage 2 (that master key destroyed everywhere), nobody can, from any copy. Master keys
 * must therefore never be stored with the database or in its backups, and key-file backups must
 * be kept for no longer than the erasure deadline allows. Everything not shredded is unaffected:
 * other data keys — other people's, the person's other categories — are unchanged, only re-wrapped.
 */
/** A live organisation key, still wrapped by a master key. */
export interface OrganizationKeyRow {
  id: string;
  wrappedKey: string;
  masterKeyId: string;
  createdAt: string;
}

/** A person's key row joined with the organisation key that wrapped it, read in one statement. */
export interface SubjectKeyRow {
  subjectId: string;
  /** A category id, or {@link PERSON_WIDE_KEY} (see store/schema.ts for the reserved forms). */
  categoryId: string;
  organizationKeyId: string | null;
  /** NULL once destroyed. */
  wrappedKey: string | null;
  destroyedAt: string | null;
  /** The wrapping organisation key; its wrapped form is NULL once it was destroyed. */
  organizationKey: { wrappedKey: string | null; masterKeyId: string } | undefined;
}

/** How many organisation keys each master key wraps, alive and destroyed. */
export interface MasterKeyUsage {
  masterKeyId: string;
  liveKeys: number;
  destroyedKeys: number;
}

/**
 * The category id of a person-wide key: the one key per person made before per-category keys. A
 * live one serves every category of its person; a destroyed one marks a shredded person.
 */
export const PERSON_WIDE_KEY = '*';

/** How many keys one rotation page touches: bounded memory however many people there are. */
export const REWRAP_PAGE_SIZE = 500;

export function createKeyStore(db: Executor, dialect: Dialect) {
  /**
   * SQLite leaves freed bytes in the file: not only a destroyed row's old content, but also stale
   * copies of live rows that B-tree rebalancing moved while *other* rows were inserted. Measured:
   * with 40 people, the shredded person's wrapped key survived in the file unless `secure_delete`
   * was on for every write to these tables, not only for the destroying one. So every writing
   * method turns it on for its connection (one connection per SQLite store; it stays on). Setting
   * it when the connection opens (store/db.ts) would cover every table: recommended.
   */
  async function zeroFreedBytes(): Promise<void> {
    if (dialect === 'sqlite') {
      await sql`PRAGMA secure_delete = ON`.execute(db);
    }
  }

  /**
   * A person's key rows joined with the organisation key that wrapped each, read in one
   * statement: a rotation committing in between cannot pair a key with an organisation key that
   * no longer wraps it. `categoryIds` narrows to those categories; without it, every row.
   */
  async function findSubjectKeys(
    scope: OrganizationScope,
    subjectId: string,
    categoryIds?: readonly string[],
  ): Promise<SubjectKeyRow[]> {
    let query = inTenant(db, scope)
      .selectFrom('subject_keys')
      .leftJoin('organization_keys', (join) =>
        join
          .onRef('organization_keys.organization_id', '=', 'subject_keys.organization_id')
          .onRef('organization_keys.id', '=', 'subject_keys.organization_key_id'),
      )
      .select([
        'subject_keys.subject_id as subjectId',
        'subject_keys.category_id as categoryId',
        'subject_keys.organization_key_id as organizationKeyId',
        'subject_keys.wrapped_key as wrappedKey',
        'subject_keys.destroyed_at as destroyedAt',
        'organization_keys.wrapped_key as organizationWrappedKey',
        'organization_keys.master_key_id as masterKeyId',
      ])
      .where('subject_keys.organization_id', '=', scope.organizationId)
      .where('subject_keys.subject_id', '=', subjectId);
    if (categoryIds !== undefined) {
      if (categoryIds.length === 0) {
        return [];
      }
      query = query.where('subject_keys.category_id', 'in', [...categoryIds]);
    }
    const rows = await query.orderBy('subject_keys.category_id').execute();
    return rows.map((row) => ({
      subjectId: row.subjectId,
      categoryId: row.categoryId,
      organizationKeyId: row.organizationKeyId,
      wrappedKey: row.wrappedKey,
      destroyedAt: row.destroyedAt,
      organizationKey:
        row.masterKeyId === null
          ? undefined
          : { wrappedKey: row.organizationWrappedKey, masterKeyId: row.masterKeyId },
    }));
  }

  return {
    /**
     * Serialises key creation and rotation within one organisation. Takes the same row lock as an
     * audit append (the organisation's row), so a transaction that does both takes one lock and
     * cannot deadlock against another. SQLite has a single writer and needs no lock.
     */
    async lockOrganizationKeys(scope: OrganizationScope): Promise<void> {
      if (dialect === 'postgres') {
        await inTenant(db, scope)
          .selectFrom('organizations')
          .select('id')
          .where('id', '=', scope.organizationId)
          .forUpdate()
          .execute();
      }
    },

    findCurrentOrganizationKey(scope: OrganizationScope): Promise<OrganizationKeyRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('organization_keys')
        .select([
          'id',
          'wrapped_key as wrappedKey',
          'master_key_id as masterKeyId',
          'created_at as createdAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('retired_at', 'is', null)
        .where('wrapped_key', 'is not', null)
        .$narrowType<{ wrappedKey: string }>()
        .executeTakeFirst();
    },

    async insertOrganizationKey(scope: OrganizationScope, row: OrganizationKeyRow): Promise<void> {
      await zeroFreedBytes();
      await inTenant(db, scope)
        .insertInto('organization_keys')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          wrapped_key: row.wrappedKey,
          master_key_id: row.masterKeyId,
          created_at: row.createdAt,
          retired_at: null,
        })
        .execute();
    },

    /** Retires an organisation key and erases its wrapped form: nothing can unwrap with it again. */
    async destroyOrganizationKey(
      scope: OrganizationScope,
      id: string,
      retiredAt: string,
    ): Promise<void> {
      await zeroFreedBytes();
      await inTenant(db, scope)
        .updateTable('organization_keys')
        .set({ wrapped_key: null, retired_at: retiredAt })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },

    /** Live organisation keys not yet wrapped by `currentMasterKeyId`: what a master rotation re-wraps. */
    listOrganizationKeysWrappedByOtherMasterKeys(
      scope: OrganizationScope,
      currentMasterKeyId: string,
    ): Promise<OrganizationKeyRow[]> {
      return inTenant(db, scope)
        .selectFrom('organization_keys')
        .select([
          'id',
          'wrapped_key as wrappedKey',
          'master_key_id as masterKeyId',
          'created_at as createdAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('wrapped_key', 'is not', null)
        .where('master_key_id', '<>', currentMasterKeyId)
        .orderBy('id')
        .$narrowType<{ wrappedKey: string }>()
        .execute();
    },

    async rewrapOrganizationKey(
      scope: OrganizationScope,
      id: string,
      wrapped: { wrappedKey: string; masterKeyId: string },
    ): Promise<void> {
      await zeroFreedBytes();
      await inTenant(db, scope)
        .updateTable('organization_keys')
        .set({ wrapped_key: wrapped.wrappedKey, master_key_id: wrapped.masterKeyId })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('wrapped_key', 'is not', null)
        .execute();
    },

    async masterKeyUsage(scope: OrganizationScope): Promise<MasterKeyUsage[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('organization_keys')
        .select((eb) => [
          'master_key_id as masterKeyId',
          eb.fn.count<number>('wrapped_key').as('liveKeys'),
          eb.fn.countAll<number>().as('allKeys'),
        ])
        .where('organization_id', '=', scope.organizationId)
        .groupBy('master_key_id')
        .orderBy('master_key_id')
        .execute();
      // COUNT is int8 on PostgreSQL, a number through db.ts's type parser, as on SQLite.
      return rows.map((row) => ({
        masterKeyId: row.masterKeyId,
        liveKeys: row.liveKeys,
        destroyedKeys: row.allKeys - row.liveKeys,
      }));
    },

    findSubjectKeys,

    /** One key row of a person: the exact category, with no fallback to the person-wide key. */
    async findSubjectKey(
      scope: OrganizationScope,
      subjectId: string,
      categoryId: string,
    ): Promise<SubjectKeyRow | undefined> {
      const [row] = await findSubjectKeys(scope, subjectId, [categoryId]);
      return row;
    },

    /**
     * Inserts a key unless one exists for that person and category; returns whether this call
     * inserted it. A person-wide (`*`) row with a NULL key and `destroyedAt` records a person
     * shredded before any key was made, so nothing can be encrypted for them afterwards.
     */
    async insertSubjectKey(
      scope: OrganizationScope,
      row: {
        subjectId: string;
        categoryId: string;
        organizationKeyId: string | null;
        wrappedKey: string | null;
        createdAt: string;
        destroyedAt: string | null;
      },
    ): Promise<boolean> {
      await zeroFreedBytes();
      const result = await inTenant(db, scope)
        .insertInto('subject_keys')
        .values({
          organization_id: scope.organizationId,
          subject_id: row.subjectId,
          category_id: row.categoryId,
          organization_key_id: row.organizationKeyId,
          wrapped_key: row.wrappedKey,
          created_at: row.createdAt,
          destroyed_at: row.destroyedAt,
        })
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'subject_id', 'category_id']).doNothing(),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /**
     * Moves a destroyed key row to another category id, freeing its category for a fresh key. The
     * row is never overwritten: it stays the record of what was destroyed and when, and while it
     * points at the live organisation key, the record that a rotation is owed. Returns false when
     * the row is not there or not destroyed.
     */
    async setAsideDestroyedSubjectKey(
      scope: OrganizationScope,
      subjectId: string,
      categoryId: string,
      asideCategoryId: string,
    ): Promise<boolean> {
      await zeroFreedBytes();
      const result = await inTenant(db, scope)
        .updateTable('subject_keys')
        .set({ category_id: asideCategoryId })
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', subjectId)
        .where('category_id', '=', categoryId)
        .where('wrapped_key', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Up to `limit` live keys still wrapped by one organisation key. */
    listSubjectKeysWrappedBy(
      scope: OrganizationScope,
      organizationKeyId: string,
      limit: number = REWRAP_PAGE_SIZE,
      after?: { subjectId: string; categoryId: string },
    ): Promise<{ subjectId: string; categoryId: string; wrappedKey: string }[]> {
      // Keyset paging from the previous page's last key: destroyed keys stay under the old
      // organisation key (the record of an owed rotation), and without a starting point every
      // page would re-read all those before it — quadratic at a million keys (bench/README.md).
      let query = inTenant(db, scope)
        .selectFrom('subject_keys')
        .select([
          'subject_id as subjectId',
          'category_id as categoryId',
          'wrapped_key as wrappedKey',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('organization_key_id', '=', organizationKeyId);
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('subject_id', '>', after.subjectId),
            eb.and([
              eb('subject_id', '=', after.subjectId),
              eb('category_id', '>', after.categoryId),
            ]),
          ]),
        );
      }
      return query
        .where('wrapped_key', 'is not', null)
        .orderBy('subject_id')
        .orderBy('category_id')
        .limit(limit)
        .$narrowType<{ wrappedKey: string }>()
        .execute();
    },

    async rewrapSubjectKey(
      scope: OrganizationScope,
      key: { subjectId: string; categoryId: string },
      wrapped: { organizationKeyId: string; wrappedKey: string },
    ): Promise<void> {
      await zeroFreedBytes();
      await inTenant(db, scope)
        .updateTable('subject_keys')
        .set({ organization_key_id: wrapped.organizationKeyId, wrapped_key: wrapped.wrappedKey })
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', key.subjectId)
        .where('category_id', '=', key.categoryId)
        .where('wrapped_key', 'is not', null)
        .execute();
    },

    /**
     * Crypto-shreds keys: overwrites the wrapped form of every live key of the person (or of one
     * of their categories) with NULL; `organization_key_id` stays, naming the key that wrapped
     * it. Returns how many keys were live. Only stage 1 of the guarantee once the organisation key
     * is rotated, in the same transaction or later (see the module JSDoc).
     */
    async destroySubjectKeys(
      scope: OrganizationScope,
      target: { subjectId: string; categoryId?: string },
      destroyedAt: string,
    ): Promise<number> {
      await zeroFreedBytes();
      let query = inTenant(db, scope)
        .updateTable('subject_keys')
        .set({ wrapped_key: null, destroyed_at: destroyedAt })
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', target.subjectId)
        .where('destroyed_at', 'is', null);
      if (target.categoryId !== undefined) {
        query = query.where('category_id', '=', target.categoryId);
      }
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * How many destroyed keys still name the live organisation key: each is a shred whose
     * rotation has not happened yet, and whose wrapped key any earlier copy of the database still
     * opens with that live key. Optionally only one person's (or one of their categories').
     * Served by the partial index of destroyed keys, so it stays cheap however many keys live.
     */
    async countKeysAwaitingRotation(
      scope: OrganizationScope,
      target?: { subjectId: string; categoryId?: string },
    ): Promise<number> {
      let query = inTenant(db, scope)
        .selectFrom('subject_keys')
        .innerJoin('organization_keys', (join) =>
          join
            .onRef('organization_keys.organization_id', '=', 'subject_keys.organization_id')
            .onRef('organization_keys.id', '=', 'subject_keys.organization_key_id'),
        )
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('subject_keys.organization_id', '=', scope.organizationId)
        .where('subject_keys.wrapped_key', 'is', null)
        .where('organization_keys.retired_at', 'is', null);
      if (target !== undefined) {
        query = query.where('subject_keys.subject_id', '=', target.subjectId);
        if (target.categoryId !== undefined) {
          query = query.where('subject_keys.category_id', '=', target.categoryId);
        }
      }
      const row = await query.executeTakeFirst();
      // COUNT is int8 on PostgreSQL, a number through db.ts's type parser, as on SQLite.
      return row?.count ?? 0;
    },
  };
}

export type KeyStore = ReturnType<typeof createKeyStore>;

/**
 * After a commit that destroyed keys: on SQLite, checkpoint the WAL into the database file and
 * truncate it, so the frames that still held the old page images are gone from the files (the
 * database pages themselves were zeroed by `secure_delete`). Returns false if a reader kept the
 * checkpoint from completing; the WAL is then truncated by a later checkpoint. PostgreSQL offers no
 * equivalent (old row versions and WAL archives remain): stage 2 of the guarantee covers it.
 */
export async function purgeDestroyedKeyPages(store: Store): Promise<boolean> {
  if (store.dialect !== 'sqlite') {
    return true;
  }
  const result = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  return result.rows[0]?.busy === 0;
}

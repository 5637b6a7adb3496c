import { sql } from 'kysely';
import type { Dialect, Executor, Store } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

/**
 * Wrapped encryption keys: `organization_keys` (wrapped by a master key that never enters the
 * database) and `subject_keys` (one data key per person, wrapped by the organisation key). No
 * column ever holds an unwrapped key; unwrapping happens in memory in `app/keys/`.
 *
 * ## Threat model and the guarantee of crypto-shredding
 *
 * The adversary obtains, at any time, any copy of the database: a backup, a dump, a replica, a
 * stolen disk, PostgreSQL dead tuples or archived WAL, a SQLite file copied before shredding.
 * After a person is shredded the adversary may also obtain the live database and every master key
 * still configured. Out of scope: someone who read plaintext or keys out of a running process's
 * memory, or copied a master key before it was retired; plaintext that left the system (exports,
 * e-mails, logs); physical forensics of freed disk blocks (covered anyway by the second stage).
 *
 * A copy taken before shredding holds the person's ciphertexts, their data key wrapped by the
 * organisation key K, and K wrapped by the master key M. If K and M both survive the shred, the
 * copy decrypts — whatever the live database looks like. In general: the holder of a pre-shred
 * copy can decrypt unless shredding destroyed some secret that the copy does not contain. The
 * database copy contains every database row, so that secret must live outside the database: it
 * is the master key generation. Hence two stages, which this store's methods implement:
 *
 * 1. Shredding (one transaction, with its audit entry): the person's wrapped key is set to NULL,
 *    *and* the organisation key K is rotated — every remaining person's key is re-wrapped under a
 *    fresh K' and K's wrapped form is set to NULL. From commit on, the live database holds no path
 *    to the person's data key: not their wrapped key, not K. This is what a rotation alone cannot
 *    give (without it, the live K would open the wrapped key kept in any old copy). On SQLite the
 *    freed bytes are zeroed (`secure_delete`) and the WAL is checkpointed and truncated after
 *    commit, so the database files hold neither key either; on PostgreSQL the old row versions
 *    stay in the heap until VACUUM reuses them, and in WAL archives — stage 2 covers those.
 * 2. Master key retirement: `custodia keys rotate-master` re-wraps the live organisation keys
 *    under a new current master key; once the previous master key is removed from the key file
 *    (or its KMS key version destroyed) and from every copy of the key file, K cannot be
 *    unwrapped from any copy, and so every copy taken before the shred is unreadable for that
 *    person. `organization_keys.master_key_id` is kept after destruction so the command can tell
 *    which master keys still keep destroyed keys recoverable.
 *
 * The exact guarantee: after stage 1, nobody can decrypt a shredded person's fields using the live
 * database and the configured master keys, even together with any pre-shred copy, *except* by
 * using a pre-shred copy together with a master key that wrapped the destroyed K; after stage 2
 * (that master key destroyed everywhere), nobody can, from any copy. Master keys must therefore
 * never be stored with the database or in its backups, and key-file backups must be kept for no
 * longer than the erasure deadline allows. Other people's fields are unaffected: their data keys
 * are unchanged, only re-wrapped.
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

    findSubjectKey(
      scope: OrganizationScope,
      subjectId: string,
    ): Promise<SubjectKeyRow | undefined> {
      // One statement for both rows: a rotation committing in between cannot pair a person's key
      // with an organisation key that no longer wraps it.
      return inTenant(db, scope)
        .selectFrom('subject_keys')
        .leftJoin('organization_keys', (join) =>
          join
            .onRef('organization_keys.organization_id', '=', 'subject_keys.organization_id')
            .onRef('organization_keys.id', '=', 'subject_keys.organization_key_id'),
        )
        .select([
          'subject_keys.subject_id as subjectId',
          'subject_keys.organization_key_id as organizationKeyId',
          'subject_keys.wrapped_key as wrappedKey',
          'subject_keys.destroyed_at as destroyedAt',
          'organization_keys.wrapped_key as organizationWrappedKey',
          'organization_keys.master_key_id as masterKeyId',
        ])
        .where('subject_keys.organization_id', '=', scope.organizationId)
        .where('subject_keys.subject_id', '=', subjectId)
        .executeTakeFirst()
        .then((row) =>
          row === undefined
            ? undefined
            : {
                subjectId: row.subjectId,
                organizationKeyId: row.organizationKeyId,
                wrappedKey: row.wrappedKey,
                destroyedAt: row.destroyedAt,
                organizationKey:
                  row.masterKeyId === null
                    ? undefined
                    : { wrappedKey: row.organizationWrappedKey, masterKeyId: row.masterKeyId },
              },
        );
    },

    /**
     * Inserts a person's key unless one exists; returns whether this call inserted it. A row with
     * a NULL key and `destroyedAt` records a person shredded before any key was made, so nothing
     * can be encrypted for them afterwards.
     */
    async insertSubjectKey(
      scope: OrganizationScope,
      row: {
        subjectId: string;
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
          organization_key_id: row.organizationKeyId,
          wrapped_key: row.wrappedKey,
          created_at: row.createdAt,
          destroyed_at: row.destroyedAt,
        })
        .onConflict((conflict) => conflict.columns(['organization_id', 'subject_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Up to `limit` live person keys still wrapped by one organisation key. */
    listSubjectKeysWrappedBy(
      scope: OrganizationScope,
      organizationKeyId: string,
      limit: number = REWRAP_PAGE_SIZE,
    ): Promise<{ subjectId: string; wrappedKey: string }[]> {
      return inTenant(db, scope)
        .selectFrom('subject_keys')
        .select(['subject_id as subjectId', 'wrapped_key as wrappedKey'])
        .where('organization_id', '=', scope.organizationId)
        .where('organization_key_id', '=', organizationKeyId)
        .where('wrapped_key', 'is not', null)
        .orderBy('subject_id')
        .limit(limit)
        .$narrowType<{ wrappedKey: string }>()
        .execute();
    },

    async rewrapSubjectKey(
      scope: OrganizationScope,
      subjectId: string,
      wrapped: { organizationKeyId: string; wrappedKey: string },
    ): Promise<void> {
      await zeroFreedBytes();
      await inTenant(db, scope)
        .updateTable('subject_keys')
        .set({ organization_key_id: wrapped.organizationKeyId, wrapped_key: wrapped.wrappedKey })
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', subjectId)
        .where('wrapped_key', 'is not', null)
        .execute();
    },

    /**
     * Crypto-shreds one person: overwrites their wrapped key with NULL. Returns false when there
     * was no live key. Only stage 1 of the guarantee together with the organisation key rotation
     * in the same transaction; see the module JSDoc.
     */
    async destroySubjectKey(
      scope: OrganizationScope,
      subjectId: string,
      destroyedAt: string,
    ): Promise<boolean> {
      await zeroFreedBytes();
      const result = await inTenant(db, scope)
        .updateTable('subject_keys')
        .set({ wrapped_key: null, destroyed_at: destroyedAt })
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', subjectId)
        .where('destroyed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
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

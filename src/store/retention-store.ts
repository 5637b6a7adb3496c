import { sql } from 'kysely';
import type { Dialect, Executor } from './db.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

export interface RetentionEventRow {
  id: string;
  personId: string | null;
  trigger: string;
  occurredAt: string;
  recordedBy: string | null;
  recordedAt: string;
}

export interface LegalHoldRow {
  id: string;
  personId: string | null;
  categoryId: string | null;
  reason: string;
  note: string | null;
  placedBy: string | null;
  placedAt: string;
  expiresAt: string | null;
  releasedAt: string | null;
  releasedBy: string | null;
}

const holdColumns = [
  'id',
  'person_id as personId',
  'category_id as categoryId',
  'reason',
  'note',
  'placed_by as placedBy',
  'placed_at as placedAt',
  'expires_at as expiresAt',
  'released_at as releasedAt',
  'released_by as releasedBy',
] as const;

/** Retention events recorded from outside, and legal holds. */
export function createRetentionStore(db: Executor, dialect?: Dialect) {
  return {
    /**
     * Claims one person for this transaction, so that two instances sweeping at once never act
     * on the same person twice: a PostgreSQL advisory lock held until commit, skipped (false)
     * when another transaction holds it. SQLite has one writer at a time; always true there.
     */
    async tryLockPerson(scope: OrganizationScope, personId: string): Promise<boolean> {
      if (dialect !== 'postgres') {
        return true;
      }
      const key = `custodia.retention/${scope.organizationId}/${personId}`;
      const result = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) as locked`.execute(
        inTenant(db, scope),
      );
      return result.rows[0]?.locked === true;
    },

    async insertEvent(scope: OrganizationScope, event: RetentionEventRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('retention_events')
        .values({
          organization_id: scope.organizationId,
          id: event.id,
          person_id: event.personId,
          trigger: event.trigger,
          occurred_at: event.occurredAt,
          recorded_by: event.recordedBy,
          recorded_at: event.recordedAt,
        })
        .execute();
    },

    /** The person's recorded events and the organisation's own (person_id NULL), oldest first. */
    eventsFor(scope: OrganizationScope, personId: string): Promise<RetentionEventRow[]> {
      return inTenant(db, scope)
        .selectFrom('retention_events')
        .select([
          'id',
          'person_id as personId',
          'trigger',
          'occurred_at as occurredAt',
          'recorded_by as recordedBy',
          'recorded_at as recordedAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where((eb) => eb.or([eb('person_id', '=', personId), eb('person_id', 'is', null)]))
        .orderBy('occurred_at')
        .execute();
    },

    async insertHold(scope: OrganizationScope, hold: LegalHoldRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('legal_holds')
        .values({
          organization_id: scope.organizationId,
          id: hold.id,
          person_id: hold.personId,
          category_id: hold.categoryId,
          reason: hold.reason,
          note: hold.note,
          placed_by: hold.placedBy,
          placed_at: hold.placedAt,
          expires_at: hold.expiresAt,
          released_at: null,
          released_by: null,
        })
        .execute();
    },

    listHolds(scope: OrganizationScope): Promise<LegalHoldRow[]> {
      return inTenant(db, scope)
        .selectFrom('legal_holds')
        .select(holdColumns)
        .where('organization_id', '=', scope.organizationId)
        .orderBy('placed_at')
        .orderBy('id')
        .execute();
    },

    /** Releases a hold in force; false when there is none with that id (or it was released). */
    async releaseHold(
      scope: OrganizationScope,
      id: string,
      release: { at: string; by: string | null },
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('legal_holds')
        .set({ released_at: release.at, released_by: release.by })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type RetentionStore = ReturnType<typeof createRetentionStore>;

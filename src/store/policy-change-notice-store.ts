import type { Executor } from './db.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

/**
 * One person's notice of one announced policy version. A row is written (claimed) before its
 * email is sent and completed after, so two senders running at once never email anyone twice; a
 * row still `sending` was interrupted and is retried when the version is announced again.
 */
export interface PolicyChangeNoticeRow {
  policyVersionId: string;
  personId: string;
  effectiveAt: string;
  /** Whether the person must accept again (explicitly) for the version to count as accepted. */
  reacceptanceRequired: boolean;
  /** When the email reached the mail server (the person's own, or their guardian's). */
  sentAt: string | null;
  /** Why not: `no-address`, `no-guardian`, the mailer's reason, or `sending` while in flight. */
  failure: string | null;
}

/** The failure a claimed row carries until its email is sent or refused. */
export const NOTICE_IN_FLIGHT = 'sending';

/** A notified person and their acceptance of the version, if any: the re-acceptance report. */
export interface NoticeAcceptanceRow extends PolicyChangeNoticeRow {
  acceptedAt: string | null;
  acceptanceMethod: 'explicit' | 'continued-use' | null;
}

const columns = [
  'policy_version_id as policyVersionId',
  'person_id as personId',
  'effective_at as effectiveAt',
  'reacceptance_required as reacceptanceRequired',
  'sent_at as sentAt',
  'failure',
] as const;

function toRow<T extends { reacceptanceRequired: number }>(
  row: T,
): Omit<T, 'reacceptanceRequired'> & { reacceptanceRequired: boolean } {
  return { ...row, reacceptanceRequired: row.reacceptanceRequired === 1 };
}

export function createPolicyChangeNoticeStore(db: Executor) {
  return {
    /**
     * Writes a row for each person who has none yet for this version and returns the ids written:
     * the people this caller now owns the notice of. Others already have a row (sent, failed, or
     * claimed by a concurrent sender).
     */
    async claim(
      scope: OrganizationScope,
      notice: { policyVersionId: string; effectiveAt: string; reacceptanceRequired: boolean },
      personIds: readonly string[],
      failure: string = NOTICE_IN_FLIGHT,
    ): Promise<string[]> {
      if (personIds.length === 0) {
        return [];
      }
      const rows = await inTenant(db, scope)
        .insertInto('policy_change_notices')
        .values(
          personIds.map((personId) => ({
            organization_id: scope.organizationId,
            policy_version_id: notice.policyVersionId,
            person_id: personId,
            effective_at: notice.effectiveAt,
            reacceptance_required: notice.reacceptanceRequired ? 1 : 0,
            sent_at: null,
            failure,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'policy_version_id', 'person_id']).doNothing(),
        )
        .returning('person_id')
        .execute();
      return rows.map((row) => row.person_id);
    },
    /** Marks these people notified (an email that concerns them was accepted by the server). */
    async markSent(
      scope: OrganizationScope,
      policyVersionId: string,
      personIds: readonly string[],
      at: string,
    ): Promise<void> {
      if (personIds.length === 0) {
        return;
      }
      await inTenant(db, scope)
        .updateTable('policy_change_notices')
        .set({ sent_at: at, failure: null })
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .where('person_id', 'in', [...personIds])
        .where('sent_at', 'is', null)
        .execute();
    },
    /** Records why these people could not be notified; rows already sent are left alone. */
    async markFailed(
      scope: OrganizationScope,
      policyVersionId: string,
      personIds: readonly string[],
      failure: string,
    ): Promise<void> {
      if (personIds.length === 0) {
        return;
      }
      await inTenant(db, scope)
        .updateTable('policy_change_notices')
        .set({ failure })
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .where('person_id', 'in', [...personIds])
        .where('sent_at', 'is', null)
        .execute();
    },
    /** Forgets the notices not sent (failed or interrupted), so the next pass tries them again. */
    async forgetUnsent(scope: OrganizationScope, policyVersionId: string): Promise<number> {
      const result = await inTenant(db, scope)
        .deleteFrom('policy_change_notices')
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async listForVersion(
      scope: OrganizationScope,
      policyVersionId: string,
    ): Promise<PolicyChangeNoticeRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('policy_change_notices')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .orderBy('person_id')
        .execute();
      return rows.map(toRow);
    },
    async find(
      scope: OrganizationScope,
      policyVersionId: string,
      personId: string,
    ): Promise<PolicyChangeNoticeRow | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('policy_change_notices')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .where('person_id', '=', personId)
        .executeTakeFirst();
      return row === undefined ? undefined : toRow(row);
    },
    /**
     * People of the organisation with no notice row for the version yet (ids and kinds only): who
     * a sending pass still has to reach, including people recorded since the announcement.
     */
    unnotifiedPeople(
      scope: OrganizationScope,
      policyVersionId: string,
    ): Promise<{ id: string; subjectKind: string }[]> {
      return inTenant(db, scope)
        .selectFrom('people')
        .leftJoin('policy_change_notices as notice', (join) =>
          join
            .onRef('notice.organization_id', '=', 'people.organization_id')
            .onRef('notice.person_id', '=', 'people.id')
            .on('notice.policy_version_id', '=', policyVersionId),
        )
        .select(['people.id as id', 'people.subject_kind as subjectKind'])
        .where('people.organization_id', '=', scope.organizationId)
        .where('notice.person_id', 'is', null)
        .orderBy('people.id')
        .execute();
    },
    /** Every notice of the version with the person's acceptance of that version, in one query. */
    async withAcceptances(
      scope: OrganizationScope,
      policyVersionId: string,
    ): Promise<NoticeAcceptanceRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('policy_change_notices as notice')
        .leftJoin('terms_acceptances as acceptance', (join) =>
          join
            .onRef('acceptance.organization_id', '=', 'notice.organization_id')
            .onRef('acceptance.person_id', '=', 'notice.person_id')
            .onRef('acceptance.policy_version_id', '=', 'notice.policy_version_id'),
        )
        .select([
          'notice.policy_version_id as policyVersionId',
          'notice.person_id as personId',
          'notice.effective_at as effectiveAt',
          'notice.reacceptance_required as reacceptanceRequired',
          'notice.sent_at as sentAt',
          'notice.failure',
          'acceptance.accepted_at as acceptedAt',
          'acceptance.method as acceptanceMethod',
        ])
        .where('notice.organization_id', '=', scope.organizationId)
        .where('notice.policy_version_id', '=', policyVersionId)
        .orderBy('notice.person_id')
        .$narrowType<{ acceptanceMethod: 'explicit' | 'continued-use' | null }>()
        .execute();
      return rows.map(toRow);
    },
  };
}

export type PolicyChangeNoticeStore = ReturnType<typeof createPolicyChangeNoticeStore>;

import type { Executor } from './db.js';
import type { ProcessingRestrictionsTable, RightsRequestsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

export interface RightsRequestRow {
  id: string;
  personId: string;
  kind: string;
  requestKind: RightsRequestsTable['request_kind'];
  jurisdiction: string;
  madeBy: RightsRequestsTable['made_by'];
  requesterId: string | null;
  agent: Record<string, string> | null;
  channel: string;
  status: RightsRequestsTable['status'];
  details: Record<string, unknown>;
  receivedAt: string;
  verifiedAt: string | null;
  dueAt: string | null;
  extendedDueAt: string | null;
  extensionReason: string | null;
  remindedAt: string | null;
  closedAt: string | null;
  refusalReason: string | null;
  outcome: Record<string, unknown> | null;
}

const requestColumns = [
  'id',
  'person_id as personId',
  'kind',
  'request_kind as requestKind',
  'jurisdiction',
  'made_by as madeBy',
  'requester_id as requesterId',
  'agent',
  'channel',
  'status',
  'details',
  'received_at as receivedAt',
  'verified_at as verifiedAt',
  'due_at as dueAt',
  'extended_due_at as extendedDueAt',
  'extension_reason as extensionReason',
  'reminded_at as remindedAt',
  'closed_at as closedAt',
  'refusal_reason as refusalReason',
  'outcome',
] as const;

type StoredRequest = Omit<RightsRequestRow, 'agent' | 'details' | 'outcome'> & {
  agent: string | null;
  details: string;
  outcome: string | null;
};

function parsed(row: StoredRequest): RightsRequestRow {
  return {
    ...row,
    agent: row.agent === null ? null : (JSON.parse(row.agent) as Record<string, string>),
    details: JSON.parse(row.details) as Record<string, unknown>,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as Record<string, unknown>),
  };
}

/** What may change on a request after it arrived. */
export type RightsRequestChange = Partial<
  Pick<
    RightsRequestRow,
    | 'status'
    | 'verifiedAt'
    | 'dueAt'
    | 'extendedDueAt'
    | 'extensionReason'
    | 'remindedAt'
    | 'closedAt'
    | 'refusalReason'
    | 'outcome'
  >
>;

export interface VerificationCodeRow {
  id: string;
  requestId: string;
  codeMac: string;
  sentAt: string;
  expiresAt: string;
  attempts: number;
  usedAt: string | null;
}

export interface RestrictionRow {
  id: string;
  personId: string;
  kind: ProcessingRestrictionsTable['kind'];
  categoryId: string | null;
  purposeId: string | null;
  requestId: string | null;
  since: string;
  liftedAt: string | null;
  overridingGrounds: string | null;
}

export interface DisclosureRow {
  id: string;
  personId: string;
  thirdPartyId: string;
  categories: string[];
  disclosedAt: string;
  recordedBy: string | null;
}

/** Data subject requests, their verification codes, restrictions and disclosures (0011). */
export function createRightsStore(db: Executor) {
  return {
    async insertRequest(scope: OrganizationScope, row: RightsRequestRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('rights_requests')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          person_id: row.personId,
          kind: row.kind,
          request_kind: row.requestKind,
          jurisdiction: row.jurisdiction,
          made_by: row.madeBy,
          requester_id: row.requesterId,
          agent: row.agent === null ? null : JSON.stringify(row.agent),
          channel: row.channel,
          status: row.status,
          details: JSON.stringify(row.details),
          received_at: row.receivedAt,
          verified_at: row.verifiedAt,
          due_at: row.dueAt,
          extended_due_at: row.extendedDueAt,
          extension_reason: row.extensionReason,
          reminded_at: row.remindedAt,
          closed_at: row.closedAt,
          refusal_reason: row.refusalReason,
          outcome: row.outcome === null ? null : JSON.stringify(row.outcome),
        })
        .execute();
    },

    async findRequest(scope: OrganizationScope, id: string): Promise<RightsRequestRow | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('rights_requests')
        .select(requestColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : parsed(row);
    },

    /**
     * Requests, newest first, optionally only some statuses, one person's, or those received in
     * a period: the staff queue, a person's history, the on-time report.
     */
    async listRequests(
      scope: OrganizationScope,
      filter: {
        statuses?: readonly RightsRequestRow['status'][];
        personId?: string;
        receivedFrom?: string;
        receivedBefore?: string;
        /** Only those whose deadline (the extended one, when extended) is before this instant. */
        dueBefore?: string;
        limit: number;
      },
    ): Promise<RightsRequestRow[]> {
      let query = inTenant(db, scope)
        .selectFrom('rights_requests')
        .select(requestColumns)
        .where('organization_id', '=', scope.organizationId);
      if (filter.statuses !== undefined && filter.statuses.length > 0) {
        query = query.where('status', 'in', filter.statuses);
      }
      if (filter.personId !== undefined) {
        query = query.where('person_id', '=', filter.personId);
      }
      if (filter.receivedFrom !== undefined) {
        query = query.where('received_at', '>=', filter.receivedFrom);
      }
      if (filter.receivedBefore !== undefined) {
        query = query.where('received_at', '<', filter.receivedBefore);
      }
      const { dueBefore } = filter;
      if (dueBefore !== undefined) {
        query = query.where((eb) =>
          eb(eb.fn.coalesce('extended_due_at', 'due_at'), '<', dueBefore),
        );
      }
      const rows = await query
        .orderBy('received_at', 'desc')
        .orderBy('id')
        .limit(filter.limit)
        .execute();
      return rows.map(parsed);
    },

    /**
     * Applies a change to a request still in `from` (one of): false when it moved on meanwhile,
     * so two staff acting at once cannot both complete it.
     */
    async updateRequest(
      scope: OrganizationScope,
      id: string,
      from: readonly RightsRequestRow['status'][],
      change: RightsRequestChange,
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('rights_requests')
        .set({
          ...(change.status === undefined ? {} : { status: change.status }),
          ...(change.verifiedAt === undefined ? {} : { verified_at: change.verifiedAt }),
          ...(change.dueAt === undefined ? {} : { due_at: change.dueAt }),
          ...(change.extendedDueAt === undefined ? {} : { extended_due_at: change.extendedDueAt }),
          ...(change.extensionReason === undefined
            ? {}
            : { extension_reason: change.extensionReason }),
          ...(change.remindedAt === undefined ? {} : { reminded_at: change.remindedAt }),
          ...(change.closedAt === undefined ? {} : { closed_at: change.closedAt }),
          ...(change.refusalReason === undefined ? {} : { refusal_reason: change.refusalReason }),
          ...(change.outcome === undefined
            ? {}
            : { outcome: change.outcome === null ? null : JSON.stringify(change.outcome) }),
        })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertCode(scope: OrganizationScope, row: VerificationCodeRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('verification_codes')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          request_id: row.requestId,
          code_mac: row.codeMac,
          sent_at: row.sentAt,
          expires_at: row.expiresAt,
          attempts: row.attempts,
          used_at: row.usedAt,
        })
        .execute();
    },

    /** The codes sent for a request, newest first. */
    codesFor(scope: OrganizationScope, requestId: string): Promise<VerificationCodeRow[]> {
      return inTenant(db, scope)
        .selectFrom('verification_codes')
        .select([
          'id',
          'request_id as requestId',
          'code_mac as codeMac',
          'sent_at as sentAt',
          'expires_at as expiresAt',
          'attempts',
          'used_at as usedAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('request_id', '=', requestId)
        .orderBy('sent_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },

    async countAttempt(scope: OrganizationScope, codeId: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('verification_codes')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', codeId)
        .execute();
    },

    /** Marks a code used, once: false when it was used already (a replay). */
    async useCode(scope: OrganizationScope, codeId: string, at: string): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('verification_codes')
        .set({ used_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', codeId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertRestriction(scope: OrganizationScope, row: RestrictionRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('processing_restrictions')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          person_id: row.personId,
          kind: row.kind,
          category_id: row.categoryId,
          purpose_id: row.purposeId,
          request_id: row.requestId,
          since: row.since,
          lifted_at: row.liftedAt,
          lifted_by: null,
          overriding_grounds: row.overridingGrounds,
        })
        .execute();
    },

    /** Restrictions and objections in force for a person: not lifted (objections: nor overridden). */
    activeRestrictions(scope: OrganizationScope, personId: string): Promise<RestrictionRow[]> {
      return inTenant(db, scope)
        .selectFrom('processing_restrictions')
        .select([
          'id',
          'person_id as personId',
          'kind',
          'category_id as categoryId',
          'purpose_id as purposeId',
          'request_id as requestId',
          'since',
          'lifted_at as liftedAt',
          'overriding_grounds as overridingGrounds',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .where('lifted_at', 'is', null)
        .where('overriding_grounds', 'is', null)
        .orderBy('since')
        .execute();
    },

    /** Lifts a restriction, or records overriding grounds for an objection; false if not in force. */
    async liftRestriction(
      scope: OrganizationScope,
      id: string,
      change: { at: string; by: string | null; overridingGrounds?: string },
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('processing_restrictions')
        .set({
          lifted_at: change.at,
          lifted_by: change.by,
          ...(change.overridingGrounds === undefined
            ? {}
            : { overriding_grounds: change.overridingGrounds }),
        })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('lifted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertDisclosure(scope: OrganizationScope, row: DisclosureRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('disclosures')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          person_id: row.personId,
          third_party_id: row.thirdPartyId,
          categories: JSON.stringify(row.categories),
          disclosed_at: row.disclosedAt,
          recorded_by: row.recordedBy,
        })
        .execute();
    },

    async disclosuresOf(scope: OrganizationScope, personId: string): Promise<DisclosureRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('disclosures')
        .select([
          'id',
          'person_id as personId',
          'third_party_id as thirdPartyId',
          'categories',
          'disclosed_at as disclosedAt',
          'recorded_by as recordedBy',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('disclosed_at')
        .execute();
      return rows.map((row) => ({ ...row, categories: JSON.parse(row.categories) as string[] }));
    },
  };
}

export type RightsStore = ReturnType<typeof createRightsStore>;

import type { Dialect, Executor } from './db.js';
import type { AuditEventsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';

export interface AuditEventInput {
  id: string;
  occurredAt: string;
  actorType: AuditEventsTable['actor_type'];
  actorId: string | null;
  action: string;
  outcome: AuditEventsTable['outcome'];
  subjectId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditEventRow extends Omit<AuditEventInput, 'details'> {
  organizationId: string;
  sequence: number;
  details: Record<string, unknown>;
}

const columns = [
  'organization_id as organizationId',
  'id',
  'sequence',
  'occurred_at as occurredAt',
  'actor_type as actorType',
  'actor_id as actorId',
  'action',
  'outcome',
  'subject_id as subjectId',
  'ip',
  'user_agent as userAgent',
  'request_id as requestId',
  'details',
] as const;

/**
 * The audit trail is append-only: this store has no update or delete method. Entries are numbered
 * per organisation in the order they are written, which is the order the hash chain will follow.
 * `append` must run inside a transaction: on PostgreSQL it locks the organisation's row so two
 * concurrent appends cannot take the same sequence number.
 */
export function createAuditStore(db: Executor, dialect: Dialect) {
  return {
    async append(scope: OrganizationScope, event: AuditEventInput): Promise<number> {
      if (dialect === 'postgres') {
        await db
          .selectFrom('organizations')
          .select('id')
          .where('id', '=', scope.organizationId)
          .forUpdate()
          .execute();
      }
      const last = await db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.max('sequence').as('last'))
        .where('organization_id', '=', scope.organizationId)
        .executeTakeFirst();
      const sequence = (last?.last ?? 0) + 1;
      await db
        .insertInto('audit_events')
        .values({
          organization_id: scope.organizationId,
          id: event.id,
          sequence,
          occurred_at: event.occurredAt,
          actor_type: event.actorType,
          actor_id: event.actorId,
          action: event.action,
          outcome: event.outcome,
          subject_id: event.subjectId,
          ip: event.ip,
          user_agent: event.userAgent,
          request_id: event.requestId,
          details: JSON.stringify(event.details),
        })
        .execute();
      return sequence;
    },
    async list(
      scope: OrganizationScope,
      filter: { action?: string; actorId?: string; limit?: number } = {},
    ): Promise<AuditEventRow[]> {
      let query = db
        .selectFrom('audit_events')
        .select(columns)
        .where('organization_id', '=', scope.organizationId);
      if (filter.action !== undefined) {
        query = query.where('action', '=', filter.action);
      }
      if (filter.actorId !== undefined) {
        query = query.where('actor_id', '=', filter.actorId);
      }
      const rows = await query
        .orderBy('sequence')
        .limit(filter.limit ?? 1000)
        .execute();
      return rows.map((row) => ({
        ...row,

        details: JSON.parse(row.details) as Record<string, unknown>,
      }));
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;

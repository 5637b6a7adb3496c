import {
  detailsDigest,
  entryHash,
  GENESIS_HASH,
  type Checkpoint,
  type StoredEntry,
} from '../domain/audit-chain.js';
import type { Dialect, Executor } from './db.js';
import { inTenant } from './tenant.js';
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
 * The audit trail is append-only: this store has no update or delete method, and database
 * triggers refuse both (migration 0003). Entries are numbered per organisation and hash-chained in
 * the order they are written. `append` must run inside a transaction: on PostgreSQL it locks the
 * organisation's row so two concurrent appends cannot take the same place in the chain.
 */
export function createAuditStore(db: Executor, dialect: Dialect) {
  return {
    async append(scope: OrganizationScope, event: AuditEventInput): Promise<number> {
      if (dialect === 'postgres') {
        await inTenant(db, scope)
          .selectFrom('organizations')
          .select('id')
          .where('id', '=', scope.organizationId)
          .forUpdate()
          .execute();
      }
      const last = await inTenant(db, scope)
        .selectFrom('audit_events')
        .select(['sequence', 'hash'])
        .where('organization_id', '=', scope.organizationId)
        .orderBy('sequence', 'desc')
        .limit(1)
        .executeTakeFirst();
      const sequence = (last?.sequence ?? 0) + 1;
      const previousHash = last?.hash ?? GENESIS_HASH;
      const details = JSON.stringify(event.details);
      const digest = detailsDigest(details);
      const hash = entryHash(
        { ...event, organizationId: scope.organizationId, sequence, detailsDigest: digest },
        previousHash,
      );
      await inTenant(db, scope)
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
          details,
          details_digest: digest,
          previous_hash: previousHash,
          hash,
        })
        .execute();
      return sequence;
    },

    async list(
      scope: OrganizationScope,
      filter: { action?: string; actorId?: string; limit?: number } = {},
    ): Promise<AuditEventRow[]> {
      let query = inTenant(db, scope)
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

    /** Entries about one subject or by one actor whose action starts with `actionPrefix`. */
    async listAccesses(
      scope: OrganizationScope,
      filter: { subjectId?: string; actorId?: string; actionPrefix: string; limit: number },
    ): Promise<AuditEventRow[]> {
      let query = inTenant(db, scope)
        .selectFrom('audit_events')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('action', 'like', `${filter.actionPrefix}%`);
      if (filter.subjectId !== undefined) {
        query = query.where('subject_id', '=', filter.subjectId);
      }
      if (filter.actorId !== undefined) {
        query = query.where('actor_id', '=', filter.actorId);
      }
      const rows = await query.orderBy('sequence').limit(filter.limit).execute();
      return rows.map((row) => ({
        ...row,
        details: JSON.parse(row.details) as Record<string, unknown>,
      }));
    },

    /**
     * One page of the entries about one subject (`subject_id`), oldest first, with sequence after
     * `afterSequence` and at most `throughSequence`: a person's export reads their trail a page at
     * a time (so 50,000 entries never sit in memory) up to the head it saw when it began, so
     * entries written meanwhile — the export's own audit entry among them — do not chase the end.
     * Served by audit_events_subject_index (organization_id, subject_id, sequence).
     */
    async pageAboutSubject(
      scope: OrganizationScope,
      subjectId: string,
      page: { afterSequence: number; throughSequence: number; limit: number },
    ): Promise<AuditEventRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('audit_events')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('subject_id', '=', subjectId)
        .where('sequence', '>', page.afterSequence)
        .where('sequence', '<=', page.throughSequence)
        .orderBy('sequence')
        .limit(page.limit)
        .execute();
      return rows.map((row) => ({
        ...row,
        details: JSON.parse(row.details) as Record<string, unknown>,
      }));
    },

    /** One page of the chain, in order, for verification in bounded memory. */
    async chainPage(
      scope: OrganizationScope,
      afterSequence: number,
      limit: number,
    ): Promise<StoredEntry[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('audit_events')
        .select([
          ...columns,
          'details_digest as detailsDigest',
          'previous_hash as previousHash',
          'hash',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('sequence', '>', afterSequence)
        .orderBy('sequence')
        .limit(limit)
        .execute();
      // A missing hash (never written by this code) verifies as a changed entry.
      return rows.map((row) => ({
        ...row,
        detailsDigest: row.detailsDigest ?? '',
        previousHash: row.previousHash ?? '',
        hash: row.hash ?? '',
      }));
    },

    async head(scope: OrganizationScope): Promise<{ sequence: number; hash: string } | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('audit_events')
        .select(['sequence', 'hash'])
        .where('organization_id', '=', scope.organizationId)
        .orderBy('sequence', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : { sequence: row.sequence, hash: row.hash ?? '' };
    },

    async insertCheckpoint(scope: OrganizationScope, checkpoint: Checkpoint): Promise<void> {
      await inTenant(db, scope)
        .insertInto('audit_checkpoints')
        .values({
          organization_id: scope.organizationId,
          tree_size: checkpoint.treeSize,
          head_hash: checkpoint.headHash,
          signed_at: checkpoint.signedAt,
          key_id: checkpoint.keyId,
          signature: checkpoint.signature,
        })
        .execute();
    },

    listCheckpoints(scope: OrganizationScope): Promise<Checkpoint[]> {
      return inTenant(db, scope)
        .selectFrom('audit_checkpoints')
        .select([
          'organization_id as organizationId',
          'tree_size as treeSize',
          'head_hash as headHash',
          'signed_at as signedAt',
          'key_id as keyId',
          'signature',
        ])
        .where('organization_id', '=', scope.organizationId)
        .orderBy('tree_size')
        .execute();
    },

    async insertSigningKey(
      scope: OrganizationScope,
      key: {
        keyId: string;
        masterKeyId: string;
        wrappedSeed: string;
        publicKeyPem: string;
        createdAt: string;
      },
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('audit_signing_keys')
        .values({
          organization_id: scope.organizationId,
          key_id: key.keyId,
          master_key_id: key.masterKeyId,
          wrapped_seed: key.wrappedSeed,
          public_key_pem: key.publicKeyPem,
          created_at: key.createdAt,
        })
        .execute();
    },

    async rewrapSigningKey(
      scope: OrganizationScope,
      keyId: string,
      wrapped: { masterKeyId: string; wrappedSeed: string },
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('audit_signing_keys')
        .set({ master_key_id: wrapped.masterKeyId, wrapped_seed: wrapped.wrappedSeed })
        .where('organization_id', '=', scope.organizationId)
        .where('key_id', '=', keyId)
        .execute();
    },

    /** Signing keys, newest first. */
    listSigningKeys(scope: OrganizationScope) {
      return inTenant(db, scope)
        .selectFrom('audit_signing_keys')
        .select([
          'key_id as keyId',
          'master_key_id as masterKeyId',
          'wrapped_seed as wrappedSeed',
          'public_key_pem as publicKeyPem',
          'created_at as createdAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .orderBy('created_at', 'desc')
        .orderBy('key_id')
        .execute();
    },

    async latestCheckpointSize(scope: OrganizationScope): Promise<number> {
      const row = await inTenant(db, scope)
        .selectFrom('audit_checkpoints')
        .select((eb) => eb.fn.max('tree_size').as('size'))
        .where('organization_id', '=', scope.organizationId)
        .executeTakeFirst();
      return row?.size ?? 0;
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;

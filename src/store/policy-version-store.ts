import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { PolicyVersionsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';

export interface PolicyVersionRow {
  organizationId: string;
  id: string;
  version: string;
  source: string;
  sourceSha256: string;
  status: PolicyVersionsTable['status'];
  uploadedBy: string | null;
  uploadedAt: string;
  activatedAt: string | null;
  archivedAt: string | null;
}

const columns = [
  'organization_id as organizationId',
  'id',
  'version',
  'source',
  'source_sha256 as sourceSha256',
  'status',
  'uploaded_by as uploadedBy',
  'uploaded_at as uploadedAt',
  'activated_at as activatedAt',
  'archived_at as archivedAt',
] as const;

/** A draft's announcement: when it was announced, when it takes effect, and over which version. */
export interface PolicyAnnouncement {
  announcedAt: string;
  effectiveAt: string;
  /** The version that was active when it was announced: what the notices compared against. */
  announcedOverVersionId: string;
}

export function createPolicyVersionStore(db: Executor) {
  return {
    async insert(
      scope: OrganizationScope,
      row: Omit<PolicyVersionRow, 'organizationId' | 'activatedAt' | 'archivedAt' | 'status'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('policy_versions')
        .values({
          organization_id: scope.organizationId,
          id: row.id,
          version: row.version,
          source: row.source,
          source_sha256: row.sourceSha256,
          status: 'draft',
          uploaded_by: row.uploadedBy,
          uploaded_at: row.uploadedAt,
        })
        .execute();
    },
    findById(scope: OrganizationScope, id: string): Promise<PolicyVersionRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    findActive(scope: OrganizationScope): Promise<PolicyVersionRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('status', '=', 'active')
        .executeTakeFirst();
    },
    /** The active version's id only: read on every request, so it stays one indexed lookup. */
    async activeId(scope: OrganizationScope): Promise<string | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('policy_versions')
        .select('id')
        .where('organization_id', '=', scope.organizationId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return row?.id;
    },
    list(scope: OrganizationScope): Promise<Omit<PolicyVersionRow, 'source'>[]> {
      return inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(columns.filter((column) => column !== 'source'))
        .where('organization_id', '=', scope.organizationId)
        .orderBy('uploaded_at', 'desc')
        .orderBy('id')
        .execute();
    },
    /** Every version ever activated, oldest activation first: what the terms rule reads. */
    activationHistory(
      scope: OrganizationScope,
    ): Promise<{ id: string; activatedAt: string; requiresReacceptance: boolean }[]> {
      return inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(['id', 'activated_at', 'requires_reacceptance'])
        .where('organization_id', '=', scope.organizationId)
        .where('activated_at', 'is not', null)
        .orderBy('activated_at')
        .execute()
        .then((rows) =>
          rows.map((row) => ({
            id: row.id,
            activatedAt: row.activated_at ?? '',
            requiresReacceptance: row.requires_reacceptance === 1,
          })),
        );
    },
    async markRequiresReacceptance(scope: OrganizationScope, id: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('policy_versions')
        .set({ requires_reacceptance: 1 })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    /** The version's announcement, or undefined when it was never announced. */
    async announcementOf(
      scope: OrganizationScope,
      id: string,
    ): Promise<PolicyAnnouncement | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(['announced_at', 'effective_at', 'announced_over_version_id'])
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (
        row === undefined ||
        row.announced_at === null ||
        row.effective_at === null ||
        row.announced_over_version_id === null
      ) {
        return undefined;
      }
      return {
        announcedAt: row.announced_at,
        effectiveAt: row.effective_at,
        announcedOverVersionId: row.announced_over_version_id,
      };
    },
    async recordAnnouncement(
      scope: OrganizationScope,
      id: string,
      announcement: PolicyAnnouncement,
    ): Promise<void> {
      await inTenant(db, scope)
        .updateTable('policy_versions')
        .set({
          announced_at: announcement.announcedAt,
          effective_at: announcement.effectiveAt,
          announced_over_version_id: announcement.announcedOverVersionId,
        })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
    /**
     * Announced drafts, soonest first; with `dueBy`, only those whose effective date has come:
     * what the periodic tick sends notices for and activates.
     */
    async announcedDrafts(
      scope: OrganizationScope,
      options: { dueBy?: string } = {},
    ): Promise<({ id: string } & PolicyAnnouncement)[]> {
      let query = inTenant(db, scope)
        .selectFrom('policy_versions')
        .select(['id', 'announced_at', 'effective_at', 'announced_over_version_id'])
        .where('organization_id', '=', scope.organizationId)
        .where('status', '=', 'draft')
        .where('announced_at', 'is not', null);
      if (options.dueBy !== undefined) {
        query = query.where('effective_at', '<=', options.dueBy);
      }
      const rows = await query.orderBy('effective_at').orderBy('id').execute();
      return rows.map((row) => ({
        id: row.id,
        announcedAt: row.announced_at ?? '',
        effectiveAt: row.effective_at ?? '',
        announcedOverVersionId: row.announced_over_version_id ?? '',
      }));
    },
    /** Archives the active version (if any) and activates `id`; call inside a transaction. */
    async activate(scope: OrganizationScope, id: string, at: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('policy_versions')
        .set({ status: 'archived', archived_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('status', '=', 'active')
        .execute();
      await inTenant(db, scope)
        .updateTable('policy_versions')
        .set({ status: 'active', activated_at: at, archived_at: null })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .execute();
    },
  };
}

export type PolicyVersionStore = ReturnType<typeof createPolicyVersionStore>;

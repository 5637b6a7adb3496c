import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

export interface PersonRow {
  organizationId: string;
  id: string;
  subjectKind: string;
  externalReference: string | null;
  policyVersionId: string;
  createdAt: string;
  createdBy: string | null;
  lastEnrollmentAt: string | null;
}

export interface PersonalValueRow {
  categoryId: string;
  field: string;
  value: string;
  isEncrypted: boolean;
  policyVersionId: string;
  collectedAt: string;
  updatedAt: string;
}

const personColumns = [
  'organization_id as organizationId',
  'id',
  'subject_kind as subjectKind',
  'external_reference as externalReference',
  'policy_version_id as policyVersionId',
  'created_at as createdAt',
  'created_by as createdBy',
  'last_enrollment_at as lastEnrollmentAt',
] as const;

export function createPersonStore(db: Executor) {
  return {
    async insert(
      scope: OrganizationScope,
      person: Omit<PersonRow, 'organizationId' | 'lastEnrollmentAt'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('people')
        .values({
          organization_id: scope.organizationId,
          id: person.id,
          subject_kind: person.subjectKind,
          external_reference: person.externalReference,
          policy_version_id: person.policyVersionId,
          created_at: person.createdAt,
          created_by: person.createdBy,
        })
        .execute();
    },
    findById(scope: OrganizationScope, id: string): Promise<PersonRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('people')
        .select(personColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    findByExternalReference(
      scope: OrganizationScope,
      reference: string,
    ): Promise<PersonRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('people')
        .select(personColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('external_reference', '=', reference)
        .executeTakeFirst();
    },
    /** Which of these external references are already taken (for bulk imports; ≤ 1,000 at a time). */
    async takenExternalReferences(
      scope: OrganizationScope,
      references: readonly string[],
    ): Promise<string[]> {
      if (references.length === 0) {
        return [];
      }
      const rows = await inTenant(db, scope)
        .selectFrom('people')
        .select('external_reference as externalReference')
        .where('organization_id', '=', scope.organizationId)
        .where('external_reference', 'in', [...references])
        .execute();
      return rows.flatMap((row) => (row.externalReference === null ? [] : [row.externalReference]));
    },
    /** A page of people (ids and kinds only: listing reveals no personal values). */
    list(
      scope: OrganizationScope,
      page: { afterId?: string; limit: number; subjectKind?: string },
    ): Promise<PersonRow[]> {
      let query = inTenant(db, scope)
        .selectFrom('people')
        .select(personColumns)
        .where('organization_id', '=', scope.organizationId);
      if (page.afterId !== undefined) {
        query = query.where('id', '>', page.afterId);
      }
      if (page.subjectKind !== undefined) {
        query = query.where('subject_kind', '=', page.subjectKind);
      }
      return query.orderBy('id').limit(page.limit).execute();
    },
    /** How many people the organisation holds: the length of a sweep, for its progress bar. */
    async count(scope: OrganizationScope): Promise<number> {
      const row = await inTenant(db, scope)
        .selectFrom('people')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('organization_id', '=', scope.organizationId)
        .executeTakeFirstOrThrow();
      // COUNT is int8 on PostgreSQL, a number through db.ts's type parser, as on SQLite.
      return row.count;
    },
    async recordEnrollment(scope: OrganizationScope, personId: string, at: string): Promise<void> {
      await inTenant(db, scope)
        .updateTable('people')
        .set({ last_enrollment_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', personId)
        .where((eb) =>
          eb.or([eb('last_enrollment_at', 'is', null), eb('last_enrollment_at', '<', at)]),
        )
        .execute();
    },
    /** Removes the person and, by cascade, their values, links and enrollments. */
    async delete(scope: OrganizationScope, personId: string): Promise<boolean> {
      const result = await inTenant(db, scope)
        .deleteFrom('people')
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', personId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Every stored value of the person, in category and field order. */
    async values(scope: OrganizationScope, personId: string): Promise<PersonalValueRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('personal_data')
        .select([
          'category_id as categoryId',
          'field',
          'value',
          'is_encrypted as isEncrypted',
          'policy_version_id as policyVersionId',
          'collected_at as collectedAt',
          'updated_at as updatedAt',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('category_id')
        .orderBy('field')
        .execute();
      return rows.map((row) => ({ ...row, isEncrypted: row.isEncrypted === 1 }));
    },
    /** Writes one category's fields (insert or replace); fields not named are left as they are. */
    async upsertValues(
      scope: OrganizationScope,
      personId: string,
      categoryId: string,
      values: readonly { field: string; value: string; isEncrypted: boolean }[],
      meta: { policyVersionId: string; at: string },
    ): Promise<void> {
      if (values.length === 0) {
        return;
      }
      await inTenant(db, scope)
        .insertInto('personal_data')
        .values(
          values.map((entry) => ({
            organization_id: scope.organizationId,
            person_id: personId,
            category_id: categoryId,
            field: entry.field,
            value: entry.value,
            is_encrypted: entry.isEncrypted ? 1 : 0,
            policy_version_id: meta.policyVersionId,
            collected_at: meta.at,
            updated_at: meta.at,
          })),
        )
        .onConflict((conflict) =>
          conflict
            .columns(['organization_id', 'person_id', 'category_id', 'field'])
            .doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              is_encrypted: eb.ref('excluded.is_encrypted'),
              policy_version_id: eb.ref('excluded.policy_version_id'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
        )
        .execute();
    },
    /** Deletes one category of the person; returns how many values went. */
    async deleteCategory(
      scope: OrganizationScope,
      personId: string,
      categoryId: string,
    ): Promise<number> {
      const result = await inTenant(db, scope)
        .deleteFrom('personal_data')
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .where('category_id', '=', categoryId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async linkGuardian(
      scope: OrganizationScope,
      link: { guardianId: string; minorId: string; relationship: string; createdAt: string },
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('guardian_links')
        .values({
          organization_id: scope.organizationId,
          guardian_id: link.guardianId,
          minor_id: link.minorId,
          relationship: link.relationship,
          created_at: link.createdAt,
        })
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'guardian_id', 'minor_id']).doNothing(),
        )
        .execute();
    },
    guardiansOf(scope: OrganizationScope, minorId: string) {
      return inTenant(db, scope)
        .selectFrom('guardian_links')
        .select(['guardian_id as guardianId', 'relationship', 'created_at as createdAt'])
        .where('organization_id', '=', scope.organizationId)
        .where('minor_id', '=', minorId)
        .orderBy('created_at')
        .execute();
    },
    minorsOf(scope: OrganizationScope, guardianId: string) {
      return inTenant(db, scope)
        .selectFrom('guardian_links')
        .select(['minor_id as minorId', 'relationship', 'created_at as createdAt'])
        .where('organization_id', '=', scope.organizationId)
        .where('guardian_id', '=', guardianId)
        .orderBy('created_at')
        .execute();
    },
  };
}

export type PersonStore = ReturnType<typeof createPersonStore>;

import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { EnrollmentsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';

export interface ProgramRow {
  organizationId: string;
  id: string;
  name: string;
  kind: string;
  startsOn: string | null;
  endsOn: string | null;
  createdAt: string;
}

export interface EnrollmentRow {
  organizationId: string;
  id: string;
  personId: string;
  programId: string;
  status: EnrollmentsTable['status'];
  enrolledAt: string;
  updatedAt: string;
  policyVersionId: string;
}

const programColumns = [
  'organization_id as organizationId',
  'id',
  'name',
  'kind',
  'starts_on as startsOn',
  'ends_on as endsOn',
  'created_at as createdAt',
] as const;

const enrollmentColumns = [
  'organization_id as organizationId',
  'id',
  'person_id as personId',
  'program_id as programId',
  'status',
  'enrolled_at as enrolledAt',
  'updated_at as updatedAt',
  'policy_version_id as policyVersionId',
] as const;

export function createProgramStore(db: Executor) {
  return {
    async insertProgram(
      scope: OrganizationScope,
      program: Omit<ProgramRow, 'organizationId'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('programs')
        .values({
          organization_id: scope.organizationId,
          id: program.id,
          name: program.name,
          kind: program.kind,
          starts_on: program.startsOn,
          ends_on: program.endsOn,
          created_at: program.createdAt,
        })
        .execute();
    },
    findProgram(scope: OrganizationScope, id: string): Promise<ProgramRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('programs')
        .select(programColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    listPrograms(scope: OrganizationScope): Promise<ProgramRow[]> {
      return inTenant(db, scope)
        .selectFrom('programs')
        .select(programColumns)
        .where('organization_id', '=', scope.organizationId)
        .orderBy('starts_on')
        .orderBy('id')
        .execute();
    },
    async insertEnrollment(
      scope: OrganizationScope,
      enrollment: Omit<EnrollmentRow, 'organizationId'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('enrollments')
        .values({
          organization_id: scope.organizationId,
          id: enrollment.id,
          person_id: enrollment.personId,
          program_id: enrollment.programId,
          status: enrollment.status,
          enrolled_at: enrollment.enrolledAt,
          updated_at: enrollment.updatedAt,
          policy_version_id: enrollment.policyVersionId,
        })
        .execute();
    },
    findEnrollment(scope: OrganizationScope, id: string): Promise<EnrollmentRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('enrollments')
        .select(enrollmentColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    enrollmentsOf(scope: OrganizationScope, personId: string): Promise<EnrollmentRow[]> {
      return inTenant(db, scope)
        .selectFrom('enrollments')
        .select(enrollmentColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('enrolled_at')
        .execute();
    },
    /**
     * One page of a person's enrollments with the name and kind of each program, in enrolment
     * order (then id), after the `after` enrollment: a person's export pages through them, so a
     * person in 10,000 programs never sits in memory at once.
     */
    enrollmentPageOf(
      scope: OrganizationScope,
      personId: string,
      page: { after?: { enrolledAt: string; id: string }; limit: number },
    ): Promise<(EnrollmentRow & { programName: string; programKind: string })[]> {
      let query = inTenant(db, scope)
        .selectFrom('enrollments')
        .innerJoin('programs', (join) =>
          join
            .onRef('programs.organization_id', '=', 'enrollments.organization_id')
            .onRef('programs.id', '=', 'enrollments.program_id'),
        )
        .select([
          'enrollments.organization_id as organizationId',
          'enrollments.id as id',
          'enrollments.person_id as personId',
          'enrollments.program_id as programId',
          'enrollments.status as status',
          'enrollments.enrolled_at as enrolledAt',
          'enrollments.updated_at as updatedAt',
          'enrollments.policy_version_id as policyVersionId',
          'programs.name as programName',
          'programs.kind as programKind',
        ])
        .where('enrollments.organization_id', '=', scope.organizationId)
        .where('enrollments.person_id', '=', personId);
      const after = page.after;
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('enrollments.enrolled_at', '>', after.enrolledAt),
            eb.and([
              eb('enrollments.enrolled_at', '=', after.enrolledAt),
              eb('enrollments.id', '>', after.id),
            ]),
          ]),
        );
      }
      return query
        .orderBy('enrollments.enrolled_at')
        .orderBy('enrollments.id')
        .limit(page.limit)
        .execute();
    },
    async setEnrollmentStatus(
      scope: OrganizationScope,
      id: string,
      status: EnrollmentRow['status'],
      at: string,
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('enrollments')
        .set({ status, updated_at: at })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type ProgramStore = ReturnType<typeof createProgramStore>;

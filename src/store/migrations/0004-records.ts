import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Policy versions per organisation, and the participant records kept under them: people, guardian
 * links, programs, enrollments and personal data stored per declared category and field. Every
 * record names the policy version it was written under. Personal values live in one table keyed
 * by (organisation, person, category, field), so any category a policy declares needs no schema
 * change; encrypted categories hold ciphertext there.
 */
export function records(dialect: Dialect) {
  const timestamp = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('policy_versions')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('version', 'text', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('source_sha256', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('uploaded_by', 'text')
        .addColumn('uploaded_at', timestamp, (column) => column.notNull())
        .addColumn('activated_at', timestamp)
        .addColumn('archived_at', timestamp)
        .addPrimaryKeyConstraint('policy_versions_pk', ['organization_id', 'id'])
        .execute();
      // One active policy per organisation, whatever the application does.
      await db.schema
        .createIndex('policy_versions_active_unique')
        .on('policy_versions')
        .column('organization_id')
        .unique()
        .where(sql.ref('status'), '=', 'active')
        .execute();

      await db.schema
        .createTable('people')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('subject_kind', 'text', (column) => column.notNull())
        .addColumn('external_reference', 'text')
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addColumn('created_by', 'text')
        .addColumn('last_enrollment_at', timestamp)
        .addPrimaryKeyConstraint('people_pk', ['organization_id', 'id'])
        .addUniqueConstraint('people_external_reference_unique', [
          'organization_id',
          'external_reference',
        ])
        .addForeignKeyConstraint(
          'people_policy_version_fk',
          ['organization_id', 'policy_version_id'],
          'policy_versions',
          ['organization_id', 'id'],
        )
        .execute();

      await db.schema
        .createTable('guardian_links')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('guardian_id', 'text', (column) => column.notNull())
        .addColumn('minor_id', 'text', (column) => column.notNull())
        .addColumn('relationship', 'text', (column) => column.notNull())
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('guardian_links_pk', [
          'organization_id',
          'guardian_id',
          'minor_id',
        ])
        .addForeignKeyConstraint(
          'guardian_links_guardian_fk',
          ['organization_id', 'guardian_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .addForeignKeyConstraint(
          'guardian_links_minor_fk',
          ['organization_id', 'minor_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .execute();

      await db.schema
        .createTable('programs')
        .addColumn('organization_id', 'text', (column) =>
          column.notNull().references('organizations.id'),
        )
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('starts_on', 'text')
        .addColumn('ends_on', 'text')
        .addColumn('created_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('programs_pk', ['organization_id', 'id'])
        .execute();

      await db.schema
        .createTable('enrollments')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('program_id', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('enrolled_at', timestamp, (column) => column.notNull())
        .addColumn('updated_at', timestamp, (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('enrollments_pk', ['organization_id', 'id'])
        .addForeignKeyConstraint(
          'enrollments_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .addForeignKeyConstraint(
          'enrollments_program_fk',
          ['organization_id', 'program_id'],
          'programs',
          ['organization_id', 'id'],
        )
        .execute();
      await db.schema
        .createIndex('enrollments_person_index')
        .on('enrollments')
        .columns(['organization_id', 'person_id'])
        .execute();

      // "Who accessed this person's data and when" (kexara.txt) reads the trail by subject.
      await db.schema
        .createIndex('audit_events_subject_index')
        .on('audit_events')
        .columns(['organization_id', 'subject_id', 'sequence'])
        .execute();

      await db.schema
        .createTable('personal_data')
        .addColumn('organization_id', 'text', (column) => column.notNull())
        .addColumn('person_id', 'text', (column) => column.notNull())
        .addColumn('category_id', 'text', (column) => column.notNull())
        .addColumn('field', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('is_encrypted', 'integer', (column) => column.notNull())
        .addColumn('policy_version_id', 'text', (column) => column.notNull())
        .addColumn('collected_at', timestamp, (column) => column.notNull())
        .addColumn('updated_at', timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('personal_data_pk', [
          'organization_id',
          'person_id',
          'category_id',
          'field',
        ])
        .addForeignKeyConstraint(
          'personal_data_person_fk',
          ['organization_id', 'person_id'],
          'people',
          ['organization_id', 'id'],
          (constraint) => constraint.onDelete('cascade'),
        )
        .execute();
    },
  };
}

import type { Executor } from './db.js';
import type { RetentionReviewsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

export interface AnonymisedRecordRow {
  id: string;
  categoryId: string;
  ruleId: string;
  fields: Record<string, string>;
  anonymisedIn: string;
}

export interface RetentionReviewRow {
  id: string;
  personId: string;
  ruleId: string;
  categoryId: string;
  cycleDueAt: string;
  askedAt: string;
  askedVia: RetentionReviewsTable['asked_via'];
  answerDueAt: string | null;
  answer: 'keep' | 'no' | null;
  answeredAt: string | null;
  answeredBy: string | null;
}

const reviewColumns = [
  'id',
  'person_id as personId',
  'rule_id as ruleId',
  'category_id as categoryId',
  'cycle_due_at as cycleDueAt',
  'asked_at as askedAt',
  'asked_via as askedVia',
  'answer_due_at as answerDueAt',
  'answer',
  'answered_at as answeredAt',
  'answered_by as answeredBy',
] as const;

/** What the anonymise and review actions of retention rules write (migration 0009). */
export function createRetentionActionStore(db: Executor) {
  return {
    async insertAnonymised(scope: OrganizationScope, record: AnonymisedRecordRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('anonymised_records')
        .values({
          organization_id: scope.organizationId,
          id: record.id,
          category_id: record.categoryId,
          rule_id: record.ruleId,
          fields: JSON.stringify(record.fields),
          anonymised_in: record.anonymisedIn,
        })
        .execute();
    },

    /** One page of a category's anonymised records, in id order (ids are random: no order leaks). */
    async listAnonymised(
      scope: OrganizationScope,
      categoryId: string,
      page: { limit: number; afterId?: string },
    ): Promise<AnonymisedRecordRow[]> {
      let query = inTenant(db, scope)
        .selectFrom('anonymised_records')
        .select([
          'id',
          'category_id as categoryId',
          'rule_id as ruleId',
          'fields',
          'anonymised_in as anonymisedIn',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('category_id', '=', categoryId);
      if (page.afterId !== undefined) {
        query = query.where('id', '>', page.afterId);
      }
      const rows = await query.orderBy('id').limit(page.limit).execute();
      return rows.map((row) => ({
        ...row,
        fields: JSON.parse(row.fields) as Record<string, string>,
      }));
    },

    async insertReview(scope: OrganizationScope, review: RetentionReviewRow): Promise<void> {
      await inTenant(db, scope)
        .insertInto('retention_reviews')
        .values({
          organization_id: scope.organizationId,
          id: review.id,
          person_id: review.personId,
          rule_id: review.ruleId,
          category_id: review.categoryId,
          cycle_due_at: review.cycleDueAt,
          asked_at: review.askedAt,
          asked_via: review.askedVia,
          answer_due_at: review.answerDueAt,
          answer: review.answer,
          answered_at: review.answeredAt,
          answered_by: review.answeredBy,
        })
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'person_id', 'rule_id', 'cycle_due_at']).doNothing(),
        )
        .execute();
    },

    reviewsOf(scope: OrganizationScope, personId: string): Promise<RetentionReviewRow[]> {
      return inTenant(db, scope)
        .selectFrom('retention_reviews')
        .select(reviewColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('cycle_due_at')
        .orderBy('rule_id')
        .execute();
    },

    findReview(scope: OrganizationScope, id: string): Promise<RetentionReviewRow | undefined> {
      return inTenant(db, scope)
        .selectFrom('retention_reviews')
        .select(reviewColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** Reviews still waiting for an answer (the staff queue), oldest question first. */
    openReviews(scope: OrganizationScope): Promise<RetentionReviewRow[]> {
      return inTenant(db, scope)
        .selectFrom('retention_reviews')
        .select(reviewColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('answer', 'is', null)
        .orderBy('asked_at')
        .orderBy('id')
        .execute();
    },

    /** Starts the answer period of questions that reached someone. */
    async markDelivered(
      scope: OrganizationScope,
      ids: readonly string[],
      answerDueAt: string,
    ): Promise<void> {
      if (ids.length === 0) {
        return;
      }
      await inTenant(db, scope)
        .updateTable('retention_reviews')
        .set({ answer_due_at: answerDueAt })
        .where('organization_id', '=', scope.organizationId)
        .where('id', 'in', ids)
        .where('answer_due_at', 'is', null)
        .execute();
    },

    /** Records an answer to a question still open; false when it was answered already. */
    async answer(
      scope: OrganizationScope,
      id: string,
      answer: { answer: 'keep' | 'no'; at: string; by: string },
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .updateTable('retention_reviews')
        .set({ answer: answer.answer, answered_at: answer.at, answered_by: answer.by })
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .where('answer', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type RetentionActionStore = ReturnType<typeof createRetentionActionStore>;

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import {
  createRetentionActionStore,
  type RetentionReviewRow,
} from '../../store/retention-action-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { verifyLinkToken } from '../links/verify-link.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { requireActivePolicy } from '../people/people-support.js';

export const ReviewAnswer = z
  .enum(['keep', 'no'])
  .describe('keep: keep the data for the period the policy offers; no: delete (or anonymise) it');

export const RetentionQuestion = z.object({
  reviewId: z.string(),
  personId: z.string(),
  rule: z.string(),
  category: z.string(),
  label: z.string().describe('The category’s name in the policy’s default language'),
  askedAt: z.string(),
  askedVia: z.enum(['subject', 'staff', 'no-address']),
  answerDueAt: z.string().nullable().describe('NULL: the question has not reached anyone yet'),
});
export type RetentionQuestion = z.infer<typeof RetentionQuestion>;

export const RetentionQuestions = z.object({ questions: z.array(RetentionQuestion) });

export const ReviewAnswerRequest = z.strictObject({
  answer: ReviewAnswer,
  note: z.string().max(2000).optional().describe('Staff: how the answer was received'),
});

export const ReviewAnswerOutcome = z.object({
  answer: ReviewAnswer,
  answered: z.array(z.string()).describe('The categories the answer decided'),
  effect: z
    .string()
    .describe('What happens now: kept until the next question, or ended by the next sweep'),
});
export type ReviewAnswerOutcome = z.infer<typeof ReviewAnswerOutcome>;

type AnswerDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>;

function viewOf(active: ActivePolicy, review: RetentionReviewRow): RetentionQuestion {
  const labels = active.policy.categories.get(review.categoryId)?.definition.labels;
  return {
    reviewId: review.id,
    personId: review.personId,
    rule: review.ruleId,
    category: review.categoryId,
    label: labels?.[active.policy.document.organisation.default_language] ?? review.categoryId,
    askedAt: review.askedAt,
    askedVia: review.askedVia,
    answerDueAt: review.answerDueAt,
  };
}

/** Questions still open for the person: asked, delivered, unanswered and within their period. */
async function openQuestionsOf(
  deps: AnswerDeps,
  scope: OrganizationScope,
  personId: string,
): Promise<RetentionReviewRow[]> {
  const now = deps.clock.now().toISOString();
  return (await createRetentionActionStore(deps.store.db).reviewsOf(scope, personId)).filter(
    (review) => review.answer === null && review.answerDueAt !== null && review.answerDueAt > now,
  );
}

function effectOf(answer: 'keep' | 'no'): string {
  return answer === 'keep'
    ? 'Kept: we will ask again when the extension the policy gives runs out.'
    : 'Ended by the next retention run, as the policy says (deleted or anonymised).';
}

/** What a review link asks (GET changes nothing). */
export async function describeRetentionReviewLink(
  deps: AnswerDeps,
  token: string,
  origin: RequestOrigin | undefined,
): Promise<z.infer<typeof RetentionQuestions>> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['retention-review'], origin);
  const active = await requireActivePolicy(deps, scope);
  const open = await openQuestionsOf(deps, scope, claims.personId);
  return { questions: open.map((review) => viewOf(active, review)) };
}

/**
 * The person's (or their guardian's) answer through the emailed link: it decides every open
 * question of the person at once, as the email asked them together. Refused with nothing changed
 * when nothing is open (answered already, or the period is over).
 */
export async function answerRetentionReviewByLink(
  deps: AnswerDeps,
  token: string,
  answer: 'keep' | 'no',
  origin: RequestOrigin | undefined,
): Promise<ReviewAnswerOutcome> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['retention-review'], origin);
  const open = await openQuestionsOf(deps, scope, claims.personId);
  if (open.length === 0) {
    throw new AppError(
      'CONFLICT',
      'There is no open question to answer: it was answered already or its time is over.',
    );
  }
  return recordAnswers(deps, scope, open, answer, {
    actor: { actorType: 'person', actorId: claims.personId },
    by: 'link',
    origin,
  });
}

/** The staff queue: every question not answered yet, oldest first (`manage-retention`). */
export async function listRetentionReviews(
  deps: AnswerDeps,
  actor: Actor,
  organizationId: string,
): Promise<z.infer<typeof RetentionQuestions>> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'manage-retention',
  );
  if (active === undefined) {
    return { questions: [] };
  }
  const open = await createRetentionActionStore(deps.store.db).openReviews(scope);
  return { questions: open.map((review) => viewOf(active, review)) };
}

/**
 * Staff record an answer: to a question the policy puts to staff, or the person's answer received
 * another way (a phone call, a letter), with a note saying how. Within the answer period only.
 */
export async function answerRetentionReview(
  deps: AnswerDeps,
  actor: Actor,
  organizationId: string,
  reviewId: string,
  request: z.infer<typeof ReviewAnswerRequest>,
  origin: RequestOrigin | undefined,
): Promise<ReviewAnswerOutcome> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    actor,
    organizationId,
    'manage-retention',
  );
  const review = await createRetentionActionStore(deps.store.db).findReview(scope, reviewId);
  if (review === undefined) {
    throw new AppError('NOT_FOUND', 'No such review question.');
  }
  const open = await openQuestionsOf(deps, scope, review.personId);
  if (!open.some((candidate) => candidate.id === reviewId)) {
    throw new AppError(
      'CONFLICT',
      'This question is not open: answered already, not delivered yet, or its time is over.',
    );
  }
  return recordAnswers(deps, scope, [review], request.answer, {
    actor: actorOf(actor),
    by: 'staff',
    origin,
    ...(request.note === undefined ? {} : { note: request.note }),
  });
}

async function recordAnswers(
  deps: AnswerDeps,
  scope: OrganizationScope,
  reviews: readonly RetentionReviewRow[],
  answer: 'keep' | 'no',
  how: {
    actor: { actorType: 'staff' | 'api_token' | 'system' | 'person'; actorId: string | null };
    by: 'link' | 'staff';
    origin: RequestOrigin | undefined;
    note?: string;
  },
): Promise<ReviewAnswerOutcome> {
  const at = deps.clock.now().toISOString();
  const answered = await inTransaction(deps.store, async (trx) => {
    const store = createRetentionActionStore(trx);
    const done: RetentionReviewRow[] = [];
    for (const review of reviews) {
      const by = how.by === 'staff' ? `staff:${how.actor.actorId ?? ''}` : 'link';
      if (await store.answer(scope, review.id, { answer, at, by })) {
        done.push(review);
      }
    }
    if (done.length === 0) {
      throw new AppError('CONFLICT', 'This question was answered meanwhile.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, how.origin, {
      ...how.actor,
      action: 'retention.review-answered',
      outcome: 'success',
      subjectId: reviews[0]?.personId ?? null,
      details: {
        answer,
        by: how.by,
        rules: done.map((review) => review.ruleId),
        ...(how.note === undefined ? {} : { note: how.note }),
      },
    });
    return done;
  });
  return {
    answer,
    answered: answered.map((review) => review.categoryId),
    effect: effectOf(answer),
  };
}

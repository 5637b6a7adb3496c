import { addDuration, type Duration } from '../policy/duration.js';
import type { RetentionRule } from '../policy/schema.js';

/** What a `review` rule says: what each answer does, and what a "keep" buys (parsed). */
export interface ReviewSection {
  onNo: NonNullable<RetentionRule['review']>['on_no'];
  onNoAnswer: NonNullable<RetentionRule['review']>['on_no_answer'];
  extendBy: Duration;
}

/** A question already asked for one rule about one person (`retention_reviews`). */
export interface AskedReview {
  id: string;
  cycleDueAt: string;
  /** NULL until the question reached someone: the answer period has not started. */
  answerDueAt: string | null;
  answer: 'keep' | 'no' | null;
  answeredAt: string | null;
}

/** Where a review rule stands for one person at an instant. */
export type ReviewState =
  /** The next question is due at `dueAt`, later. */
  | { kind: 'scheduled'; dueAt: string }
  /** The question is due: ask it (again, for `reviewId`, when it never reached anyone). */
  | { kind: 'ask'; dueAt: string; reviewId: string | null }
  /** Asked; the answer is awaited until `answerDueAt`. */
  | { kind: 'awaiting'; dueAt: string; reviewId: string; answerDueAt: string }
  /** Answered "no", or silence that the policy reads as no: the end action is due. */
  | {
      kind: 'end';
      action: 'delete' | 'anonymise';
      dueAt: string;
      reviewId: string;
      because: 'answered-no' | 'no-answer';
    };

/**
 * Where one review rule stands, from its scheduled due instant and the questions asked so far.
 * Pure; the reading (kajuyali §5.5–5.6, careerexplorer inactive accounts):
 *
 * - Each cycle asks once. A "keep" — or silence, where the policy says silence keeps — moves the
 *   next question `on_keep.extend_by` after the cycle's due instant (not after the answer, so
 *   answering late does not buy extra time).
 * - The answer period runs from when the question reached someone, not from when the cycle fell
 *   due: a question that could not be delivered is asked again.
 * - "No" ends the data at once (`on_no`); silence past the answer period ends it per
 *   `on_no_answer`.
 * - When the trigger moves (a new enrollment), the scheduled instant moves and older questions no
 *   longer match a cycle: the new cycle asks afresh.
 */
export function reviewState(
  section: ReviewSection,
  scheduledDueAt: string,
  asked: readonly AskedReview[],
  asOf: Date,
): ReviewState {
  const now = asOf.toISOString();
  let dueAt = scheduledDueAt;
  // Bounded: every pass moves to a later cycle, and each cycle has at most one question.
  for (let cycles = 0; cycles <= asked.length; cycles += 1) {
    const review = asked.find((candidate) => candidate.cycleDueAt === dueAt);
    if (review === undefined) {
      break;
    }
    if (review.answer === 'no') {
      return {
        kind: 'end',
        action: section.onNo,
        dueAt: review.answeredAt ?? dueAt,
        reviewId: review.id,
        because: 'answered-no',
      };
    }
    const silent = review.answer === null;
    if (silent && review.answerDueAt === null) {
      return { kind: 'ask', dueAt, reviewId: review.id };
    }
    if (silent && review.answerDueAt !== null && review.answerDueAt > now) {
      return { kind: 'awaiting', dueAt, reviewId: review.id, answerDueAt: review.answerDueAt };
    }
    if (silent && section.onNoAnswer !== 'keep') {
      return {
        kind: 'end',
        action: section.onNoAnswer,
        dueAt: review.answerDueAt ?? dueAt,
        reviewId: review.id,
        because: 'no-answer',
      };
    }
    dueAt = addDuration(new Date(dueAt), section.extendBy).toISOString();
  }
  return dueAt > now ? { kind: 'scheduled', dueAt } : { kind: 'ask', dueAt, reviewId: null };
}

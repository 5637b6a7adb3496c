import { describe, expect, it } from 'vitest';
import {
  reviewState,
  type AskedReview,
  type ReviewSection,
} from '../../src/domain/retention-review.js';
import { parseDuration } from '../../src/policy/duration.js';

const TEN_YEARS = parseDuration('P10Y');
if (TEN_YEARS === undefined) {
  throw new Error('P10Y');
}
/** kajuyali.yaml contact-10-years-then-ask: no and silence delete, keep buys ten more years. */
const KAJUYALI: ReviewSection = { onNo: 'delete', onNoAnswer: 'delete', extendBy: TEN_YEARS };
const DUE = '2035-03-01T00:00:00.000Z';

function asked(overrides: Partial<AskedReview> = {}): AskedReview {
  return {
    id: 'r1',
    cycleDueAt: DUE,
    answerDueAt: '2035-03-31T00:00:00.000Z',
    answer: null,
    answeredAt: null,
    ...overrides,
  };
}

describe('reviewState (kajuyali §5.5: after 10 years we ask)', () => {
  it('is scheduled before the cycle falls due', () => {
    expect(reviewState(KAJUYALI, DUE, [], new Date('2035-02-28T00:00:00.000Z'))).toEqual({
      kind: 'scheduled',
      dueAt: DUE,
    });
  });

  it('asks once the cycle is due and nobody was asked', () => {
    expect(reviewState(KAJUYALI, DUE, [], new Date(DUE))).toEqual({
      kind: 'ask',
      dueAt: DUE,
      reviewId: null,
    });
  });

  it('asks again when the question never reached anyone', () => {
    expect(
      reviewState(KAJUYALI, DUE, [asked({ answerDueAt: null })], new Date('2035-04-10')),
    ).toEqual({ kind: 'ask', dueAt: DUE, reviewId: 'r1' });
  });

  it('waits for the answer within the answer period', () => {
    expect(reviewState(KAJUYALI, DUE, [asked()], new Date('2035-03-30T23:59:59.000Z'))).toEqual({
      kind: 'awaiting',
      dueAt: DUE,
      reviewId: 'r1',
      answerDueAt: '2035-03-31T00:00:00.000Z',
    });
  });

  it('deletes on "no" at once, even within the answer period', () => {
    const no = asked({ answer: 'no', answeredAt: '2035-03-05T00:00:00.000Z' });
    expect(reviewState(KAJUYALI, DUE, [no], new Date('2035-03-05T00:00:00.000Z'))).toEqual({
      kind: 'end',
      action: 'delete',
      dueAt: '2035-03-05T00:00:00.000Z',
      reviewId: 'r1',
      because: 'answered-no',
    });
  });

  it('deletes on silence once the answer period is over', () => {
    expect(reviewState(KAJUYALI, DUE, [asked()], new Date('2035-03-31T00:00:00.000Z'))).toEqual({
      kind: 'end',
      action: 'delete',
      dueAt: '2035-03-31T00:00:00.000Z',
      reviewId: 'r1',
      because: 'no-answer',
    });
  });

  it('keeps ten more years on "keep", counted from the cycle, then asks again', () => {
    const keep = asked({ answer: 'keep', answeredAt: '2035-03-20T00:00:00.000Z' });
    expect(reviewState(KAJUYALI, DUE, [keep], new Date('2040-01-01'))).toEqual({
      kind: 'scheduled',
      dueAt: '2045-03-01T00:00:00.000Z',
    });
    expect(reviewState(KAJUYALI, DUE, [keep], new Date('2045-03-01T00:00:00.000Z'))).toEqual({
      kind: 'ask',
      dueAt: '2045-03-01T00:00:00.000Z',
      reviewId: null,
    });
  });

  it('reads silence as keep where the policy says so', () => {
    const lenient: ReviewSection = { ...KAJUYALI, onNoAnswer: 'keep' };
    expect(reviewState(lenient, DUE, [asked()], new Date('2036-01-01'))).toEqual({
      kind: 'scheduled',
      dueAt: '2045-03-01T00:00:00.000Z',
    });
  });

  it('anonymises on "no" where the policy says so', () => {
    const anonymising: ReviewSection = { ...KAJUYALI, onNo: 'anonymise' };
    const no = asked({ answer: 'no', answeredAt: '2035-03-02T00:00:00.000Z' });
    expect(reviewState(anonymising, DUE, [no], new Date('2035-03-02'))).toMatchObject({
      kind: 'end',
      action: 'anonymise',
    });
  });

  it('starts afresh when the trigger moved (a new enrollment): old answers no longer count', () => {
    const no = asked({ answer: 'no', answeredAt: '2035-03-05T00:00:00.000Z' });
    expect(reviewState(KAJUYALI, '2038-06-01T00:00:00.000Z', [no], new Date('2036-01-01'))).toEqual(
      {
        kind: 'scheduled',
        dueAt: '2038-06-01T00:00:00.000Z',
      },
    );
  });
});

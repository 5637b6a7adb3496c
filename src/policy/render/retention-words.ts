/**
 * A retention rule in plain words, as the notice and the record of processing activities print
 * it: "5 years after your last enrollment, then deleted.", "10 years after your last enrollment,
 * then we ask you whether we may keep it. …", "24 months after collection, then anonymised."
 */
import { isZeroDuration, type Duration } from '../duration.js';
import type { TriggerEvent } from '../schema.js';
import type { Messages } from './messages/en.js';
import type { NoticeRetentionRule } from './notice-model.js';
import { capitalise, formatDuration } from './words.js';

/** "5 years after your last enrollment", or "until you close your account" for a zero period. */
function whenText(period: Duration, trigger: TriggerEvent, messages: Messages): string {
  return isZeroDuration(period)
    ? messages.triggerUntil[trigger]
    : `${formatDuration(period, messages)} ${messages.triggerAfter[trigger]}`;
}

function withinText(period: Duration, messages: Messages): string {
  return isZeroDuration(period)
    ? messages.immediately
    : messages.within(formatDuration(period, messages));
}

export function describeRetentionRule(rule: NoticeRetentionRule, messages: Messages): string {
  const when = capitalise(whenText(rule.period, rule.trigger, messages));
  const sentences: string[] = [];
  const review = rule.review;
  if (rule.action === 'delete') {
    sentences.push(messages.retentionDelete(when));
  } else if (rule.action === 'anonymise') {
    sentences.push(messages.retentionAnonymise(when));
  } else if (review === undefined || review.ask === 'subject') {
    sentences.push(messages.retentionAskSubject(when));
    if (review !== undefined) {
      sentences.push(
        messages.reviewOnNo[review.onNo],
        messages.reviewOnNoAnswer[review.onNoAnswer](withinText(review.answerWithin, messages)),
        messages.reviewOnKeep(formatDuration(review.extendBy, messages)),
      );
    }
  } else {
    sentences.push(
      messages.retentionAskStaff(when),
      messages.staffReviewOutcome(
        withinText(review.answerWithin, messages),
        formatDuration(review.extendBy, messages),
      ),
    );
  }
  if (rule.fallbackTrigger !== undefined) {
    sentences.push(messages.fallbackTrigger(whenText(rule.period, rule.fallbackTrigger, messages)));
  }
  return sentences.join(' ');
}

import { isAppError } from '../../errors.js';
import { addDuration } from '../../policy/duration.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import {
  createRetentionActionStore,
  type RetentionReviewRow,
} from '../../store/retention-action-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps } from '../context.js';
import { loadOrCreateLinkKey } from '../links/link-keys.js';
import { issueLink } from '../links/signed-link-urls.js';
import { contactAddressesOf } from '../marketing/contact-addresses.js';
import { recipientsOf } from '../people/notice-recipients.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { retentionRuleOf } from './plan-retention.js';

export type ReviewDelivery = 'sent' | 'no-address' | 'failed';

type AskDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'masterKeys' | 'mailer' | 'publicBaseUrl'>;

/**
 * Emails one person the questions of their review rules that fell due (kajuyali §5.5: "we will
 * ask the user if he/she wants to continue"), with a signed link to answer keep or delete — to a
 * child's linked guardians instead, where the policy lets guardians act for them. The answer
 * period starts when the email is accepted; a refused email leaves it unstarted, so the next run
 * asks again. When nobody can be reached (no address, no guardian), the period starts anyway and
 * silence decides: data nobody can be asked about is not kept on the chance of an answer.
 * Runs after the sweep's transaction has committed: an email is never sent for a question that
 * was rolled back.
 */
export async function askRetentionReviews(
  deps: AskDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: { id: string; subjectKind: string },
  reviews: readonly RetentionReviewRow[],
  now: Date,
): Promise<ReviewDelivery> {
  const db = deps.store.db;
  const context = { ...deps, dialect: deps.store.dialect };
  const personId = person.id;
  const { recipients } = await recipientsOf(context, db, scope, active, [person]);
  // A child with no linked guardian (or a person whose age is no longer on record — kajuyali
  // deletes the date of birth after 5 years, and asks at 10) is asked at the contact address on
  // their own record: for a child that is the address the family gave for them.
  const askedOf = recipients.size === 0 ? [personId] : [...recipients.keys()];
  const addresses: string[] = [];
  for (const recipientId of askedOf) {
    const { email } = await contactAddressesOf(context, db, scope, active, recipientId);
    if (email !== undefined) {
      addresses.push(email);
    }
  }
  const deadlines = new Map(
    reviews.map((review) => [review.id, answerDeadline(active, review, now)]),
  );
  const latest = [...deadlines.values()].sort().at(-1) ?? now.toISOString();
  let delivery: ReviewDelivery = addresses.length === 0 ? 'no-address' : 'sent';
  if (addresses.length > 0) {
    const link = await inTransaction(deps.store, async (trx) =>
      issueLink(deps, await loadOrCreateLinkKey(context, trx, scope), scope, {
        purpose: 'retention-review',
        personId,
        expiresAt: new Date(latest),
      }),
    );
    const organization = await createOrganizationStore(db).findById(scope.organizationId);
    const kept = reviews.map((review) => labelOf(active, review.categoryId)).join(', ');
    try {
      for (const to of addresses) {
        await deps.mailer.send({
          to,
          subject: `May ${organization?.name ?? 'we'} keep your data?`,
          text:
            `${organization?.name ?? 'We'} has kept the following data about you as long as our ` +
            `privacy policy allows: ${kept}.\n\nDo you want us to keep it? Answer with this link ` +
            `before ${latest}:\n\n${link.url}\n\n` +
            'If you answer no, or do not answer by then, it will be deleted as our policy says.\n',
        });
      }
    } catch (error) {
      if (!isAppError(error) || error.code !== 'EMAIL_UNAVAILABLE') {
        throw error;
      }
      delivery = 'failed';
    }
  }
  await inTransaction(deps.store, async (trx) => {
    if (delivery !== 'failed') {
      const store = createRetentionActionStore(trx);
      for (const [id, answerDueAt] of deadlines) {
        await store.markDelivered(scope, [id], answerDueAt);
      }
    }
    await writeAuditEvent(context, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'retention.review-asked',
      outcome: delivery === 'failed' ? 'failure' : 'success',
      subjectId: personId,
      details: {
        delivery,
        emails: delivery === 'sent' ? addresses.length : 0,
        rules: reviews.map((review) => review.ruleId),
        answerDueAt: delivery === 'failed' ? null : latest,
      },
    });
  });
  return delivery;
}

/** The end of the answer period of one question asked now: the rule's `answer_within`. */
export function answerDeadline(
  active: ActivePolicy,
  review: RetentionReviewRow,
  now: Date,
): string {
  const rule = retentionRuleOf(active, review.categoryId, review.ruleId);
  return rule?.answerWithin === undefined
    ? now.toISOString()
    : addDuration(now, rule.answerWithin).toISOString();
}

function labelOf(active: ActivePolicy, categoryId: string): string {
  const labels = active.policy.categories.get(categoryId)?.definition.labels;
  const language = active.policy.document.organisation.default_language;
  return labels?.[language] ?? categoryId;
}

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { createCookieConsentStore } from '../../store/cookie-consent-store.js';
import { inTransaction } from '../../store/db.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import {
  findPublishingOrganization,
  receiptOf,
  VisitorId,
  type CookieConsentReceipt,
} from './cookie-consent-support.js';
import { decideCookieChoices } from './decide-cookie-choices.js';

/** A policy declares a handful of cookies; far more keys than this is not a banner talking. */
const MAX_CHOICES = 200;

export const RecordCookieConsentRequest = z.strictObject({
  visitorId: VisitorId,
  choices: z
    .record(z.string().min(1).max(64), z.boolean())
    .refine((choices) => Object.keys(choices).length <= MAX_CHOICES, {
      message: `at most ${MAX_CHOICES} cookies`,
    })
    .describe(
      'Cookie id → allowed. Every key must be a cookie the active policy declares; cookies left ' +
        'out that need consent are recorded as refused.',
    ),
});
export type RecordCookieConsentRequest = z.input<typeof RecordCookieConsentRequest>;

export interface RecordCookieConsentInput {
  slug: string;
  request: z.output<typeof RecordCookieConsentRequest>;
  /** The browser sent `Sec-GPC: 1` (Global Privacy Control). */
  hasGpcSignal: boolean;
}

/**
 * Records a visitor's cookie choices under the organisation's active policy and returns the
 * receipt. Anonymous: the visitor is known only by the random id their browser keeps. The IP
 * address and user agent are kept with the row as evidence of how the consent was given (GDPR
 * Art. 7(1): the controller must be able to demonstrate consent).
 */
export async function recordCookieConsent(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  input: RecordCookieConsentInput,
  origin: RequestOrigin,
): Promise<CookieConsentReceipt> {
  const { organization, scope, active } = await findPublishingOrganization(deps, input.slug);
  const document = active.policy.document;
  const isGpc = input.hasGpcSignal && document.marketing?.honour_gpc === true;
  const { choices, issues } = decideCookieChoices(document.cookies, input.request.choices, isGpc);
  if (issues.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The choices name cookies the policy does not declare.',
      {
        details: { issues },
      },
    );
  }
  const consent = {
    id: deps.ids.next(),
    visitorId: input.request.visitorId,
    policyVersionId: active.versionId,
    choices,
    isGpc,
    givenAt: deps.clock.now().toISOString(),
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
  await inTransaction(deps.store, async (trx) => {
    await createCookieConsentStore(trx).insert(scope, consent);
    // The visitor id and address stay out of the details: the entry says what was chosen, under
    // which version, and the receipt id leads to the rest for whoever may read it.
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      actorType: 'anonymous',
      actorId: null,
      action: 'cookie-consent.recorded',
      outcome: 'success',
      subjectId: consent.id,
      details: { policyVersionId: active.versionId, choices, gpc: isGpc },
    });
  });
  return receiptOf(organization, active, consent);
}

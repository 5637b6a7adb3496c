import { z } from 'zod';
import { AppError, isAppError } from '../../errors.js';
import { addDuration, parseDuration } from '../../policy/duration.js';
import { MarketingChannel, type Consent } from '../../policy/schema.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createConsentStore, type ConsentRecordRow } from '../../store/consent-store.js';
import { createPersonStore } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { loadPersonFacts } from '../consents/person-facts.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { loadOrCreateLinkKey } from '../links/link-keys.js';
import {
  issueLink,
  UNSUBSCRIBE_LINK_LIFETIME_MS,
  type LinkSettings,
} from '../links/signed-link-urls.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { addressFor, addressHash, contactAddressesOf } from './contact-addresses.js';

export const MarketingAudienceQuery = z.strictObject({
  channel: MarketingChannel.describe('The channel to reach people on'),
});
export type MarketingAudienceQuery = z.infer<typeof MarketingAudienceQuery>;

export const MarketingAudienceMember = z.object({
  personId: z.string(),
  address: z.string().describe('Where this channel reaches the person'),
  unsubscribeUrl: z
    .string()
    .describe(
      'One-click unsubscribe link (RFC 8058) for this person and channel; put it in every message',
    ),
  familyUnsubscribeUrl: z
    .string()
    .optional()
    .describe('Unsubscribes the person’s family too, where the policy allows that scope'),
});
export type MarketingAudienceMember = z.infer<typeof MarketingAudienceMember>;

export const MarketingAudience = z.object({
  channel: MarketingChannel,
  generatedAt: z.string(),
  policyVersionId: z.string(),
  people: z.array(MarketingAudienceMember),
  excluded: z
    .object({
      lapsed: z.number().int().describe('No enrollment within the policy’s window'),
      children: z.number().int().describe('Children, where the policy forbids marketing to them'),
      suppressed: z.number().int().describe('Their address unsubscribed'),
      noAddress: z.number().int().describe('No address for this channel'),
    })
    .describe('People with consent in force who are left out, by reason'),
});
export type MarketingAudience = z.infer<typeof MarketingAudience>;

export const SendMarketingEmailRequest = z.strictObject({
  channel: z.literal('email'),
  subject: z.string().trim().min(1).max(200),
  text: z
    .string()
    .min(1)
    .max(100_000)
    .describe('The plain-text body; the unsubscribe links are added'),
});
export type SendMarketingEmailRequest = z.infer<typeof SendMarketingEmailRequest>;

export const MarketingCampaignResult = z.object({
  campaignId: z.string(),
  channel: z.literal('email'),
  recipients: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int().describe('Emails the mail server did not take; not retried'),
});
export type MarketingCampaignResult = z.infer<typeof MarketingCampaignResult>;

type MarketingDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'> &
  LinkSettings;

/** Whether a consent serves a purpose the policy marks as marketing. */
export function isMarketingConsent(active: ActivePolicy, consent: Consent): boolean {
  return consent.purposes.some(
    (purposeId) => active.policy.purposes.get(purposeId)?.isMarketing === true,
  );
}

/** Every consent of the policy that serves marketing. */
export function marketingConsents(active: ActivePolicy): Consent[] {
  return [...active.policy.consents.values()].filter((consent) =>
    isMarketingConsent(active, consent),
  );
}

/**
 * The consents that put a person in the audience: the one `marketing.audience.consent` names, else
 * any marketing consent. Marketing always rests on an opt-in here; an opt-out regime is not offered.
 */
function audienceConsents(active: ActivePolicy): Consent[] {
  const named = active.policy.document.marketing?.audience?.consent;
  const consent = named === undefined ? undefined : active.policy.consents.get(named);
  return consent === undefined ? marketingConsents(active) : [consent];
}

/** The channels a record opted in to: its own list, else every channel its consent declares. */
export function channelsOf(record: Pick<ConsentRecordRow, 'channels'>, consent: Consent): string[] {
  return record.channels ?? consent.channels ?? [];
}

/**
 * Whether marketing to a person has lapsed under `audience.last_enrollment_within` (kajuyali §5.6.1:
 * promotions stop when 12 months pass since the last enrollment). Counted from the last enrollment;
 * for someone who never enrolled (a prospect met at a fair) from their opt-in, as the policy counts
 * retention from collection for them — so a prospect gets one window, not marketing forever.
 */
export function isMarketingLapsed(
  window: string | undefined,
  lastEnrollmentAt: string | null,
  optedInAt: string,
  now: Date,
): boolean {
  const duration = window === undefined ? undefined : parseDuration(window);
  if (duration === undefined) {
    return false;
  }
  const from = new Date(lastEnrollmentAt ?? optedInAt);
  return addDuration(from, duration).getTime() <= now.getTime();
}

/** `List-Unsubscribe` (RFC 2369) and `List-Unsubscribe-Post` (RFC 8058 one-click) for one email. */
export function marketingEmailHeaders(unsubscribeUrl: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

interface Selection {
  people: MarketingAudienceMember[];
  excluded: MarketingAudience['excluded'];
}

/**
 * Who marketing may reach on a channel now. One rule for the export and for campaigns:
 * - a marketing consent in force covering the channel (opt-in: kajuyali §5.4; withdrawal stops it
 *   at once, GDPR Art. 7(3));
 * - enrolled within `audience.last_enrollment_within`, when declared;
 * - not a child where `marketing.children` is `forbidden`, with age computed today;
 * - an address for the channel that is not on the suppression list (unsubscribed, withdrawn, GPC).
 * Each person gets their own signed one-click unsubscribe link (and a family one where allowed).
 */
async function selectAudience(
  deps: MarketingDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  channel: string,
): Promise<Selection> {
  const marketing = active.policy.document.marketing;
  const now = deps.clock.now();
  const consents = createConsentStore(trx);
  const optedInAt = new Map<string, string>();
  for (const consent of audienceConsents(active)) {
    for (const record of await consents.listInForce(scope, consent.id)) {
      if (!channelsOf(record, consent).includes(channel)) {
        continue;
      }
      const previous = optedInAt.get(record.personId);
      if (previous === undefined || previous < record.givenAt) {
        optedInAt.set(record.personId, record.givenAt);
      }
    }
  }
  const suppressed = await consents.suppressedHashes(scope, channel);
  const people = createPersonStore(trx);
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const key = await loadOrCreateLinkKey(deps, trx, scope);
  const expiresAt = new Date(now.getTime() + UNSUBSCRIBE_LINK_LIFETIME_MS);
  const offersFamily = marketing?.unsubscribe_scopes.includes('family') === true;
  const selection: Selection = {
    people: [],
    excluded: { lapsed: 0, children: 0, suppressed: 0, noAddress: 0 },
  };
  for (const [personId, givenAt] of [...optedInAt].sort(([a], [b]) => a.localeCompare(b))) {
    const person = await people.findById(scope, personId);
    if (person === undefined) {
      continue;
    }
    if (
      isMarketingLapsed(
        marketing?.audience?.last_enrollment_within,
        person.lastEnrollmentAt,
        givenAt,
        now,
      )
    ) {
      selection.excluded.lapsed += 1;
      continue;
    }
    if (marketing?.children !== 'guardian-consent') {
      const { minor } = await loadPersonFacts(keyDeps, trx, scope, active, person);
      if (minor.needsGuardianConsent || minor.isBelowMinimumAge) {
        selection.excluded.children += 1;
        continue;
      }
    }
    const address = addressFor(
      await contactAddressesOf(keyDeps, trx, scope, active, personId),
      channel,
    );
    if (address === undefined) {
      selection.excluded.noAddress += 1;
      continue;
    }
    if (suppressed.has(addressHash(channel, address))) {
      selection.excluded.suppressed += 1;
      continue;
    }
    const link = (linkScope: 'person' | 'family') =>
      issueLink(deps, key, scope, {
        purpose: 'unsubscribe',
        personId,
        expiresAt,
        channel,
        scope: linkScope,
      }).url;
    selection.people.push({
      personId,
      address,
      unsubscribeUrl: link('person'),
      ...(offersFamily ? { familyUnsubscribeUrl: link('family') } : {}),
    });
  }
  return selection;
}

async function authorizeMarketing(
  deps: MarketingDeps,
  principal: Principal,
  organizationId: string,
  channel: string,
): Promise<{ scope: OrganizationScope; active: ActivePolicy }> {
  // kajuyali §4.4: marketing lists only under level A or B (the roles given send-marketing).
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'send-marketing',
  );
  const marketing = active?.policy.document.marketing;
  if (active === undefined || marketing === undefined || marketing.channels.length === 0) {
    throw new AppError('CONFLICT', 'The active policy declares no marketing.');
  }
  if (!(marketing.channels as readonly string[]).includes(channel)) {
    throw new AppError('VALIDATION_FAILED', 'The policy does not market on this channel.', {
      details: {
        issues: [
          {
            path: 'channel',
            message: `must be one of the policy's marketing channels: ${marketing.channels.join(', ')}`,
          },
        ],
      },
    });
  }
  return { scope, active };
}

/**
 * Exports who marketing may reach on a channel, each with their address and one-click unsubscribe
 * link, for sending through another tool. Needs the policy's `send-marketing` permission; the
 * export (how many, which channel — no addresses) goes into the audit log.
 */
export async function exportMarketingAudience(
  deps: MarketingDeps,
  principal: Principal,
  organizationId: string,
  query: MarketingAudienceQuery,
  origin: RequestOrigin | undefined,
): Promise<MarketingAudience> {
  const { scope, active } = await authorizeMarketing(
    deps,
    principal,
    organizationId,
    query.channel,
  );
  return inTransaction(deps.store, async (trx) => {
    const selection = await selectAudience(deps, trx, scope, active, query.channel);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'marketing.audience-exported',
      outcome: 'success',
      subjectId: null,
      details: {
        channel: query.channel,
        count: selection.people.length,
        excluded: selection.excluded,
        policyVersionId: active.versionId,
      },
    });
    return {
      channel: query.channel,
      generatedAt: deps.clock.now().toISOString(),
      policyVersionId: active.versionId,
      ...selection,
    };
  });
}

function emailBody(text: string, member: MarketingAudienceMember): string {
  const lines = [text.trimEnd(), '', '--', `Unsubscribe: ${member.unsubscribeUrl}`];
  if (member.familyUnsubscribeUrl !== undefined) {
    lines.push(`Unsubscribe your whole family: ${member.familyUnsubscribeUrl}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Sends a marketing email to the audience, one email per person through `deps.mailer`, each with
 * the person's own unsubscribe link in the text and in `List-Unsubscribe` / `List-Unsubscribe-Post`
 * (RFC 8058), so mail clients offer one-click unsubscribe. The audience is selected at the moment
 * of sending, so an unsubscribe a second earlier is honoured. A recipient the mail server refuses
 * does not stop the others; when none could be sent, the mail error is the answer. Audited as
 * `marketing.campaign-sent` with the counts (no addresses, no body).
 */
export async function sendMarketingEmail(
  deps: MarketingDeps & Pick<AppDeps, 'mailer'>,
  principal: Principal,
  organizationId: string,
  request: SendMarketingEmailRequest,
  origin: RequestOrigin | undefined,
): Promise<MarketingCampaignResult> {
  const { scope, active } = await authorizeMarketing(
    deps,
    principal,
    organizationId,
    request.channel,
  );
  const campaignId = deps.ids.next();
  // Selected in a transaction of its own: email is not sent while a transaction is held open.
  const selection = await inTransaction(deps.store, (trx) =>
    selectAudience(deps, trx, scope, active, request.channel),
  );
  let sent = 0;
  let firstFailure: unknown;
  for (const member of selection.people) {
    try {
      await deps.mailer.send({
        to: member.address,
        subject: request.subject,
        text: emailBody(request.text, member),
        headers: marketingEmailHeaders(member.unsubscribeUrl),
      });
      sent += 1;
    } catch (error) {
      if (!isAppError(error)) {
        throw error;
      }
      firstFailure ??= error;
    }
  }
  const failed = selection.people.length - sent;
  const isFailure = sent === 0 && failed > 0;
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'marketing.campaign-sent',
      outcome: isFailure ? 'failure' : 'success',
      subjectId: null,
      details: {
        campaignId,
        channel: request.channel,
        subject: request.subject,
        recipients: selection.people.length,
        sent,
        failed,
        excluded: selection.excluded,
        policyVersionId: active.versionId,
      },
    }),
  );
  if (isFailure) {
    throw firstFailure;
  }
  return {
    campaignId,
    channel: request.channel,
    recipients: selection.people.length,
    sent,
    failed,
  };
}

/**
 * Announcing a policy change (issue 6). A draft whose changes against the active version include a
 * significant one (`policy/diff.ts`) takes effect only on a date announced at least
 * `changes.notice_lead_time` ahead (GDPR Art. 13(3), PIPEDA 4.2.4, Decree 1377 Art. 5: people are
 * told before a new or changed processing starts); everyone affected is emailed once, and the
 * notice says whether they must accept again or whether continued use means acceptance.
 *
 * Which changes need re-acceptance: the diff maps each significant change to the notice's kind of
 * change (`PolicyChange.notice_kind`), and the change needs re-acceptance when the *new* policy
 * lists that kind in `changes.reacceptance_required_for`:
 *
 * | ChangeKind             | PolicyChangeKind (the significant direction only)                      |
 * | ---------------------- | ---------------------------------------------------------------------- |
 * | new-purpose            | purpose-added, purpose-categories-changed, consent-scope-changed       |
 * | new-category           | category-added, category-fields-changed                                |
 * | new-special-category   | category-added or sensitivity-changed to special-category data         |
 * | changed-lawful-basis   | lawful-basis-changed, special-condition-changed                        |
 * | longer-retention       | retention-longer, retention-trigger-changed, retention-action-changed, |
 * |                        | retention-rule-removed, anonymisation-changed (keeps more)             |
 * | new-recipient          | third-party-added, third-party-role-changed, -categories-changed       |
 * | new-transfer           | transfer-added, storage-location-changed, safeguard-changed            |
 * | reduced-rights         | right-removed, rights-deadline-changed, guardian-powers-changed        |
 * | (none)                 | everything else that is significant (marketing, cookies, security,     |
 * |                        | breach clocks, minors' ages, notice lead time…): notice, no re-accept. |
 *
 * Re-acceptance and continued use: where a change needs re-acceptance, it must be explicit, even
 * when the policy says continued use means acceptance (kexara.yaml: "a new purpose still needs
 * fresh consent under PIPEDA principle 4.2.4"); continued use counts for the other changes.
 */
import { z } from 'zod';
import type { Clock, IdGenerator } from '../../clock.js';
import { AppError, isAppError } from '../../errors.js';
import type { OutgoingEmail } from '../../mail/mailer.js';
import { diffPolicies, PolicyChangeKind, type PolicyChange } from '../../policy/diff.js';
import { addDuration, parseDuration } from '../../policy/duration.js';
import { renderNotice, type NoticeFormat } from '../../policy/render/render-notice.js';
import { ChangeKind, type Language, type PolicyDocument } from '../../policy/schema.js';
import { createConsentStore } from '../../store/consent-store.js';
import { inTransaction, type Dialect, type Executor } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import { createPolicyChangeNoticeStore } from '../../store/policy-change-notice-store.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { recipientsOf } from '../people/notice-recipients.js';
import { issueSelfServiceLink } from '../self-service/invite-self-service.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { contactAddressesOf } from '../marketing/contact-addresses.js';
import type { ActivePolicy } from './policy-registry.js';

export const AnnouncePolicyVersionRequest = z.strictObject({
  /**
   * When the version takes effect: an ISO 8601 date-time with its offset, or a date (midnight
   * UTC). At least the policy's `changes.notice_lead_time` from now when a change is significant.
   */
  effectiveAt: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .describe('When the version takes effect (ISO 8601 date-time with offset, or a date in UTC)'),
});
export type AnnouncePolicyVersionRequest = z.input<typeof AnnouncePolicyVersionRequest>;

export const PolicyChangeSummary = z.object({
  kind: PolicyChangeKind,
  path: z.string(),
  summary: z.string().describe('The change in plain language, as the notice email says it'),
  noticeKind: ChangeKind.nullable(),
  requiresReacceptance: z.boolean(),
});
export type PolicyChangeSummary = z.infer<typeof PolicyChangeSummary>;

export const AnnouncedPolicyVersion = z.object({
  id: z.string(),
  version: z.string(),
  /** The active version the change is measured against; null when none is active yet. */
  againstVersionId: z.string().nullable(),
  significantChanges: z.array(PolicyChangeSummary),
  requiresReacceptance: z
    .boolean()
    .describe('Whether people must accept again, explicitly (reacceptance_required_for)'),
  continuedUseMeansAcceptance: z
    .boolean()
    .describe('Whether using the service after effectiveAt counts as acceptance'),
  effectiveAt: z
    .string()
    .nullable()
    .describe('When it takes effect; null when nothing is significant: activate it at once'),
  earliestEffectiveAt: z.string().nullable(),
  notices: z
    .enum(['scheduled', 'not-needed'])
    .describe('scheduled: the server emails everyone affected on its next policy-change tick'),
});
export type AnnouncedPolicyVersion = z.infer<typeof AnnouncedPolicyVersion>;

/** What a version changes against the active one, as announcing and activating judge it. */
export interface PolicyChangeAssessment {
  significant: PolicyChange[];
  requiresReacceptance: boolean;
}

/** The significant changes of `target` over `active` (none without an active version). */
export function assessPolicyChange(
  active: ActivePolicy | undefined,
  target: ActivePolicy,
): PolicyChangeAssessment {
  if (active === undefined) {
    return { significant: [], requiresReacceptance: false };
  }
  const significant = diffPolicies(active.policy, target.policy).changes.filter(
    (change) => change.severity === 'significant',
  );
  return {
    significant,
    requiresReacceptance: significant.some((change) => change.requires_reacceptance),
  };
}

/**
 * The earliest date a significant change may take effect: the longer of the lead time the active
 * policy promised and the one the new policy declares, so shortening the lead time in the same
 * change cannot shorten the notice of that change.
 */
export function earliestEffectiveDate(now: Date, active: ActivePolicy, target: ActivePolicy): Date {
  let earliest = now;
  for (const policy of [active, target]) {
    const lead = parseDuration(policy.policy.document.changes.notice_lead_time);
    const candidate = lead === undefined ? now : addDuration(now, lead);
    if (candidate > earliest) {
      earliest = candidate;
    }
  }
  return earliest;
}

/** Whether people must accept explicitly, accept by continuing, or need only be told. */
export function acceptanceModeOf(
  target: ActivePolicy,
  requiresReacceptance: boolean,
): 'explicit' | 'continued-use' | 'not-required' {
  if (requiresReacceptance) {
    return 'explicit';
  }
  return target.policy.document.changes.continued_use_means_acceptance
    ? 'continued-use'
    : 'not-required';
}

/**
 * Schedules a draft to take effect on `effectiveAt` and has everyone affected told. Without a
 * significant change nothing is scheduled: the version may be activated at once. Announcing the
 * same version again with the same date retries the notices that failed and sends none twice;
 * another date is refused (people were told the first one).
 */
export async function announcePolicyVersion(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Actor,
  organizationId: string,
  versionId: string,
  request: z.output<typeof AnnouncePolicyVersionRequest>,
  origin: RequestOrigin | undefined,
): Promise<AnnouncedPolicyVersion> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-policy',
  );
  const versions = createPolicyVersionStore(deps.store.db);
  const row = await versions.findById(scope, versionId);
  const target =
    row === undefined ? undefined : await deps.policies.version(deps.store.db, scope, versionId);
  if (row === undefined || target === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  if (row.status !== 'draft') {
    throw new AppError(
      'CONFLICT',
      `Only a draft can be announced; this version is ${row.status}. Upload it again to announce it.`,
    );
  }
  const assessment = assessPolicyChange(active, target);
  const mode = acceptanceModeOf(target, assessment.requiresReacceptance);
  const view = {
    id: versionId,
    version: target.version,
    againstVersionId: active?.versionId ?? null,
    significantChanges: assessment.significant.map((change) => ({
      kind: change.kind,
      path: change.path,
      summary: describeChange(change),
      noticeKind: change.notice_kind,
      requiresReacceptance: change.requires_reacceptance,
    })),
    requiresReacceptance: assessment.requiresReacceptance,
    continuedUseMeansAcceptance: mode === 'continued-use',
  };
  if (active === undefined || assessment.significant.length === 0) {
    return { ...view, effectiveAt: null, earliestEffectiveAt: null, notices: 'not-needed' };
  }
  const now = deps.clock.now();
  const earliest = earliestEffectiveDate(now, active, target).toISOString();
  const effectiveAt = new Date(request.effectiveAt).toISOString();
  const previous = await versions.announcementOf(scope, versionId);
  if (previous !== undefined && previous.announcedOverVersionId !== active.versionId) {
    throw new AppError(
      'CONFLICT',
      'This version was announced as a change to a version that is no longer active: upload it again and announce the new draft.',
    );
  }
  if (previous !== undefined && previous.effectiveAt !== effectiveAt) {
    throw new AppError(
      'CONFLICT',
      `This version is already announced to take effect on ${previous.effectiveAt}; people were told that date.`,
    );
  }
  if (previous === undefined && effectiveAt < earliest) {
    const lead = [
      ...new Set([active, target].map((policy) => policy.policy.document.changes.notice_lead_time)),
    ].join(' / ');
    throw new AppError('VALIDATION_FAILED', 'The change cannot take effect that soon.', {
      details: {
        issues: [
          {
            path: 'effectiveAt',
            message: `must be on or after ${earliest}: the policy gives ${lead} notice of a significant change`,
          },
        ],
      },
    });
  }
  await inTransaction(deps.store, async (trx) => {
    if (previous === undefined) {
      await createPolicyVersionStore(trx).recordAnnouncement(scope, versionId, {
        announcedAt: now.toISOString(),
        effectiveAt,
        announcedOverVersionId: active.versionId,
      });
    } else {
      // Announcing again: the notices that failed or were interrupted are tried once more.
      await createPolicyChangeNoticeStore(trx).forgetUnsent(scope, versionId);
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'policy.announce',
      outcome: 'success',
      subjectId: null,
      details: {
        policyVersionId: versionId,
        version: target.version,
        againstVersionId: active.versionId,
        effectiveAt,
        significantChanges: assessment.significant.length,
        requiresReacceptance: assessment.requiresReacceptance,
        again: previous !== undefined,
      },
    });
  });
  return { ...view, effectiveAt, earliestEffectiveAt: earliest, notices: 'scheduled' };
}

// -- Sending the notices -------------------------------------------------------------------------

/** What sending needs besides the stores: the mailer, and where links in emails point. */
export type PolicyNoticeDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer'
> & {
  /** `mail.publicBaseUrl`: links in the emails start with it, never with a request's Host. */
  publicBaseUrl: string;
};

export interface PolicyNoticeDelivery {
  organizationId: string;
  policyVersionId: string;
  /** Emails the mail server accepted. */
  emailsSent: number;
  /** People recorded as notified by those emails (a guardian's email covers their children). */
  peopleNotified: number;
  /** People recorded with a failure: no address, no guardian, or the mail server's refusal. */
  peopleFailed: number;
}

/**
 * Emails the notice of one announced version to everyone affected who has not had it: each
 * recipient once, a guardian for themselves and the children in their care together. Each
 * person's notice row is claimed before the email leaves and completed after, so concurrent
 * passes (two servers, a tick and the CLI) never send anyone the same notice twice. Does nothing
 * for a version that is not an announced draft over the version active now.
 */
export async function sendPolicyChangeNotices(
  deps: PolicyNoticeDeps,
  scope: OrganizationScope,
  versionId: string,
): Promise<PolicyNoticeDelivery> {
  const delivery: PolicyNoticeDelivery = {
    organizationId: scope.organizationId,
    policyVersionId: versionId,
    emailsSent: 0,
    peopleNotified: 0,
    peopleFailed: 0,
  };
  const db = deps.store.db;
  const versions = createPolicyVersionStore(db);
  const announcement = await versions.announcementOf(scope, versionId);
  if (
    announcement === undefined ||
    (await versions.findById(scope, versionId))?.status !== 'draft'
  ) {
    return delivery;
  }
  const active = await deps.policies.active(db, scope);
  const target = await deps.policies.version(db, scope, versionId);
  const organization = await createOrganizationStore(db).findById(scope.organizationId);
  if (
    active === undefined ||
    target === undefined ||
    organization === undefined ||
    active.versionId !== announcement.announcedOverVersionId
  ) {
    // Stale: activation refuses it too, and says why.
    return delivery;
  }
  const assessment = assessPolicyChange(active, target);
  const notices = createPolicyChangeNoticeStore(db);
  const open = await notices.unnotifiedPeople(scope, versionId);
  if (open.length === 0) {
    return delivery;
  }
  const context = { ...deps, dialect: deps.store.dialect };
  const { recipients, unreachable } = await recipientsOf(context, db, scope, active, open);
  const notice = {
    policyVersionId: versionId,
    effectiveAt: announcement.effectiveAt,
    reacceptanceRequired: assessment.requiresReacceptance,
  };
  delivery.peopleFailed += (await notices.claim(scope, notice, unreachable, 'no-guardian')).length;
  const content = {
    organisation: target.policy.document.organisation,
    slug: organization.slug,
    versionId,
    version: target.version,
    effectiveAt: announcement.effectiveAt,
    changes: assessment.significant,
    mode: acceptanceModeOf(target, assessment.requiresReacceptance),
    publicBaseUrl: deps.publicBaseUrl,
  };
  for (const [recipientId, concerned] of recipients) {
    const claimed = await notices.claim(scope, notice, [...concerned]);
    if (claimed.length === 0) {
      continue;
    }
    const address = (await contactAddressesOf(context, db, scope, active, recipientId)).email;
    if (address === undefined) {
      await notices.markFailed(scope, versionId, claimed, 'no-address');
      delivery.peopleFailed += claimed.length;
      continue;
    }
    const children = [...concerned].filter((personId) => personId !== recipientId).length;
    // Every email to a person carries their own signed link: withdrawing must be as easy as
    // consenting (GDPR Art. 7(3)), and it must not need an account or a phone call.
    const privacyPage = await inTransaction(deps.store, (trx) =>
      issueSelfServiceLink(context, trx, scope, recipientId),
    );
    try {
      await deps.mailer.send(
        noticeEmail({
          ...content,
          to: address,
          isForSelf: concerned.has(recipientId),
          children,
          privacyPageUrl: privacyPage.url,
        }),
      );
    } catch (error) {
      await notices.markFailed(
        scope,
        versionId,
        claimed,
        isAppError(error) ? error.message : 'Email could not be sent.',
      );
      if (!isAppError(error)) {
        throw error;
      }
      delivery.peopleFailed += claimed.length;
      continue;
    }
    await notices.markSent(scope, versionId, claimed, deps.clock.now().toISOString());
    delivery.emailsSent += 1;
    delivery.peopleNotified += claimed.length;
  }
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(context, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'policy.notices-sent',
      outcome: delivery.peopleFailed === 0 ? 'success' : 'failure',
      subjectId: null,
      details: {
        policyVersionId: versionId,
        emailsSent: delivery.emailsSent,
        peopleNotified: delivery.peopleNotified,
        peopleFailed: delivery.peopleFailed,
      },
    }),
  );
  return delivery;
}

/**
 * Sends what is outstanding for every announced draft of every organisation: the periodic tick of
 * `serve`. People recorded after an announcement are told too; failed notices wait for the
 * version to be announced again (a refusing mail server is not retried every minute).
 */
export async function sendPendingPolicyChangeNotices(
  deps: PolicyNoticeDeps,
): Promise<PolicyNoticeDelivery[]> {
  const deliveries: PolicyNoticeDelivery[] = [];
  for (const organization of await createOrganizationStore(deps.store.db).list()) {
    const scope = scopeOf(organization.id);
    for (const version of await createPolicyVersionStore(deps.store.db).announcedDrafts(scope)) {
      const delivery = await sendPolicyChangeNotices(deps, scope, version.id);
      if (delivery.emailsSent + delivery.peopleFailed > 0) {
        deliveries.push(delivery);
      }
    }
  }
  return deliveries;
}

// -- The email -----------------------------------------------------------------------------------

type ChangeWords = (change: PolicyChange, value: string, detail: string) => string;

/**
 * Plain sentences for the kinds of change people most need to understand; any other kind is told
 * by the diff's own reason, which is already a sentence about the change.
 */
const CHANGE_SENTENCES: Partial<Record<PolicyChangeKind, ChangeWords>> = {
  'purpose-added': (_change, value) => `We will use personal data for a new purpose: ${value}.`,
  'purpose-categories-changed': (_change, _value, detail) =>
    `One of our purposes will use more kinds of personal data: ${detail}.`,
  'category-added': (_change, value) => `We will collect a new kind of personal data: ${value}.`,
  'category-fields-changed': (_change, _value, detail) =>
    `We will collect more personal data of a kind we already hold: ${detail}.`,
  'lawful-basis-changed': (change) =>
    `The legal ground for some of our processing changes (${change.before ?? 'none'} → ${change.after ?? 'none'}).`,
  'third-party-added': (_change, value) =>
    `We will share personal data with a new recipient: ${value}.`,
  'third-party-categories-changed': (_change, _value, detail) =>
    `A recipient will receive more kinds of personal data: ${detail}.`,
  'transfer-added': (_change, _value, detail) =>
    `Personal data will be sent to another country: ${detail}.`,
  'retention-longer': (change) =>
    `Some personal data will be kept longer (${change.before ?? '—'} → ${change.after ?? '—'}).`,
  'retention-rule-removed': () => 'A limit on how long we keep some personal data is removed.',
  'right-removed': (_change, _value, detail) => `A right is no longer offered: ${detail}.`,
};

/** One significant change in a sentence for the people it affects. */
export function describeChange(change: PolicyChange): string {
  const value = change.after ?? change.before ?? '';
  const separator = change.reason.indexOf(': ');
  const detail = separator === -1 ? value : change.reason.slice(separator + 2);
  const words = CHANGE_SENTENCES[change.kind];
  return words === undefined
    ? `${change.reason.charAt(0).toUpperCase()}${change.reason.slice(1)}.`
    : words(change, value, detail);
}

/** `2026-04-01 at 09:00 UTC`: unambiguous in every language and time zone. */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} at ${iso.slice(11, 16)} UTC`;
}

function contactLine(contact: PolicyDocument['organisation']['contact']): string {
  return contact.email ?? contact.phone ?? contact.website ?? contact.postal_address ?? '';
}

/** The links of a notice: the announced version's notice, and the one in force until then. */
export function noticeLinks(
  publicBaseUrl: string,
  slug: string,
  versionId: string,
): { upcoming: string; current: string } {
  const base = `${publicBaseUrl}/api/v1/privacy-notices/${encodeURIComponent(slug)}`;
  return { upcoming: `${base}/versions/${encodeURIComponent(versionId)}`, current: base };
}

function noticeEmail(input: {
  to: string;
  organisation: PolicyDocument['organisation'];
  slug: string;
  versionId: string;
  version: string;
  effectiveAt: string;
  changes: readonly PolicyChange[];
  mode: 'explicit' | 'continued-use' | 'not-required';
  publicBaseUrl: string;
  isForSelf: boolean;
  children: number;
  /** The recipient's own self-service link (see their data, withdraw a consent). */
  privacyPageUrl: string;
}): OutgoingEmail {
  const name = input.organisation.name;
  const when = formatInstant(input.effectiveAt);
  const contact = contactLine(input.organisation.contact);
  const links = noticeLinks(input.publicBaseUrl, input.slug, input.versionId);
  const children =
    input.children === 0
      ? ''
      : `${input.children === 1 ? 'the child' : `the ${input.children} children`} in your care`;
  const concerns = input.isForSelf
    ? `the personal data we hold about you${children === '' ? '' : ` and about ${children}`}`
    : `the personal data we hold about ${children}`;
  const action = {
    explicit:
      `Please accept the new policy: these changes need your agreement again, so your earlier ` +
      `acceptance does not cover them. To accept, contact us at ${contact}; our staff will ` +
      `record your acceptance. Until you accept, we will not rely on it for you.`,
    'continued-use':
      `Nothing, if you agree: continued use of our services after ${when} means you accept ` +
      `the new policy. If you do not agree, contact us at ${contact} before then.`,
    'not-required': `Nothing: the new policy applies from ${when}. Questions or objections: ${contact}.`,
  }[input.mode];
  const text = [
    'Hello,',
    '',
    `${name} is changing its privacy policy. The new version (${input.version}) takes effect on ${when}. This concerns ${concerns}.`,
    '',
    'What changes:',
    ...input.changes.map((change) => `- ${describeChange(change)}`),
    '',
    'What you need to do:',
    action,
    '',
    `Read the new policy: ${links.upcoming}`,
    `The policy in force until then: ${links.current}`,
    '',
    `To see what we hold about you or withdraw a consent at any time: ${input.privacyPageUrl}`,
    '(this link is yours alone and works for 3 days; ask us for a new one whenever you need it)',
    '',
    name,
  ].join('\n');
  return {
    to: input.to,
    subject: `${name}: our privacy policy changes on ${input.effectiveAt.slice(0, 10)}`,
    text: `${text}\n`,
  };
}

// -- Continued use -------------------------------------------------------------------------------

/**
 * Records "continued use means acceptance" (kexara.txt: "Continued use of our services after
 * policy updates constitutes acceptance of the changes") when a person acts after the active
 * version took effect. Only for someone who was told (their notice was sent), only where the
 * policy says so and the change needed no explicit re-acceptance, and never for a child a guardian
 * stands for (their guardian accepts). Call it inside the activity's transaction. Returns whether
 * an acceptance was recorded now.
 */
export async function recordContinuedUseIfDue(
  deps: { clock: Clock; ids: IdGenerator; dialect: Dialect },
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: Pick<PersonRow, 'id'>,
): Promise<boolean> {
  if (!active.policy.document.changes.continued_use_means_acceptance) {
    return false;
  }
  const now = deps.clock.now().toISOString();
  const notice = await createPolicyChangeNoticeStore(trx).find(scope, active.versionId, person.id);
  if (
    notice === undefined ||
    notice.sentAt === null ||
    notice.reacceptanceRequired ||
    notice.effectiveAt > now
  ) {
    return false;
  }
  if ((await createPersonStore(trx).guardiansOf(scope, person.id)).length > 0) {
    return false;
  }
  const inserted = await createConsentStore(trx).insertTermsAcceptance(scope, {
    id: deps.ids.next(),
    personId: person.id,
    policyVersionId: active.versionId,
    acceptedAt: now,
    acceptedBy: 'subject',
    acceptedByReference: null,
    recordedBy: null,
    method: 'continued-use',
    ip: null,
    userAgent: null,
  });
  if (inserted) {
    await writeAuditEvent(deps, trx, scope, undefined, {
      actorType: 'person',
      actorId: person.id,
      action: 'terms.accepted',
      outcome: 'success',
      subjectId: person.id,
      details: {
        policyVersionId: active.versionId,
        acceptedBy: 'subject',
        method: 'continued-use',
      },
    });
  }
  return inserted;
}

// -- The announced version's notice --------------------------------------------------------------

/**
 * The privacy notice of one version, public once people may be told of it: the active version,
 * one that was active, or a draft announced to take effect. The notice emails link here, so the
 * link keeps showing what was announced after the version took effect. Unannounced drafts are
 * private (404, as an unknown id).
 */
export async function publishPolicyVersionNotice(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  input: { slug: string; versionId: string; format: NoticeFormat; language?: Language | undefined },
): Promise<{ language: Language; version: string; text: string }> {
  const organization = await createOrganizationStore(deps.store.db).findBySlug(input.slug);
  if (organization === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const scope = scopeOf(organization.id);
  const versions = createPolicyVersionStore(deps.store.db);
  const row = await versions.findById(scope, input.versionId);
  const isPublic =
    row !== undefined &&
    (row.status !== 'draft' ||
      (await versions.announcementOf(scope, input.versionId)) !== undefined);
  const target = isPublic
    ? await deps.policies.version(deps.store.db, scope, input.versionId)
    : undefined;
  if (target === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const language = input.language ?? target.policy.document.organisation.default_language;
  return {
    language,
    version: target.version,
    text: renderNotice(target.policy, { format: input.format, language }),
  };
}

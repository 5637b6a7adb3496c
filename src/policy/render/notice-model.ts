/**
 * The notice model: what a privacy notice says, built from a compiled policy and free of any
 * language or format. References are resolved (a purpose carries the labels of the categories
 * it uses, a recipient the countries it transfers to), so rendering is a walk over this model
 * and the same facts reach every language and both formats.
 */
import type { CompiledPolicy } from '../compile.js';
import { parseDuration, type Duration } from '../duration.js';
import { expandTerritory, JURISDICTION_TERRITORIES } from '../jurisdictions.js';
import type {
  Category,
  Jurisdiction,
  LawfulBasis,
  LocalisedText,
  PolicyDocument,
  Purpose,
  RightKind,
  TriggerEvent,
} from '../schema.js';

// Vocabulary of the policy language the notice puts into words, named once for the catalogues.
type Document = PolicyDocument;
export type StandardSource = Exclude<Category['sources'][number], { third_party: string }>;
export type ConsentGiver = Document['consents'][number]['given_by'][number];
export type ConsentForm = Document['consents'][number]['form'];
export type WithdrawalMethod = Document['consents'][number]['withdrawal'][number];
export type MarketingChannel = NonNullable<Document['consents'][number]['channels']>[number];
export type Safeguard = Document['third_parties'][number]['safeguards'][number];
export type RelationshipKind = Document['third_parties'][number]['relationship'];
export type SpecialKind = NonNullable<Category['special_kind']>;
export type SpecialCondition = NonNullable<
  NonNullable<Purpose['special_category_condition']>[Jurisdiction]
>['condition'];
export type DurationUnit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';
type RightsDeadline = Document['rights']['deadlines'][number];
export type DeadlinePeriod = RightsDeadline['respond_within'];
export type DeadlineUnit = DeadlinePeriod['unit'];
export type RequestKind = RightsDeadline['request_kind'];
export type RightsChannel = Document['rights']['channels'][number];
export type IdentityMethod = Document['rights']['identity_verification']['methods'][number];
export type ProxyKind = Document['rights']['may_act_for_others'][number];
export type NotifyPeopleWhen = Document['breach']['notify_people_when'];
export type NoticeContent = Document['breach']['notice_contents'][number];
export type LockdownKind = Document['breach']['lockdown'][number]['action'];
export type GuardianPower = NonNullable<Document['minors']>['guardian_may'][number];
export type UnsubscribeScope = NonNullable<Document['marketing']>['unsubscribe_scopes'][number];
export type ChangeChannel = Document['changes']['channels'][number];
export type ChangeKind = Document['changes']['reacceptance_required_for'][number];
export type BreachDeadline = NonNullable<Document['breach']['notify_authority_within']>;

/** A field: its label when the policy gives one, else its stored name put into words. */
export interface NoticeField {
  readonly name: string;
  readonly labels: LocalisedText | undefined;
}

export type NoticeSource =
  | { readonly kind: 'standard'; readonly source: StandardSource }
  | { readonly kind: 'named'; readonly name: string };

export interface NoticeCategory {
  readonly id: string;
  readonly labels: LocalisedText;
  readonly description: LocalisedText | undefined;
  readonly subjects: readonly LocalisedText[];
  readonly fields: readonly NoticeField[];
  readonly sensitivity: Category['sensitivity'];
  readonly specialKind: SpecialKind | undefined;
  readonly isChildren: boolean;
  readonly isEncrypted: boolean;
  readonly sources: readonly NoticeSource[];
}

export interface NoticePurpose {
  readonly id: string;
  readonly labels: LocalisedText;
  readonly description: LocalisedText | undefined;
  readonly categories: readonly LocalisedText[];
  readonly bases: readonly { readonly jurisdiction: Jurisdiction; readonly basis: LawfulBasis }[];
  readonly conditions: readonly {
    readonly jurisdiction: Jurisdiction;
    readonly condition: SpecialCondition;
    readonly note: LocalisedText | undefined;
  }[];
  readonly isMarketing: boolean;
  /** Consent asked although no lawful basis is consent (e.g. parental consent to upload). */
  readonly asksConsentBeyondBasis: boolean;
  readonly isProtected: boolean;
}

export interface NoticeConsent {
  readonly id: string;
  readonly labels: LocalisedText;
  readonly description: LocalisedText | undefined;
  readonly purposes: readonly LocalisedText[];
  readonly form: ConsentForm;
  readonly givenBy: readonly ConsentGiver[];
  readonly withdrawal: readonly WithdrawalMethod[];
  readonly channels: readonly MarketingChannel[];
  readonly isSeparate: boolean;
  readonly paperFormReference: string | undefined;
}

export interface NoticeRecipient {
  readonly id: string;
  readonly name: string;
  readonly relationship: RelationshipKind;
  readonly service: LocalisedText;
  readonly locations: readonly string[];
  /** Locations outside the organisation's storage locations and its laws' territories. */
  readonly transferLocations: readonly string[];
  readonly categories: readonly LocalisedText[];
  readonly safeguards: readonly Safeguard[];
  readonly privacyNoticeUrl: string | undefined;
}

export interface NoticeReview {
  readonly ask: 'subject' | 'staff';
  readonly answerWithin: Duration;
  readonly extendBy: Duration;
  readonly onNo: 'delete' | 'anonymise';
  readonly onNoAnswer: 'delete' | 'anonymise' | 'keep';
}

export interface NoticeRetentionRule {
  readonly id: string;
  readonly category: LocalisedText;
  readonly purposes: readonly LocalisedText[] | undefined;
  readonly period: Duration;
  readonly trigger: TriggerEvent;
  readonly fallbackTrigger: TriggerEvent | undefined;
  readonly action: 'delete' | 'anonymise' | 'review';
  readonly review: NoticeReview | undefined;
  readonly reason: LocalisedText;
}

export interface NoticeDeadline {
  readonly jurisdiction: Jurisdiction;
  readonly requestKind: RequestKind;
  /** Undefined: every available right. */
  readonly rights: readonly RightKind[] | undefined;
  readonly respondWithin: DeadlinePeriod;
  readonly extension: RightsDeadline['extension'];
}

export type NoticeLockdown =
  | {
      readonly kind: 'suspend-roles';
      readonly roles: readonly LocalisedText[];
      readonly duration: Duration;
    }
  | { readonly kind: 'take-offline'; readonly systems: LocalisedText; readonly duration: Duration }
  | { readonly kind: 'revoke-sessions'; readonly roles: readonly LocalisedText[] }
  | { readonly kind: 'freeze-exports'; readonly duration: Duration };

/** A deadline as a notice states it: an exact ISO duration, or a legal period. */
export type NoticeClock =
  | { readonly kind: 'duration'; readonly duration: Duration }
  | { readonly kind: 'period'; readonly period: DeadlinePeriod };

export interface NoticeCookie {
  readonly id: string;
  readonly labels: LocalisedText;
  readonly purpose: LocalisedText;
  readonly isStrictlyNecessary: boolean;
  readonly isConsentRequired: boolean;
  readonly lifetime: Duration | 'session';
  readonly setBy: string | undefined;
}

export interface NoticeModel {
  readonly organisation: Document['organisation'];
  readonly texts: Document['texts'];
  readonly categories: readonly NoticeCategory[];
  readonly purposes: readonly NoticePurpose[];
  readonly consents: readonly NoticeConsent[];
  readonly recipients: readonly NoticeRecipient[];
  readonly sellsPersonalData: boolean;
  readonly retention: readonly NoticeRetentionRule[];
  readonly legalHolds:
    | { readonly reasons: readonly LocalisedText[]; readonly maxPeriod: Duration | undefined }
    | undefined;
  readonly rights: {
    readonly available: readonly RightKind[];
    readonly deadlines: readonly NoticeDeadline[];
    readonly channels: readonly RightsChannel[];
    readonly identityMethods: readonly IdentityMethod[];
    readonly proxies: readonly ProxyKind[];
    readonly fee: Document['rights']['fee'];
  };
  readonly security: Document['security'];
  readonly someCategoriesEncrypted: boolean;
  readonly breach: {
    readonly notifyAuthorityWithin: NoticeClock | undefined;
    readonly notifyPeopleWithin: NoticeClock | undefined;
    readonly notifyPeopleWhen: NotifyPeopleWhen;
    readonly noticeContents: readonly NoticeContent[];
    readonly lockdown: readonly NoticeLockdown[];
    readonly investigation:
      | {
          readonly lead: LocalisedText | undefined;
          readonly isReportRequired: boolean;
          readonly isActionPlanRequired: boolean;
        }
      | undefined;
    readonly accountability: LocalisedText | undefined;
  };
  readonly minors:
    | {
        readonly minimumAccountAge: number;
        readonly guardianConsentBelowAge: number;
        readonly guardianMayActBelowAge: number;
        readonly guardianMay: readonly GuardianPower[];
        readonly onUnderageData: {
          readonly action: 'delete' | 'anonymise';
          readonly within: Duration;
        };
        readonly isAskedAgainAtAge: boolean;
      }
    | undefined;
  readonly childCategories: readonly LocalisedText[];
  readonly marketing:
    | {
        readonly isOptInRequired: boolean;
        readonly channels: readonly MarketingChannel[];
        readonly audienceConsent: LocalisedText | undefined;
        readonly lastEnrollmentWithin: Duration | undefined;
        readonly stopOn: readonly TriggerEvent[];
        readonly unsubscribeScopes: readonly UnsubscribeScope[];
        readonly bulkExportSupervisors: readonly LocalisedText[];
        readonly honoursGpc: boolean;
        readonly children: 'forbidden' | 'guardian-consent';
      }
    | undefined;
  readonly cookies: readonly NoticeCookie[];
  readonly changes: {
    readonly noticeLeadTime: Duration;
    readonly channels: readonly ChangeChannel[];
    readonly reacceptanceRequiredFor: Document['changes']['reacceptance_required_for'];
    readonly continuedUseMeansAcceptance: boolean;
    readonly termsAcceptanceRequiredToEnroll: boolean;
  };
}

function durationOf(text: string): Duration {
  const duration = parseDuration(text);
  if (duration === undefined) {
    // The checker rejects bad durations before a policy compiles; reaching this is a bug.
    throw new Error(`invalid duration "${text}" in a compiled policy`);
  }
  return duration;
}

function clockOf(deadline: BreachDeadline | undefined): NoticeClock | undefined {
  if (deadline === undefined) {
    return undefined;
  }
  return typeof deadline === 'string'
    ? { kind: 'duration', duration: durationOf(deadline) }
    : { kind: 'period', period: deadline };
}

/** Labels of the items of `ids`, in the order given, skipping unknown ids (checked earlier). */
function labelsOf(
  ids: readonly string[],
  lookup: ReadonlyMap<string, { readonly labels: LocalisedText }>,
): LocalisedText[] {
  return ids.flatMap((id) => {
    const item = lookup.get(id);
    return item === undefined ? [] : [item.labels];
  });
}

/** Builds the notice model of a compiled policy. Pure and deterministic. */
export function buildNoticeModel(policy: CompiledPolicy): NoticeModel {
  const document = policy.document;
  const subjects = new Map(document.subjects.map((subject) => [subject.id, subject]));
  const categories = new Map(document.categories.map((category) => [category.id, category]));
  const purposes = new Map(document.purposes.map((purpose) => [purpose.id, purpose]));
  const consents = new Map(document.consents.map((consent) => [consent.id, consent]));
  const roles = new Map(document.access.roles.map((role) => [role.id, role]));

  // Where data may be without a transfer: the organisation's own storage and its laws' lands.
  const home = new Set<string>();
  for (const location of document.organisation.storage_locations) {
    expandTerritory(location.territory).forEach((territory) => home.add(territory));
  }
  for (const jurisdiction of document.organisation.jurisdictions) {
    JURISDICTION_TERRITORIES[jurisdiction].forEach((territory) => home.add(territory));
  }

  const noticeCategories = document.categories.map((category): NoticeCategory => {
    const compiled = policy.categories.get(category.id);
    return {
      id: category.id,
      labels: category.labels,
      description: category.description,
      subjects: labelsOf(category.subjects, subjects),
      fields: category.fields.map((field) => ({ name: field.name, labels: field.labels })),
      sensitivity: category.sensitivity,
      specialKind: category.special_kind,
      isChildren: category.children,
      isEncrypted: compiled?.isEncrypted ?? category.encrypted_at_rest ?? false,
      sources: category.sources.map((source): NoticeSource =>
        typeof source === 'string'
          ? { kind: 'standard', source }
          : {
              kind: 'named',
              name: policy.thirdParties.get(source.third_party)?.name ?? source.third_party,
            },
      ),
    };
  });

  const noticePurposes = document.purposes.map((purpose): NoticePurpose => {
    const bases = document.organisation.jurisdictions.flatMap((jurisdiction) => {
      const basis = purpose.lawful_basis[jurisdiction];
      return basis === undefined ? [] : [{ jurisdiction, basis }];
    });
    const conditions = document.organisation.jurisdictions.flatMap((jurisdiction) => {
      const condition = purpose.special_category_condition?.[jurisdiction];
      return condition === undefined
        ? []
        : [{ jurisdiction, condition: condition.condition, note: condition.note }];
    });
    return {
      id: purpose.id,
      labels: purpose.labels,
      description: purpose.description,
      categories: labelsOf(purpose.categories, categories),
      bases,
      conditions,
      isMarketing: purpose.marketing,
      asksConsentBeyondBasis:
        purpose.requires_consent && !bases.some(({ basis }) => basis.basis === 'consent'),
      isProtected: purpose.protected,
    };
  });

  const noticeConsents = document.consents.map((consent): NoticeConsent => ({
    id: consent.id,
    labels: consent.labels,
    description: consent.description,
    purposes: labelsOf(consent.purposes, purposes),
    form: consent.form,
    givenBy: consent.given_by,
    withdrawal: consent.withdrawal,
    channels: consent.channels ?? [],
    isSeparate: consent.separate,
    paperFormReference: consent.paper_form_reference,
  }));

  const recipients = document.third_parties
    .filter((party) => party.relationship !== 'source-only')
    .map((party): NoticeRecipient => ({
      id: party.id,
      name: party.name,
      relationship: party.relationship,
      service: party.service,
      locations: party.locations,
      // Only a recipient that receives personal data makes a transfer.
      transferLocations:
        party.categories.length === 0
          ? []
          : party.locations.filter((territory) => !home.has(territory)),
      categories: labelsOf(party.categories, categories),
      safeguards: party.safeguards,
      privacyNoticeUrl: party.privacy_notice_url,
    }));

  const retention = document.retention.rules.map((rule): NoticeRetentionRule => {
    const review = rule.review;
    return {
      id: rule.id,
      category: categories.get(rule.category)?.labels ?? { en: rule.category },
      purposes: rule.purposes === undefined ? undefined : labelsOf(rule.purposes, purposes),
      period: durationOf(rule.period),
      trigger: rule.trigger,
      fallbackTrigger: rule.fallback_trigger,
      action: rule.action,
      review:
        review === undefined
          ? undefined
          : {
              ask: review.ask,
              answerWithin: durationOf(review.answer_within),
              extendBy: durationOf(review.on_keep.extend_by),
              onNo: review.on_no,
              onNoAnswer: review.on_no_answer,
            },
      reason: rule.reason,
    };
  });

  const holds = document.retention.legal_holds;
  const breach = document.breach;
  const investigation = breach.investigation;
  const minors = document.minors;
  const marketing = document.marketing;
  const thirdPartyNames = new Map(document.third_parties.map((party) => [party.id, party.name]));

  return {
    organisation: document.organisation,
    texts: document.texts,
    categories: noticeCategories,
    purposes: noticePurposes,
    consents: noticeConsents,
    recipients,
    sellsPersonalData: marketing?.sells_personal_data ?? false,
    retention,
    legalHolds:
      holds === undefined
        ? undefined
        : {
            reasons: holds.reasons.map((reason) => reason.labels),
            maxPeriod: holds.max_period === undefined ? undefined : durationOf(holds.max_period),
          },
    rights: {
      available: document.rights.available,
      deadlines: document.rights.deadlines.map((deadline) => ({
        jurisdiction: deadline.jurisdiction,
        requestKind: deadline.request_kind,
        rights: deadline.rights,
        respondWithin: deadline.respond_within,
        extension: deadline.extension,
      })),
      channels: document.rights.channels,
      identityMethods: document.rights.identity_verification.methods,
      proxies: document.rights.may_act_for_others,
      fee: document.rights.fee,
    },
    security: document.security,
    someCategoriesEncrypted: noticeCategories.some((category) => category.isEncrypted),
    breach: {
      notifyAuthorityWithin: clockOf(breach.notify_authority_within),
      notifyPeopleWithin: clockOf(breach.notify_people_within),
      notifyPeopleWhen: breach.notify_people_when,
      noticeContents: breach.notice_contents,
      lockdown: breach.lockdown.map((action): NoticeLockdown => {
        switch (action.action) {
          case 'suspend-roles':
            return {
              kind: action.action,
              roles: labelsOf(action.roles, roles),
              duration: durationOf(action.for),
            };
          case 'take-offline':
            return {
              kind: action.action,
              systems: action.systems,
              duration: durationOf(action.for),
            };
          case 'revoke-sessions':
            return { kind: action.action, roles: labelsOf(action.roles, roles) };
          case 'freeze-exports':
            return { kind: action.action, duration: durationOf(action.for) };
        }
      }),
      investigation:
        investigation === undefined
          ? undefined
          : {
              lead:
                investigation.lead_title ??
                (investigation.lead_role === undefined
                  ? undefined
                  : roles.get(investigation.lead_role)?.labels),
              isReportRequired: investigation.report_required,
              isActionPlanRequired: investigation.action_plan_required,
            },
      accountability: breach.accountability,
    },
    minors:
      minors === undefined
        ? undefined
        : {
            minimumAccountAge: minors.minimum_account_age,
            guardianConsentBelowAge: minors.guardian_consent_below_age,
            guardianMayActBelowAge: minors.guardian_may_act_below_age,
            guardianMay: minors.guardian_may,
            onUnderageData: {
              action: minors.on_underage_data_found.action,
              within: durationOf(minors.on_underage_data_found.within),
            },
            isAskedAgainAtAge: minors.ask_again_at_age_of_consent,
          },
    childCategories: noticeCategories
      .filter((category) => category.isChildren)
      .map((category) => category.labels),
    marketing:
      marketing === undefined
        ? undefined
        : {
            isOptInRequired: marketing.opt_in_required,
            channels: marketing.channels,
            audienceConsent:
              marketing.audience?.consent === undefined
                ? undefined
                : consents.get(marketing.audience.consent)?.labels,
            lastEnrollmentWithin:
              marketing.audience?.last_enrollment_within === undefined
                ? undefined
                : durationOf(marketing.audience.last_enrollment_within),
            stopOn: marketing.stop_on,
            unsubscribeScopes: marketing.unsubscribe_scopes,
            bulkExportSupervisors: labelsOf(marketing.bulk_export?.supervisor_roles ?? [], roles),
            honoursGpc: marketing.honour_gpc,
            children: marketing.children,
          },
    cookies: document.cookies.map((cookie) => ({
      id: cookie.id,
      labels: cookie.labels,
      purpose: cookie.purpose,
      isStrictlyNecessary: cookie.strictly_necessary,
      isConsentRequired: cookie.consent_required,
      lifetime: cookie.lifetime === 'session' ? 'session' : durationOf(cookie.lifetime),
      setBy: cookie.third_party === undefined ? undefined : thirdPartyNames.get(cookie.third_party),
    })),
    changes: {
      noticeLeadTime: durationOf(document.changes.notice_lead_time),
      channels: document.changes.channels,
      reacceptanceRequiredFor: document.changes.reacceptance_required_for,
      continuedUseMeansAcceptance: document.changes.continued_use_means_acceptance,
      termsAcceptanceRequiredToEnroll: document.changes.terms_acceptance_required_to_enroll,
    },
  };
}

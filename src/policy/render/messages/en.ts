/**
 * The English notice catalogue: every sentence of template text the notice prints. It is the
 * reference catalogue: its type is `Messages`, and the Spanish and French catalogues are typed
 * against it, so a string missing there is a compile error, not a blank in a published notice.
 *
 * Entries are plain strings, records over the policy language's enumerations (checked complete
 * with `satisfies`), or functions of already-rendered words. Organisation text (labels, reasons)
 * is never interpolated into these sentences: the renderer places it beside them, so a passage
 * that falls back to another language stays a separate, visibly marked span.
 */
import type {
  Jurisdiction,
  Language,
  LawfulBasis,
  NoticeSection,
  RightKind,
  TriggerEvent,
} from '../../schema.js';
import type {
  ChangeChannel,
  ChangeKind,
  ConsentForm,
  ConsentGiver,
  DeadlineUnit,
  DurationUnit,
  GuardianPower,
  IdentityMethod,
  LockdownKind,
  MarketingChannel,
  NoticeContent,
  NotifyPeopleWhen,
  RelationshipKind,
  RequestKind,
  RightsChannel,
  ProxyKind,
  Safeguard,
  SpecialCondition,
  SpecialKind,
  StandardSource,
  UnsubscribeScope,
  WithdrawalMethod,
} from '../notice-model.js';

/** Headings of the notice, in the order they appear. */
export type NoticeHeading =
  NoticeSection | 'who-we-are' | 'consents' | 'contact-officer' | 'complaints' | 'deadlines';

export const en = {
  /** BCP 47 tag of the catalogue, printed in `<html lang>`. */
  languageTag: 'en',
  languageNames: { en: 'English', es: 'Spanish', fr: 'French' } satisfies Record<Language, string>,
  /** Plural category of a count: English uses the singular for exactly one. */
  isSingular: (count: number): boolean => count === 1,
  listSeparator: ', ',
  /** Between a label and its value; French puts a non-breaking space before the colon. */
  colon: ': ',
  listAnd: ' and ',
  listOr: ' or ',
  monthNames: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  formatDate: (day: number, month: string, year: number): string => `${day} ${month} ${year}`,
  durationUnits: {
    year: ['year', 'years'],
    month: ['month', 'months'],
    week: ['week', 'weeks'],
    day: ['day', 'days'],
    hour: ['hour', 'hours'],
    minute: ['minute', 'minutes'],
    second: ['second', 'seconds'],
  } satisfies Record<DurationUnit, readonly [string, string]>,
  deadlineUnits: {
    'calendar-days': ['calendar day', 'calendar days'],
    'business-days': ['business day', 'business days'],
    'calendar-months': ['calendar month', 'calendar months'],
  } satisfies Record<DeadlineUnit, readonly [string, string]>,
  /** Regions Intl.DisplayNames does not name, or names in a way a notice should not. */
  territoryNames: {
    EU: 'European Union',
    EEA: 'European Economic Area',
  } as Readonly<Record<string, string>>,
  immediately: 'immediately',
  within: (duration: string): string => `within ${duration}`,
  none: '—',
  yes: 'Yes',
  no: 'No',

  // Document frame -------------------------------------------------------------------------
  title: (organisation: string): string => `Privacy notice: ${organisation}`,
  versionLine: (version: string, date: string): string =>
    `Version ${version}, in effect from ${date}.`,
  validUntil: (date: string): string => `This version is valid until ${date}.`,
  availableIn: (languages: string): string => `This notice is available in ${languages}.`,
  fallbackNote: (languages: string, tags: string): string =>
    `Some passages of this notice have not yet been translated into English. They are shown in ${languages} and marked ${tags}.`,
  fallbackTitle: (language: string): string => `Not yet translated; shown in ${language}`,
  tableOfContents: 'Contents',

  headings: {
    introduction: 'About this notice',
    'who-we-are': 'Who we are',
    collection: 'What information we collect',
    purposes: 'Why we use your information and on what basis',
    consents: 'Your consent and how to withdraw it',
    sharing: 'Who we share your information with',
    transfers: 'Where your information is stored and sent',
    retention: 'How long we keep your information',
    rights: 'Your rights',
    deadlines: 'How quickly we answer',
    complaints: 'How to complain',
    security: 'How we protect your information',
    breach: 'If your information is compromised',
    children: 'Children',
    marketing: 'Marketing',
    cookies: 'Cookies',
    changes: 'Changes to this notice',
    contact: 'How to contact us',
    'contact-officer': 'Our privacy officer',
  } satisfies Record<NoticeHeading, string>,

  // Who we are -----------------------------------------------------------------------------
  controllerSentence: (organisation: string): string =>
    `${organisation} decides how and why your personal information is used, and is responsible for it under the law.`,
  legalName: 'Registered name',
  contactLabels: {
    email: 'E-mail',
    phone: 'Telephone',
    postal_address: 'Post',
    website: 'Website',
  },
  officerLabel: 'Person responsible for data protection',
  lawsIntro: 'We follow these data protection laws:',
  jurisdictionNames: {
    pipeda: 'the Personal Information Protection and Electronic Documents Act (PIPEDA), Canada',
    'uk-gdpr':
      'the UK General Data Protection Regulation (UK GDPR) and the Data Protection Act 2018',
    'eu-gdpr': 'the EU General Data Protection Regulation (GDPR, Regulation (EU) 2016/679)',
    'colombia-1581': 'Colombian Statutory Law 1581 of 2012 and Decree 1377 of 2013',
  } satisfies Record<Jurisdiction, string>,
  jurisdictionShortNames: {
    pipeda: 'PIPEDA (Canada)',
    'uk-gdpr': 'UK GDPR',
    'eu-gdpr': 'EU GDPR',
    'colombia-1581': 'Law 1581 (Colombia)',
  } satisfies Record<Jurisdiction, string>,

  // Collection -----------------------------------------------------------------------------
  collectionIntro:
    'We collect the kinds of information below. For each one we say what it includes, whose information it is and where it comes from.',
  includesLabel: 'What it includes',
  subjectsLabel: 'Whose information',
  sourcesLabel: 'Where it comes from',
  requiredSuffix: '(required)',
  sensitiveNote: 'Sensitive information: we protect it with extra care.',
  specialCategoryNote: (kind: string): string =>
    `Special category information (${kind}): the law gives it extra protection, and we use it only under the conditions stated in the next section.`,
  childrenNote: "Children's information: we handle it with extra care.",
  encryptedNote: 'Encrypted when stored.',
  specialKinds: {
    'racial-or-ethnic-origin': 'racial or ethnic origin',
    'political-opinions': 'political opinions',
    'religious-or-philosophical-beliefs': 'religious or philosophical beliefs',
    'trade-union-membership': 'trade union membership',
    genetic: 'genetic data',
    biometric: 'biometric data',
    health: 'health',
    'sex-life-or-sexual-orientation': 'sex life or sexual orientation',
    'criminal-convictions': 'criminal convictions and offences',
  } satisfies Record<SpecialKind, string>,
  sources: {
    subject: 'you',
    guardian: 'your parent or guardian',
    staff: 'our staff',
    institution: 'the institution you belong to',
    automatic: 'collected automatically when you use our services',
    public: 'publicly available sources',
  } satisfies Record<StandardSource, string>,

  // Purposes -------------------------------------------------------------------------------
  purposesIntro:
    'We use your information only for the purposes below. For each one the law requires a legal reason, called a lawful basis.',
  usesLabel: 'Information used',
  lawfulBasisLabel: 'Lawful basis',
  lawfulBases: {
    consent: 'your consent',
    contract: 'necessary for our contract with you, or for steps you ask us to take before one',
    'legal-obligation': 'necessary to comply with the law',
    'legitimate-interest': 'our legitimate interests',
    'vital-interests': "necessary to protect your life or someone else's",
    'public-task': 'necessary for a task carried out in the public interest',
  } satisfies Record<LawfulBasis['basis'], string>,
  lawLabel: 'Law',
  noteLabel: 'Note',
  interestLabel: 'Our interest',
  balancingLabel: 'Why this is fair to you',
  rightToObject:
    'You may object to this use at any time; we will then stop unless we have compelling grounds that override your interests.',
  specialConditionLabel: 'Condition for special category information',
  specialConditions: {
    'explicit-consent': 'your explicit consent',
    'employment-social-security': 'employment and social security law',
    'vital-interests': "protecting your life or someone else's when consent cannot be given",
    'not-for-profit-body': 'activities of a not-for-profit body, for its members',
    'made-public': 'information you have clearly made public yourself',
    'legal-claims': 'establishing, exercising or defending legal claims',
    'substantial-public-interest': 'a substantial public interest set out in law',
    'health-or-social-care': 'health or social care',
    'public-health': 'public health',
    'archiving-research-statistics': 'archiving, research or statistics, with safeguards',
    'authorised-by-law': 'authorised by law',
  } satisfies Record<SpecialCondition, string>,
  marketingPurposeNote: 'This is direct marketing: you can say no at any time and we stop at once.',
  requiresConsentNote: 'We ask for your consent before we start.',
  protectedPurposeNote:
    'Because the law requires it, we may keep this information even if you ask us to delete it.',

  // Consents -------------------------------------------------------------------------------
  consentsIntro: 'Where we rely on your consent, you choose. These are the consents we ask for:',
  coversLabel: 'Used for',
  givenByLabel: 'Given by',
  consentGivers: {
    subject: 'you',
    guardian: 'your parent or guardian, for a child',
    'institution-attestation': 'your institution, which confirms it holds a parent’s consent',
    'staff-paper-form': 'you, on a paper form that our staff record',
  } satisfies Record<ConsentGiver, string>,
  consentForms: {
    express: 'You give it by a clear, active choice.',
    explicit: 'You give it explicitly, in a clear statement.',
    implied: 'It may be implied from your actions where the law allows.',
  } satisfies Record<ConsentForm, string>,
  separateConsentNote: 'We ask for it separately, never bundled with other terms.',
  paperFormLabel: 'Paper form',
  channelsLabel: 'Channels',
  withdrawLabel: 'How to withdraw it',
  withdrawalMethods: {
    'self-service': 'in your account settings',
    'unsubscribe-link': 'with the unsubscribe link in every message',
    email: 'by e-mail',
    phone: 'by telephone',
    postal: 'by post',
    'web-form': 'through our online form',
    'staff-on-request': 'by asking our staff',
  } satisfies Record<WithdrawalMethod, string>,
  withdrawEffect:
    'Withdrawing consent is as easy as giving it. It does not make unlawful what we did while your consent was in place.',
  marketingChannels: {
    email: 'e-mail',
    sms: 'text message',
    phone: 'telephone',
    post: 'post',
    'social-media': 'social media',
    'in-app': 'messages in our app',
  } satisfies Record<MarketingChannel, string>,

  // Sharing and transfers ------------------------------------------------------------------
  sharingIntro:
    'We share your information only with the organisations below, and only what each of them needs.',
  noSharing: 'We do not share your information with other organisations.',
  recipientHeader: [
    'Recipient',
    'What they do',
    'Their role',
    'Where',
    'Information they receive',
    'Safeguards',
  ],
  relationships: {
    processor: 'Works on our behalf (processor)',
    controller: 'Independent organisation (controller)',
    'joint-controller': 'Decides jointly with us (joint controller)',
    'public-authority': 'Public authority',
    'source-only': 'Source of information only',
  } satisfies Record<RelationshipKind, string>,
  safeguards: {
    dpa: 'data processing agreement',
    scc: 'EU standard contractual clauses',
    'uk-idta': 'UK international data transfer agreement',
    'uk-addendum': 'UK addendum to the standard contractual clauses',
    adequacy: 'adequacy decision',
    bcr: 'binding corporate rules',
    'contractual-protections': 'contractual privacy protections',
    'consent-to-transfer': 'your consent to the transfer',
  } satisfies Record<Safeguard, string>,
  privacyNoticeLink: 'their privacy notice',
  notSold: 'We do not sell your personal information.',
  sold: 'We may sell some personal information. You can tell us not to at any time.',
  storedInIntro: 'We store your information in these places:',
  transfersIntro:
    'These recipients hold or access your information outside the places above. Each transfer is protected as shown:',
  noTransfers: 'Your information is not sent outside the places above.',

  // Retention ------------------------------------------------------------------------------
  retentionIntro:
    'We keep your information only as long as we need it. When the period ends, we delete it or make it anonymous so that it can no longer identify you.',
  retentionHeader: ['Information', 'How long we keep it', 'Why'],
  triggerAfter: {
    collected: 'after collection',
    'account-closed': 'after you close your account',
    'deletion-requested': 'after you ask us to delete it',
    'last-enrollment': 'after your last enrollment',
    'program-ended': 'after the program ends',
    unsubscribed: 'after you unsubscribe',
    'contract-terminated': 'after the contract ends',
    'transaction-date': 'after the transaction',
    'last-activity': 'after your last activity',
    'consent-withdrawn': 'after you withdraw your consent',
    'application-closed': 'after the recruitment process closes',
  } satisfies Record<TriggerEvent, string>,
  triggerUntil: {
    collected: 'only until it has been collected',
    'account-closed': 'until you close your account',
    'deletion-requested': 'until you ask us to delete it',
    'last-enrollment': 'until your last enrollment',
    'program-ended': 'until the program ends',
    unsubscribed: 'until you unsubscribe',
    'contract-terminated': 'until the contract ends',
    'transaction-date': 'until the transaction',
    'last-activity': 'until your last activity',
    'consent-withdrawn': 'until you withdraw your consent',
    'application-closed': 'until the recruitment process closes',
  } satisfies Record<TriggerEvent, string>,
  /** `when` is "5 years after your last enrollment" or "until you close your account". */
  retentionDelete: (when: string): string => `${when}, then deleted.`,
  retentionAnonymise: (when: string): string => `${when}, then anonymised.`,
  retentionAskSubject: (when: string): string => `${when}, then we ask you whether we may keep it.`,
  retentionAskStaff: (when: string): string =>
    `${when}, then our staff review whether it is still needed.`,
  reviewOnNo: {
    delete: 'If you say no, we delete it.',
    anonymise: 'If you say no, we anonymise it.',
  },
  reviewOnNoAnswer: {
    delete: (within: string): string => `If you do not answer ${within}, we delete it.`,
    anonymise: (within: string): string => `If you do not answer ${within}, we anonymise it.`,
    keep: (within: string): string => `If you do not answer ${within}, we keep it.`,
  },
  reviewOnKeep: (duration: string): string =>
    `If you say yes, we keep it for another ${duration} and then ask again.`,
  staffReviewOutcome: (within: string, duration: string): string =>
    `They decide ${within}; if it is still needed it is kept for another ${duration}, otherwise it is removed.`,
  fallbackTrigger: (when: string): string => `If that never happens: ${when}.`,
  appliesToPurposes: 'When held for',
  legalHoldsIntro:
    'We may pause deletion while a legal hold applies to your information, for these reasons only:',
  legalHoldMaximum: (duration: string): string =>
    `A hold ends after ${duration} unless it is renewed.`,

  // Rights ---------------------------------------------------------------------------------
  rightsIntro: 'You have these rights over your personal information:',
  rightNames: {
    access: 'Access',
    portability: 'Portability',
    rectification: 'Correction',
    erasure: 'Deletion',
    restriction: 'Restriction',
    objection: 'Objection',
    'withdraw-consent': 'Withdrawing consent',
    complaint: 'Complaint',
    'automated-decision-review': 'Human review',
  } satisfies Record<RightKind, string>,
  rightDescriptions: {
    access: 'ask for a copy of the information we hold about you.',
    portability:
      'receive the information you gave us in a structured, commonly used format, or have it sent to another organisation.',
    rectification: 'have inaccurate or incomplete information corrected.',
    erasure: 'ask us to delete your information.',
    restriction: 'ask us to limit how we use your information.',
    objection: 'object to uses based on our legitimate interests, and to direct marketing.',
    'withdraw-consent': 'withdraw any consent you have given, at any time.',
    complaint: 'complain to a data protection authority.',
    'automated-decision-review':
      'ask for a person to review a decision made about you only by automated means.',
  } satisfies Record<RightKind, string>,
  deadlinesIntro:
    'We answer within these time limits, counted from the day we receive your request:',
  deadlineHeader: ['Law', 'Requests', 'We answer within', 'Extension'],
  requestKinds: {
    any: 'All requests',
    consultation: 'Consultations',
    claim: 'Claims',
  } satisfies Record<RequestKind, string>,
  extensionBy: (period: string): string => `Up to ${period} more, if needed`,
  extensionReason: 'we give you the reason',
  extensionNotice: 'we tell you before the first period ends',
  noExtension: 'None',
  businessDaysNote: 'Business days do not include weekends or public holidays.',
  calendarMonthNote:
    'A calendar month ends on the same date of the following month, or on its last day if that month is shorter.',
  howToAsk: (channels: string): string =>
    `You can make a request ${channels}. Our contact details are at the end of this notice.`,
  rightsChannels: {
    'self-service': 'in your account settings',
    email: 'by e-mail',
    'web-form': 'through our online form',
    postal: 'by post',
    phone: 'by telephone',
  } satisfies Record<RightsChannel, string>,
  identityCheck: (methods: string): string =>
    `To protect your information, we first check that a request really comes from you: ${methods}.`,
  identityMethods: {
    'authenticated-session': 'you are signed in to your account',
    'email-code': 'you enter a code we send to your e-mail address',
    'document-check': 'you show us an identity document',
  } satisfies Record<IdentityMethod, string>,
  proxiesIntro: 'Someone else may make a request for you:',
  proxies: {
    'guardian-of-minor': 'a parent or guardian, for a child',
    'authorised-agent': 'a person you have authorised',
    'staff-on-behalf': 'our staff, on your instructions',
    institution: 'the institution you belong to',
  } satisfies Record<ProxyKind, string>,
  fees: {
    none: 'Making a request is free.',
    'reasonable-cost-if-excessive':
      'Making a request is usually free. If a request is clearly unfounded or excessive, we may charge a reasonable fee or refuse it, and we will tell you why.',
  },
  complaintsIntro:
    'If you are unhappy with how we handle your information, please tell us first so we can put it right. You can also complain to the data protection authority:',

  // Security and breach --------------------------------------------------------------------
  securityIntro: 'We protect your information with these measures:',
  encryptionInTransit: 'Your information is encrypted when it travels over networks.',
  encryptionAtRest: 'Your information is encrypted when it is stored.',
  encryptionAtRestSensitive: 'Sensitive information is encrypted when it is stored.',
  mfaForStaff: 'Our staff sign in with two-step verification.',
  accessLogging: 'We record who accesses your information and when.',
  tenantIsolation: "Each client organisation's data is kept apart from every other's.",
  needToKnow: 'Only staff who need your information for their work can see it.',
  breachIntro: 'If a security incident puts your information at risk, this is what we do:',
  notifyAuthority: (duration: string): string =>
    `We tell the data protection authority within ${duration} of finding out.`,
  notifyPeople: {
    always: (within: string): string => `We tell you ${within}.`,
    'risk-of-harm': (within: string): string =>
      `If there is a real risk of significant harm to you, we tell you ${within}.`,
    'high-risk': (within: string): string =>
      `If there is a high risk to you, we tell you ${within}.`,
  } satisfies Record<NotifyPeopleWhen, (within: string) => string>,
  withoutUndueDelay: 'without undue delay',
  noticeContentsIntro: 'We tell you:',
  noticeContents: {
    'what-happened': 'what happened',
    'data-involved': 'which information was involved',
    'remedial-steps': 'what we have done about it',
    precautions: 'what you can do to protect yourself',
    contact: 'whom to contact for more information',
  } satisfies Record<NoticeContent, string>,
  lockdownIntro: 'To contain the incident at once:',
  lockdown: {
    'suspend-roles': (duration: string): string => `access suspended for ${duration}`,
    'take-offline': (duration: string): string => `taken offline for ${duration}`,
    'revoke-sessions': (): string => 'every open session is ended',
    'freeze-exports': (duration: string): string => `all data exports stopped for ${duration}`,
  } satisfies Record<LockdownKind, (duration: string) => string>,
  investigation: {
    lead: 'investigates the incident',
    report: 'writes a detailed report',
    actionPlan: 'prepares an action plan so that it does not happen again',
  },
  investigationWithoutLead: 'We investigate every incident',
  accountabilityLabel: 'Responsibility',

  // Children -------------------------------------------------------------------------------
  minimumAge: (age: number): string => `You must be at least ${age} years old to have an account.`,
  noMinimumAge: 'There is no minimum age for an account.',
  guardianConsent: (age: number): string =>
    `For children under ${age}, a parent or guardian gives consent on their behalf.`,
  guardianMayIntro: (age: number): string => `For children under ${age}, a parent or guardian may:`,
  guardianPowers: {
    review: "see the child's information",
    modify: 'have it corrected',
    delete: 'have it deleted',
    consent: 'give consent',
    'withdraw-consent': 'withdraw consent',
    'manage-media-sharing': 'decide whether photos and videos are shared',
    'exercise-rights': "exercise the child's other rights",
  } satisfies Record<GuardianPower, string>,
  underageFound: {
    delete: (age: number, when: string): string =>
      `If we find that we hold information about a child under ${age} without the consent this notice requires, we delete it ${when}.`,
    anonymise: (age: number, when: string): string =>
      `If we find that we hold information about a child under ${age} without the consent this notice requires, we anonymise it ${when}.`,
  },
  askAgainAtAge:
    'When a child reaches the age at which they can consent, we ask them for their own consent.',
  childCategoriesIntro: "We hold these kinds of children's information:",
  childrenMarketing: {
    forbidden: "We never use children's information for marketing.",
    'guardian-consent':
      "We use children's information for marketing only with a parent's or guardian's consent.",
  },

  // Marketing ------------------------------------------------------------------------------
  noMarketing: 'We do not send marketing.',
  marketingOptIn: 'We send marketing only if you have agreed to receive it.',
  marketingOptOut:
    'We may send you marketing about services like those you use; you can say no at any time.',
  marketingChannelsSentence: (channels: string): string => `We may contact you by ${channels}.`,
  marketingConsentLabel: 'The consent we ask for',
  marketingLastEnrollment: (duration: string): string =>
    `We stop sending promotions ${duration} after your last enrollment.`,
  marketingStops: (events: string): string => `We send marketing only ${events}.`,
  unsubscribeScopes: {
    person: 'for yourself',
    family: 'for your whole family',
  } satisfies Record<UnsubscribeScope, string>,
  unsubscribeSentence: (scopes: string): string => `You can unsubscribe ${scopes}.`,
  honourGpc:
    'We treat a Global Privacy Control signal from your browser as a request to stop marketing.',
  bulkExportLabel: 'Exports of marketing lists need the approval of',

  // Cookies --------------------------------------------------------------------------------
  cookiesIntro: 'Cookies are small files stored on your device. We use these:',
  noCookies: 'We do not use cookies.',
  cookieHeader: ['Cookie', 'Purpose', 'Needs your consent', 'Lifetime', 'Set by'],
  strictlyNecessary: 'No: strictly necessary',
  sessionLifetime: 'until you close your browser',
  setByUs: 'us',
  cookieConsentNote:
    'We set cookies that need your consent only after you agree, and you can change your choice at any time.',

  // Changes --------------------------------------------------------------------------------
  changesNotice: (duration: string, channels: string): string =>
    `We tell you about significant changes at least ${duration} before they take effect, by ${channels}.`,
  changeChannels: {
    email: 'e-mail',
    'website-notice': 'a notice on our website',
    'in-app': 'a message in our app',
  } satisfies Record<ChangeChannel, string>,
  reacceptanceIntro: 'We ask for your agreement again before:',
  changeKinds: {
    'new-purpose': 'using your information for a new purpose',
    'new-category': 'collecting a new kind of information',
    'new-special-category': 'collecting a new kind of special category information',
    'changed-lawful-basis': 'changing the lawful basis of a use',
    'longer-retention': 'keeping information for longer',
    'new-recipient': 'sharing with a new recipient',
    'new-transfer': 'sending information to a new country',
    'reduced-rights': 'reducing your rights',
  } satisfies Record<ChangeKind, string>,
  continuedUse:
    'If you keep using our services after a change takes effect, you accept the updated notice.',
  termsToEnroll: 'To enroll, you must accept our Terms and Conditions.',

  // Contact --------------------------------------------------------------------------------
  contactIntro: 'For questions about this notice or to exercise your rights, contact us:',
};

/** The shape every notice catalogue has: English's keys, with any wording. */
export type Messages = typeof en;

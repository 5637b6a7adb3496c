/**
 * `renderNotice`: the privacy notice of a compiled policy, in one language and one format.
 *
 * Three steps, each pure: the language-neutral notice model (notice-model.ts), the notice
 * document in one language (this file), and its Markdown or HTML text (markdown.ts, html.ts).
 *
 * Organisation text missing in the requested language falls back to the policy's default
 * language, then to any language it exists in, and is marked where it appears ("[en]" after it;
 * in HTML also a `lang` attribute), with a note at the top naming the languages shown instead.
 * It is never dropped and never printed empty.
 */
import type { CompiledPolicy } from '../compile.js';
import type { Duration } from '../duration.js';
import { isZeroDuration } from '../duration.js';
import type { Language, LocalisedText, NoticeSection } from '../schema.js';
import { writeHtml } from './html.js';
import { writeMarkdown } from './markdown.js';
import { en, type Messages, type NoticeHeading } from './messages/en.js';
import { es } from './messages/es.js';
import { fr } from './messages/fr.js';
import type { Block, Inline, NoticeDocument } from './notice-document.js';
import { buildNoticeModel, type NoticeClock, type NoticeModel } from './notice-model.js';
import { describeRetentionRule } from './retention-words.js';
import {
  capitalise,
  fieldNameInWords,
  formatDate,
  formatDuration,
  formatPeriod,
  joinWords,
  listJoiners,
  territoryName,
} from './words.js';

/** Output formats of `custodia policy render`. */
export const NOTICE_FORMATS = ['md', 'html'] as const;
export type NoticeFormat = (typeof NOTICE_FORMATS)[number];

/** Every language the notice templates exist in. */
export const NOTICE_LANGUAGES = ['en', 'es', 'fr'] as const satisfies readonly Language[];

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, es, fr };

export interface RenderNoticeOptions {
  /** `md` for Markdown, `html` for a complete standalone HTML document. */
  readonly format: NoticeFormat;
  /** The language of the notice; organisation text missing in it falls back visibly. */
  readonly language: Language;
}

/** Renders the notice of a checked, compiled policy. Deterministic: same input, same text. */
export function renderNotice(policy: CompiledPolicy, options: RenderNoticeOptions): string {
  const document = buildNoticeDocument(buildNoticeModel(policy), options.language);
  return options.format === 'md' ? writeMarkdown(document) : writeHtml(document);
}

/** Field names are English identifiers by convention; unlabelled ones are shown as English. */
const FIELD_NAME_LANGUAGE: Language = 'en';

/** Puts the notice model into one language. */
export function buildNoticeDocument(model: NoticeModel, language: Language): NoticeDocument {
  const messages = MESSAGES[language];
  const organisation = model.organisation;
  const fallbackLanguages = new Set<Language>();
  const fallbackOrder: readonly Language[] = [organisation.default_language, ...NOTICE_LANGUAGES];

  // -- Organisation text ------------------------------------------------------------------
  const localise = (text: LocalisedText | undefined): Inline | undefined => {
    if (text === undefined) {
      return undefined;
    }
    const own = text[language];
    if (own !== undefined) {
      return own;
    }
    for (const candidate of fallbackOrder) {
      const other = text[candidate];
      if (other !== undefined) {
        fallbackLanguages.add(candidate);
        return { kind: 'fallback', text: other, language: candidate };
      }
    }
    return undefined;
  };
  /** A label that must print: an empty label set (the checker refuses it) prints the dash. */
  const label = (text: LocalisedText): Inline => localise(text) ?? messages.none;
  const fieldLabel = (name: string, labels: LocalisedText | undefined): Inline => {
    const labelled = localise(labels);
    if (labelled !== undefined) {
      return labelled;
    }
    const words = fieldNameInWords(name);
    if (language === FIELD_NAME_LANGUAGE) {
      return words;
    }
    fallbackLanguages.add(FIELD_NAME_LANGUAGE);
    return { kind: 'fallback', text: words, language: FIELD_NAME_LANGUAGE };
  };

  // -- Inline helpers ---------------------------------------------------------------------
  /**
   * Joins inline items as a list in a sentence. Neighbouring passages that fell back to the same
   * language merge into one marked run, joined in that language's words, so a list of untranslated
   * field names carries one marker, not one per name.
   */
  const joinInline = (items: readonly Inline[], conjunction: 'and' | 'or'): Inline[] => {
    const texts = items.map((item) =>
      typeof item === 'string' ? item : item.kind === 'fallback' ? item.text : '',
    );
    const joiners = listJoiners(texts, conjunction, messages);
    const result: Inline[] = [];
    items.forEach((item, index) => {
      const isLast = index === items.length - 1;
      const previous = result[result.length - 1];
      if (
        index > 0 &&
        typeof item === 'object' &&
        item.kind === 'fallback' &&
        typeof previous === 'object' &&
        previous.kind === 'fallback' &&
        previous.language === item.language
      ) {
        const theirs = listJoiners(texts, conjunction, MESSAGES[item.language]);
        result[result.length - 1] = {
          kind: 'fallback',
          language: item.language,
          text: `${previous.text}${isLast ? theirs.last : theirs.separator}${item.text}`,
        };
        return;
      }
      if (index > 0) {
        result.push(isLast ? joiners.last : joiners.separator);
      }
      result.push(item);
    });
    return result;
  };
  const labels = (texts: readonly LocalisedText[]): Inline[] =>
    texts.length === 0 ? [messages.none] : joinInline(texts.map(label), 'and');
  const strong = (text: string): Inline => ({ kind: 'strong', content: [text] });
  const labelled = (name: string, content: readonly Inline[]): Inline[] => [
    strong(name),
    messages.colon,
    ...content,
  ];
  const duration = (value: Duration): string => formatDuration(value, messages);
  const clock = (value: NoticeClock): string =>
    value.kind === 'duration'
      ? formatDuration(value.duration, messages)
      : formatPeriod(value.period, messages);
  const within = (value: Duration): string =>
    isZeroDuration(value) ? messages.immediately : messages.within(duration(value));
  const places = (codes: readonly string[]): string =>
    joinWords(
      codes.map((code) => territoryName(code, messages)),
      'and',
      messages,
    );

  const blocks: Block[] = [];
  const heading = (key: NoticeHeading, level: 2 | 3 = 2): void => {
    blocks.push({ kind: 'heading', level, content: [messages.headings[key]] });
  };
  const paragraph = (...content: Inline[]): void => {
    blocks.push({ kind: 'paragraph', content });
  };
  const list = (items: readonly (readonly Inline[])[]): void => {
    if (items.length > 0) {
      blocks.push({ kind: 'list', items });
    }
  };
  /** The organisation's own words for a section, when it gave any. */
  const sectionText = (section: NoticeSection): void => {
    const text = localise(model.texts[section]);
    if (text !== undefined) {
      paragraph(text);
    }
  };
  const contactItems = (contact: (typeof organisation)['contact']): Inline[][] => {
    const items: Inline[][] = [];
    if (contact.email !== undefined) {
      items.push(
        labelled(messages.contactLabels.email, [
          { kind: 'link', href: `mailto:${contact.email}`, text: contact.email },
        ]),
      );
    }
    if (contact.phone !== undefined) {
      items.push(labelled(messages.contactLabels.phone, [contact.phone]));
    }
    if (contact.postal_address !== undefined) {
      const lines = contact.postal_address.split('\n').map((line) => line.trim());
      items.push(
        labelled(
          messages.contactLabels.postal_address,
          lines.flatMap((line, index): Inline[] =>
            index === 0 ? [line] : [{ kind: 'break' }, line],
          ),
        ),
      );
    }
    if (contact.website !== undefined) {
      items.push(
        labelled(messages.contactLabels.website, [
          { kind: 'link', href: contact.website, text: contact.website },
        ]),
      );
    }
    return items;
  };
  const officerItem = (): Inline[] => {
    const officer = organisation.privacy_officer;
    return [
      ...labelled(messages.officerLabel, [label(officer.title)]),
      ...(officer.name === undefined ? [] : [` (${officer.name})`]),
    ];
  };

  // -- Title and introduction ---------------------------------------------------------------
  const title = messages.title(organisation.name);
  const introduction = (): void => {
    paragraph(
      messages.versionLine(
        organisation.policy_version,
        formatDate(organisation.effective_date, messages),
      ),
      ...(organisation.valid_until === undefined
        ? []
        : [' ', messages.validUntil(formatDate(organisation.valid_until, messages))]),
    );
    paragraph(
      messages.availableIn(
        joinWords(
          organisation.notice_languages.map((code) => messages.languageNames[code]),
          'and',
          messages,
        ),
      ),
    );
    sectionText('introduction');
  };

  // -- Who we are ---------------------------------------------------------------------------
  const whoWeAre = (): void => {
    heading('who-we-are');
    paragraph(messages.controllerSentence(organisation.name));
    if (organisation.legal_name !== undefined) {
      paragraph(...labelled(messages.legalName, [organisation.legal_name]));
    }
    list(contactItems(organisation.contact));
    paragraph(...officerItem());
    list(contactItems(organisation.privacy_officer.contact));
    paragraph(messages.lawsIntro);
    list(
      organisation.jurisdictions.map((jurisdiction) => [
        capitalise(messages.jurisdictionNames[jurisdiction]),
      ]),
    );
  };

  // -- Collection ---------------------------------------------------------------------------
  const collection = (): void => {
    heading('collection');
    paragraph(messages.collectionIntro);
    sectionText('collection');
    for (const category of model.categories) {
      blocks.push({ kind: 'heading', level: 3, content: [label(category.labels)] });
      const description = localise(category.description);
      if (description !== undefined) {
        paragraph(description);
      }
      const items: Inline[][] = [
        labelled(
          messages.includesLabel,
          joinInline(
            category.fields.map((field) => fieldLabel(field.name, field.labels)),
            'and',
          ),
        ),
        labelled(messages.subjectsLabel, labels(category.subjects)),
        labelled(
          messages.sourcesLabel,
          joinInline(
            category.sources.map((source) =>
              source.kind === 'standard' ? messages.sources[source.source] : source.name,
            ),
            'and',
          ),
        ),
      ];
      if (category.sensitivity === 'special-category') {
        const kind =
          category.specialKind === undefined ? '' : messages.specialKinds[category.specialKind];
        items.push([strong(messages.specialCategoryNote(kind))]);
      } else if (category.sensitivity === 'sensitive') {
        items.push([strong(messages.sensitiveNote)]);
      }
      if (category.isChildren) {
        items.push([strong(messages.childrenNote)]);
      }
      if (category.isEncrypted) {
        items.push([messages.encryptedNote]);
      }
      list(items);
    }
  };

  // -- Purposes and consents ----------------------------------------------------------------
  const purposes = (): void => {
    heading('purposes');
    paragraph(messages.purposesIntro);
    sectionText('purposes');
    for (const purpose of model.purposes) {
      blocks.push({ kind: 'heading', level: 3, content: [label(purpose.labels)] });
      const description = localise(purpose.description);
      if (description !== undefined) {
        paragraph(description);
      }
      const items: Inline[][] = [labelled(messages.usesLabel, labels(purpose.categories))];
      for (const { jurisdiction, basis } of purpose.bases) {
        const law = messages.jurisdictionShortNames[jurisdiction];
        items.push(
          labelled(`${messages.lawfulBasisLabel} — ${law}`, [
            capitalise(messages.lawfulBases[basis.basis]),
          ]),
        );
        switch (basis.basis) {
          case 'legal-obligation':
            items.push(labelled(messages.lawLabel, [label(basis.law)]));
            break;
          case 'legitimate-interest':
            items.push(labelled(messages.interestLabel, [label(basis.interest)]));
            items.push(labelled(messages.balancingLabel, [label(basis.balancing)]));
            if (basis.right_to_object) {
              items.push([messages.rightToObject]);
            }
            break;
          case 'consent':
          case 'contract':
          case 'vital-interests':
          case 'public-task': {
            const note = localise(basis.note);
            if (note !== undefined) {
              items.push(labelled(messages.noteLabel, [note]));
            }
            break;
          }
        }
      }
      for (const condition of purpose.conditions) {
        const law = messages.jurisdictionShortNames[condition.jurisdiction];
        const note = localise(condition.note);
        items.push(
          labelled(`${messages.specialConditionLabel} — ${law}`, [
            capitalise(messages.specialConditions[condition.condition]),
            ...(note === undefined ? [] : [' (', note, ')']),
          ]),
        );
      }
      if (purpose.isMarketing) {
        items.push([messages.marketingPurposeNote]);
      }
      if (purpose.asksConsentBeyondBasis) {
        items.push([messages.requiresConsentNote]);
      }
      if (purpose.isProtected) {
        items.push([messages.protectedPurposeNote]);
      }
      list(items);
    }
  };

  const consents = (): void => {
    if (model.consents.length === 0) {
      return;
    }
    heading('consents');
    paragraph(messages.consentsIntro);
    for (const consent of model.consents) {
      blocks.push({ kind: 'heading', level: 3, content: [label(consent.labels)] });
      const description = localise(consent.description);
      if (description !== undefined) {
        paragraph(description);
      }
      const items: Inline[][] = [
        labelled(messages.coversLabel, labels(consent.purposes)),
        labelled(messages.givenByLabel, [
          joinWords(
            consent.givenBy.map((giver) => messages.consentGivers[giver]),
            'or',
            messages,
          ),
        ]),
        [messages.consentForms[consent.form]],
      ];
      if (consent.isSeparate) {
        items.push([messages.separateConsentNote]);
      }
      if (consent.channels.length > 0) {
        items.push(
          labelled(messages.channelsLabel, [
            joinWords(
              consent.channels.map((channel) => messages.marketingChannels[channel]),
              'and',
              messages,
            ),
          ]),
        );
      }
      if (consent.paperFormReference !== undefined) {
        items.push(labelled(messages.paperFormLabel, [consent.paperFormReference]));
      }
      items.push(
        labelled(messages.withdrawLabel, [
          joinWords(
            consent.withdrawal.map((method) => messages.withdrawalMethods[method]),
            'or',
            messages,
          ),
        ]),
      );
      list(items);
    }
    paragraph(messages.withdrawEffect);
  };

  // -- Sharing and transfers ----------------------------------------------------------------
  const sharing = (): void => {
    heading('sharing');
    if (model.recipients.length === 0) {
      paragraph(messages.noSharing);
    } else {
      paragraph(messages.sharingIntro);
    }
    sectionText('sharing');
    if (model.recipients.length > 0) {
      blocks.push({
        kind: 'table',
        header: messages.recipientHeader,
        rows: model.recipients.map((recipient) => [
          [
            recipient.name,
            ...(recipient.privacyNoticeUrl === undefined
              ? []
              : [
                  ' (',
                  {
                    kind: 'link' as const,
                    href: recipient.privacyNoticeUrl,
                    text: messages.privacyNoticeLink,
                  },
                  ')',
                ]),
          ],
          [label(recipient.service)],
          [messages.relationships[recipient.relationship]],
          [places(recipient.locations)],
          labels(recipient.categories),
          [
            recipient.safeguards.length === 0
              ? messages.none
              : capitalise(
                  joinWords(
                    recipient.safeguards.map((safeguard) => messages.safeguards[safeguard]),
                    'and',
                    messages,
                  ),
                ),
          ],
        ]),
      });
    }
    paragraph(model.sellsPersonalData ? messages.sold : messages.notSold);
  };

  const transfers = (): void => {
    heading('transfers');
    paragraph(messages.storedInIntro);
    list(
      organisation.storage_locations.map((location) => {
        const description = localise(location.description);
        return [
          territoryName(location.territory, messages),
          ...(description === undefined ? [] : [messages.colon, description]),
        ];
      }),
    );
    sectionText('transfers');
    const transferring = model.recipients.filter(
      (recipient) => recipient.transferLocations.length > 0,
    );
    if (transferring.length === 0) {
      paragraph(messages.noTransfers);
      return;
    }
    paragraph(messages.transfersIntro);
    list(
      transferring.map((recipient) => [
        strong(recipient.name),
        `${messages.colon}${places(recipient.transferLocations)}; `,
        recipient.safeguards.length === 0
          ? messages.none
          : joinWords(
              recipient.safeguards.map((safeguard) => messages.safeguards[safeguard]),
              'and',
              messages,
            ),
      ]),
    );
  };

  // -- Retention ----------------------------------------------------------------------------
  const retention = (): void => {
    heading('retention');
    paragraph(messages.retentionIntro);
    sectionText('retention');
    blocks.push({
      kind: 'table',
      header: messages.retentionHeader,
      rows: model.retention.map((rule) => [
        [
          label(rule.category),
          ...(rule.purposes === undefined
            ? []
            : [
                ' (',
                `${messages.appliesToPurposes}${messages.colon}`,
                ...labels(rule.purposes),
                ')',
              ]),
        ],
        [describeRetentionRule(rule, messages)],
        [label(rule.reason)],
      ]),
    });
    const holds = model.legalHolds;
    if (holds !== undefined) {
      paragraph(messages.legalHoldsIntro);
      list(holds.reasons.map((reason) => [label(reason)]));
      if (holds.maxPeriod !== undefined) {
        paragraph(messages.legalHoldMaximum(duration(holds.maxPeriod)));
      }
    }
  };

  // -- Rights -------------------------------------------------------------------------------
  const rights = (): void => {
    const available = model.rights;
    heading('rights');
    paragraph(messages.rightsIntro);
    list(
      available.available.map((right) =>
        labelled(messages.rightNames[right], [messages.rightDescriptions[right]]),
      ),
    );
    sectionText('rights');
    paragraph(
      messages.howToAsk(
        joinWords(
          available.channels.map((channel) => messages.rightsChannels[channel]),
          'or',
          messages,
        ),
      ),
    );
    paragraph(
      messages.identityCheck(
        joinWords(
          available.identityMethods.map((method) => messages.identityMethods[method]),
          'or',
          messages,
        ),
      ),
    );
    if (available.proxies.length > 0) {
      paragraph(messages.proxiesIntro);
      list(available.proxies.map((proxy) => [capitalise(messages.proxies[proxy])]));
    }
    paragraph(messages.fees[available.fee]);

    heading('deadlines', 3);
    paragraph(messages.deadlinesIntro);
    blocks.push({
      kind: 'table',
      header: messages.deadlineHeader,
      rows: available.deadlines.map((deadline) => {
        const extension = deadline.extension;
        const extensionParts =
          extension === undefined
            ? [messages.noExtension]
            : [
                messages.extensionBy(formatPeriod(extension, messages)),
                ...(extension.reason_required ? [messages.extensionReason] : []),
                ...(extension.notify_person ? [messages.extensionNotice] : []),
              ];
        return [
          [messages.jurisdictionShortNames[deadline.jurisdiction]],
          [
            messages.requestKinds[deadline.requestKind],
            ...(deadline.rights === undefined
              ? []
              : [
                  ` (${joinWords(
                    deadline.rights.map((right) => messages.rightNames[right]),
                    'and',
                    messages,
                  )})`,
                ]),
          ],
          [formatPeriod(deadline.respondWithin, messages)],
          [extensionParts.join('; ')],
        ];
      }),
    });
    const units = new Set(
      available.deadlines.flatMap((deadline) => [
        deadline.respondWithin.unit,
        ...(deadline.extension === undefined ? [] : [deadline.extension.unit]),
      ]),
    );
    if (units.has('business-days')) {
      paragraph(messages.businessDaysNote);
    }
    if (units.has('calendar-months')) {
      paragraph(messages.calendarMonthNote);
    }

    heading('complaints', 3);
    paragraph(messages.complaintsIntro);
    for (const jurisdiction of organisation.jurisdictions) {
      const authority = organisation.supervisory_authorities[jurisdiction];
      if (authority === undefined) {
        continue;
      }
      paragraph(strong(authority.name), ` — ${messages.jurisdictionShortNames[jurisdiction]}`);
      list(contactItems(authority.contact));
    }
  };

  // -- Security and breach --------------------------------------------------------------------
  const security = (): void => {
    const claims = model.security;
    heading('security');
    paragraph(messages.securityIntro);
    const items: Inline[][] = [[messages.needToKnow]];
    if (claims.encryption_in_transit) {
      items.push([messages.encryptionInTransit]);
    }
    if (claims.encryption_at_rest) {
      items.push([messages.encryptionAtRest]);
    } else if (model.someCategoriesEncrypted) {
      items.push([messages.encryptionAtRestSensitive]);
    }
    if (claims.mfa_for_staff) {
      items.push([messages.mfaForStaff]);
    }
    if (claims.access_logging) {
      items.push([messages.accessLogging]);
    }
    if (claims.tenant_isolation) {
      items.push([messages.tenantIsolation]);
    }
    for (const measure of claims.measures) {
      items.push([label(measure)]);
    }
    list(items);
    sectionText('security');
  };

  const breach = (): void => {
    const plan = model.breach;
    heading('breach');
    paragraph(messages.breachIntro);
    const items: Inline[][] = [];
    if (plan.notifyAuthorityWithin !== undefined) {
      items.push([messages.notifyAuthority(clock(plan.notifyAuthorityWithin))]);
    }
    items.push([
      messages.notifyPeople[plan.notifyPeopleWhen](
        plan.notifyPeopleWithin === undefined
          ? messages.withoutUndueDelay
          : messages.within(clock(plan.notifyPeopleWithin)),
      ),
    ]);
    list(items);
    sectionText('breach');
    if (plan.noticeContents.length > 0) {
      paragraph(messages.noticeContentsIntro);
      list(plan.noticeContents.map((content) => [capitalise(messages.noticeContents[content])]));
    }
    if (plan.lockdown.length > 0) {
      paragraph(messages.lockdownIntro);
      list(
        plan.lockdown.map((action): Inline[] => {
          switch (action.kind) {
            case 'suspend-roles':
              return [
                ...labels(action.roles),
                messages.colon,
                messages.lockdown[action.kind](duration(action.duration)),
              ];
            case 'take-offline':
              return [
                label(action.systems),
                messages.colon,
                messages.lockdown[action.kind](duration(action.duration)),
              ];
            case 'revoke-sessions':
              return [...labels(action.roles), messages.colon, messages.lockdown[action.kind]()];
            case 'freeze-exports':
              return [capitalise(messages.lockdown[action.kind](duration(action.duration)))];
          }
        }),
      );
    }
    const investigation = plan.investigation;
    if (investigation !== undefined) {
      const duties = [
        messages.investigation.lead,
        ...(investigation.isReportRequired ? [messages.investigation.report] : []),
        ...(investigation.isActionPlanRequired ? [messages.investigation.actionPlan] : []),
      ];
      const lead = localise(investigation.lead);
      paragraph(
        ...(lead === undefined
          ? [`${messages.investigationWithoutLead}.`]
          : [lead, `${messages.colon}${joinWords(duties, 'and', messages)}.`]),
      );
    }
    const accountability = localise(plan.accountability);
    if (accountability !== undefined) {
      paragraph(...labelled(messages.accountabilityLabel, [accountability]));
    }
  };

  // -- Children, marketing, cookies, changes, contact -----------------------------------------
  const children = (): void => {
    const minors = model.minors;
    if (
      minors === undefined &&
      model.childCategories.length === 0 &&
      model.texts.children === undefined
    ) {
      return;
    }
    heading('children');
    if (minors !== undefined) {
      paragraph(
        minors.minimumAccountAge > 0
          ? messages.minimumAge(minors.minimumAccountAge)
          : messages.noMinimumAge,
      );
      if (minors.guardianConsentBelowAge > 0) {
        paragraph(messages.guardianConsent(minors.guardianConsentBelowAge));
      }
      paragraph(messages.guardianMayIntro(minors.guardianMayActBelowAge));
      list(minors.guardianMay.map((power) => [capitalise(messages.guardianPowers[power])]));
      if (minors.minimumAccountAge > 0) {
        paragraph(
          messages.underageFound[minors.onUnderageData.action](
            minors.minimumAccountAge,
            within(minors.onUnderageData.within),
          ),
        );
      }
      if (minors.isAskedAgainAtAge) {
        paragraph(messages.askAgainAtAge);
      }
    }
    if (model.childCategories.length > 0) {
      paragraph(messages.childCategoriesIntro);
      list(model.childCategories.map((category) => [label(category)]));
      paragraph(messages.childrenMarketing[model.marketing?.children ?? 'forbidden']);
    }
    sectionText('children');
  };

  const marketing = (): void => {
    const plan = model.marketing;
    if (plan === undefined && model.texts.marketing === undefined) {
      return;
    }
    heading('marketing');
    if (plan === undefined || plan.channels.length === 0) {
      paragraph(messages.noMarketing);
    } else {
      paragraph(plan.isOptInRequired ? messages.marketingOptIn : messages.marketingOptOut);
      paragraph(
        messages.marketingChannelsSentence(
          joinWords(
            plan.channels.map((channel) => messages.marketingChannels[channel]),
            'or',
            messages,
          ),
        ),
      );
      const items: Inline[][] = [];
      const consent = localise(plan.audienceConsent);
      if (consent !== undefined) {
        items.push(labelled(messages.marketingConsentLabel, [consent]));
      }
      if (plan.lastEnrollmentWithin !== undefined) {
        items.push([messages.marketingLastEnrollment(duration(plan.lastEnrollmentWithin))]);
      }
      if (plan.stopOn.length > 0) {
        items.push([
          messages.marketingStops(
            joinWords(
              plan.stopOn.map((event) => messages.triggerUntil[event]),
              'or',
              messages,
            ),
          ),
        ]);
      }
      items.push([
        messages.unsubscribeSentence(
          joinWords(
            plan.unsubscribeScopes.map((scope) => messages.unsubscribeScopes[scope]),
            'or',
            messages,
          ),
        ),
      ]);
      if (plan.honoursGpc) {
        items.push([messages.honourGpc]);
      }
      if (plan.bulkExportSupervisors.length > 0) {
        items.push(labelled(messages.bulkExportLabel, labels(plan.bulkExportSupervisors)));
      }
      list(items);
    }
    if (plan !== undefined) {
      paragraph(messages.childrenMarketing[plan.children]);
    }
    sectionText('marketing');
  };

  const cookies = (): void => {
    heading('cookies');
    if (model.cookies.length === 0) {
      paragraph(messages.noCookies);
    } else {
      paragraph(messages.cookiesIntro);
      blocks.push({
        kind: 'table',
        header: messages.cookieHeader,
        rows: model.cookies.map((cookie) => [
          [label(cookie.labels)],
          [label(cookie.purpose)],
          [
            cookie.isConsentRequired
              ? messages.yes
              : cookie.isStrictlyNecessary
                ? messages.strictlyNecessary
                : messages.no,
          ],
          [
            capitalise(
              cookie.lifetime === 'session' ? messages.sessionLifetime : duration(cookie.lifetime),
            ),
          ],
          [cookie.setBy ?? capitalise(messages.setByUs)],
        ]),
      });
      if (model.cookies.some((cookie) => cookie.isConsentRequired)) {
        paragraph(messages.cookieConsentNote);
      }
    }
    sectionText('cookies');
  };

  const changes = (): void => {
    const plan = model.changes;
    heading('changes');
    paragraph(
      messages.changesNotice(
        duration(plan.noticeLeadTime),
        joinWords(
          plan.channels.map((channel) => messages.changeChannels[channel]),
          'and',
          messages,
        ),
      ),
    );
    if (plan.reacceptanceRequiredFor.length > 0) {
      paragraph(messages.reacceptanceIntro);
      list(plan.reacceptanceRequiredFor.map((kind) => [capitalise(messages.changeKinds[kind])]));
    }
    if (plan.continuedUseMeansAcceptance) {
      paragraph(messages.continuedUse);
    }
    if (plan.termsAcceptanceRequiredToEnroll) {
      paragraph(messages.termsToEnroll);
    }
    sectionText('changes');
  };

  const contact = (): void => {
    heading('contact');
    paragraph(messages.contactIntro);
    list(contactItems(organisation.contact));
    paragraph(...officerItem());
    list(contactItems(organisation.privacy_officer.contact));
    sectionText('contact');
  };

  introduction();
  whoWeAre();
  collection();
  purposes();
  consents();
  sharing();
  transfers();
  retention();
  rights();
  security();
  breach();
  children();
  marketing();
  cookies();
  changes();
  contact();

  // The note goes first, so nobody reads an untranslated passage without knowing why.
  const shown = NOTICE_LANGUAGES.filter((code) => code !== language && fallbackLanguages.has(code));
  const note: Block[] =
    shown.length === 0
      ? []
      : [
          {
            kind: 'note',
            content: [
              messages.fallbackNote(
                joinWords(
                  shown.map((code) => messages.languageNames[code]),
                  'and',
                  messages,
                ),
                joinWords(
                  shown.map((code) => `[${code}]`),
                  'and',
                  messages,
                ),
              ),
            ],
          },
        ];
  const fallbackTitles: Partial<Record<Language, string>> = {};
  for (const code of shown) {
    fallbackTitles[code] = messages.fallbackTitle(messages.languageNames[code]);
  }
  return {
    language,
    title,
    fallbackTitles,
    blocks: [{ kind: 'heading', level: 1, content: [title] }, ...note, ...blocks],
  };
}

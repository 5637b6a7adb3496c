/**
 * `diffPolicies`: the material changes between two versions of a policy, each classified
 * `significant` (people must be told before it applies and may have to accept again) or `minor`
 * (worth a changelog line), with the reason. Later issues notify people from this output, so its
 * JSON shape is the zod schema below, versioned.
 *
 * The rule of thumb, applied case by case: a change that lets the organisation do more with
 * personal data, keep it longer, show it to more parties, send it further, or that weakens a
 * protection or a right, is significant; a change that does less, protects more, or only
 * rewords, is minor. GDPR Art. 13(3) and 14(4), PIPEDA principle 4.2.4 and Decree 1377 Art. 5
 * require notice before a new or changed purpose; the EDPB transparency guidelines (WP260 rev.01
 * §29–33) list the kinds of change to treat as fundamental, which this table follows.
 */
import { z } from 'zod';
import type { CompiledPolicy } from './compile.js';
import {
  compareDurations,
  longestCalendarDays,
  parseDuration,
  type LegalPeriod,
} from './duration.js';
import { expandTerritory, JURISDICTION_TERRITORIES } from './jurisdictions.js';
import type { Anonymisation, LocalisedText, PolicyDocument } from './schema.js';
import { ChangeKind as NoticeChangeKind } from './schema.js';

export const ChangeSeverity = z.enum(['significant', 'minor']);
export type ChangeSeverity = z.infer<typeof ChangeSeverity>;

/** Every kind of change the diff reports. Tests cover each one. */
/** How much of a field anonymisation keeps: more detail left is a weaker anonymisation. */
const ANONYMISATION_DETAIL: Readonly<Record<Anonymisation, number>> = {
  remove: 0,
  year: 1,
  network: 1,
  month: 2,
  keep: 3,
};

export const PolicyChangeKind = z.enum([
  'purpose-added',
  'purpose-removed',
  'purpose-categories-changed',
  'purpose-marketing-changed',
  'lawful-basis-changed',
  'special-condition-changed',
  'category-added',
  'category-removed',
  'category-fields-changed',
  'sensitivity-changed',
  'encryption-changed',
  'category-sources-changed',
  'consent-added',
  'consent-removed',
  'consent-scope-changed',
  'consent-withdrawal-changed',
  'retention-rule-added',
  'retention-rule-removed',
  'retention-longer',
  'retention-shorter',
  'retention-trigger-changed',
  'retention-action-changed',
  'anonymisation-changed',
  'third-party-added',
  'third-party-removed',
  'third-party-role-changed',
  'third-party-categories-changed',
  'third-party-location-changed',
  'safeguard-changed',
  'transfer-added',
  'transfer-removed',
  'storage-location-changed',
  'right-added',
  'right-removed',
  'rights-deadline-changed',
  'breach-deadline-changed',
  'minors-age-changed',
  'guardian-powers-changed',
  'marketing-changed',
  'cookie-added',
  'cookie-removed',
  'cookie-changed',
  'security-changed',
  'notice-lead-time-changed',
  'wording-changed',
]);
export type PolicyChangeKind = z.infer<typeof PolicyChangeKind>;

export const PolicyChange = z
  .object({
    kind: PolicyChangeKind,
    severity: ChangeSeverity,
    /** Where in the policy, by ids: `purposes[marketing].lawful_basis.uk-gdpr`. */
    path: z.string(),
    /** The old value in short; null when it did not exist. */
    before: z.string().nullable(),
    /** The new value in short; null when it no longer exists. */
    after: z.string().nullable(),
    /** Why this classification, in a sentence for the privacy officer. */
    reason: z.string(),
    /** The notice's kind of change (`changes.reacceptance_required_for`), if it is one. */
    notice_kind: NoticeChangeKind.nullable(),
    /** True when the new policy asks people to accept this kind of change again. */
    requires_reacceptance: z.boolean(),
  })
  .strict();
export type PolicyChange = z.infer<typeof PolicyChange>;

export const PolicyDiff = z
  .object({
    format: z.literal('custodia-policy-diff'),
    format_version: z.literal(1),
    old_version: z.string(),
    new_version: z.string(),
    /** True when at least one change is significant (the CLI then exits 1). */
    has_significant: z.boolean(),
    changes: z.array(PolicyChange),
  })
  .strict()
  .describe('The material changes between two versions of a Custodia policy.');
export type PolicyDiff = z.infer<typeof PolicyDiff>;

type Document = PolicyDocument;
type NoticeChange = z.infer<typeof NoticeChangeKind>;

function labelOf(text: LocalisedText | undefined, document: Document): string {
  if (text === undefined) {
    return '';
  }
  return text[document.organisation.default_language] ?? text.en ?? text.es ?? text.fr ?? '';
}

function byId<T extends { readonly id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}

function added(before: readonly string[], after: readonly string[]): string[] {
  const old = new Set(before);
  return after.filter((item) => !old.has(item));
}

function removed(before: readonly string[], after: readonly string[]): string[] {
  return added(after, before);
}

function sameText(left: LocalisedText | undefined, right: LocalisedText | undefined): boolean {
  return JSON.stringify(left ?? {}) === JSON.stringify(right ?? {});
}

function periodText(period: LegalPeriod): string {
  return `${period.amount} ${period.unit}`;
}

function homeOf(document: Document): Set<string> {
  const home = new Set<string>();
  for (const location of document.organisation.storage_locations) {
    expandTerritory(location.territory).forEach((territory) => home.add(territory));
  }
  for (const jurisdiction of document.organisation.jurisdictions) {
    JURISDICTION_TERRITORIES[jurisdiction].forEach((territory) => home.add(territory));
  }
  return home;
}

const SENSITIVITY_RANK = { ordinary: 0, sensitive: 1, 'special-category': 2 } as const;
/** How much of the data an end action removes: deleting removes most, a review may keep it. */
const ACTION_STRENGTH = { delete: 2, anonymise: 1, review: 0 } as const;

/** Compares two breach clocks (ISO durations or legal periods) by their longest extent. */
function breachClockDays(clock: Document['breach']['notify_authority_within']): number | undefined {
  if (clock === undefined) {
    return undefined;
  }
  if (typeof clock !== 'string') {
    return longestCalendarDays(clock);
  }
  const duration = parseDuration(clock);
  if (duration === undefined) {
    return undefined;
  }
  return (
    duration.years * 366 +
    duration.months * 31 +
    duration.weeks * 7 +
    duration.days +
    duration.hours / 24 +
    duration.minutes / 1_440 +
    duration.seconds / 86_400
  );
}

function clockText(clock: Document['breach']['notify_authority_within']): string | null {
  if (clock === undefined) {
    return null;
  }
  return typeof clock === 'string' ? clock : periodText(clock);
}

/** Diffs two checked, compiled versions of a policy. Pure and deterministic. */
export function diffPolicies(oldPolicy: CompiledPolicy, newPolicy: CompiledPolicy): PolicyDiff {
  const before = oldPolicy.document;
  const after = newPolicy.document;
  const reacceptance = new Set<NoticeChange>(after.changes.reacceptance_required_for);
  const changes: PolicyChange[] = [];
  const report = (
    kind: PolicyChangeKind,
    severity: ChangeSeverity,
    path: string,
    old: string | null,
    now: string | null,
    reason: string,
    noticeKind: NoticeChange | null = null,
  ): void => {
    changes.push({
      kind,
      severity,
      path,
      before: old,
      after: now,
      reason,
      notice_kind: noticeKind,
      requires_reacceptance: noticeKind !== null && reacceptance.has(noticeKind),
    });
  };
  /**
   * Reports a set that grew or shrank. `worse` says which direction weakens people's position:
   * usually gaining items (more data, more recipients), sometimes losing them (ways to withdraw
   * consent, rights, guardians' powers). The worse direction is significant, the other minor.
   */
  const setChange = (
    kind: PolicyChangeKind | { readonly gained: PolicyChangeKind; readonly lost: PolicyChangeKind },
    path: string,
    old: readonly string[],
    now: readonly string[],
    options: {
      readonly worse: 'gained' | 'lost';
      readonly gainedReason: string;
      readonly lostReason: string;
      readonly noticeKind?: NoticeChange;
    },
  ): void => {
    const kinds = typeof kind === 'string' ? { gained: kind, lost: kind } : kind;
    const gained = added(old, now);
    const lost = removed(old, now);
    if (gained.length > 0) {
      const isWorse = options.worse === 'gained';
      report(
        kinds.gained,
        isWorse ? 'significant' : 'minor',
        path,
        list(old),
        list(now),
        `${options.gainedReason}: ${list(gained)}`,
        isWorse ? (options.noticeKind ?? null) : null,
      );
    }
    if (lost.length > 0) {
      const isWorse = options.worse === 'lost';
      report(
        kinds.lost,
        isWorse ? 'significant' : 'minor',
        path,
        list(old),
        list(now),
        `${options.lostReason}: ${list(lost)}`,
        isWorse ? (options.noticeKind ?? null) : null,
      );
    }
  };
  const widerOrNarrower = (
    kind: PolicyChangeKind,
    path: string,
    old: readonly string[],
    now: readonly string[],
    gainedReason: string,
    lostReason: string,
    noticeKind?: NoticeChange,
  ): void => {
    setChange(kind, path, old, now, {
      worse: 'gained',
      gainedReason,
      lostReason,
      ...(noticeKind === undefined ? {} : { noticeKind }),
    });
  };

  // -- Purposes -------------------------------------------------------------------------------
  const oldPurposes = byId(before.purposes);
  const newPurposes = byId(after.purposes);
  for (const purpose of after.purposes) {
    const path = `purposes[${purpose.id}]`;
    const old = oldPurposes.get(purpose.id);
    if (old === undefined) {
      report(
        'purpose-added',
        'significant',
        path,
        null,
        labelOf(purpose.labels, after),
        'a new purpose: people must be told before processing for it starts',
        'new-purpose',
      );
      continue;
    }
    widerOrNarrower(
      'purpose-categories-changed',
      `${path}.categories`,
      old.categories,
      purpose.categories,
      'the purpose now uses more kinds of data',
      'the purpose uses fewer kinds of data',
      'new-purpose',
    );
    if (old.marketing !== purpose.marketing) {
      report(
        'purpose-marketing-changed',
        purpose.marketing ? 'significant' : 'minor',
        `${path}.marketing`,
        String(old.marketing),
        String(purpose.marketing),
        purpose.marketing
          ? 'the purpose becomes direct marketing'
          : 'the purpose is no longer direct marketing',
      );
    }
    const jurisdictions = [
      ...new Set([...Object.keys(old.lawful_basis), ...Object.keys(purpose.lawful_basis)]),
    ].sort() as (keyof typeof purpose.lawful_basis)[];
    for (const jurisdiction of jurisdictions) {
      const oldBasis = old.lawful_basis[jurisdiction];
      const newBasis = purpose.lawful_basis[jurisdiction];
      const basisPath = `${path}.lawful_basis.${jurisdiction}`;
      if (oldBasis?.basis !== newBasis?.basis) {
        report(
          'lawful-basis-changed',
          'significant',
          basisPath,
          oldBasis?.basis ?? null,
          newBasis?.basis ?? null,
          'a changed lawful basis changes which rights apply; people must be told',
          'changed-lawful-basis',
        );
      } else if (JSON.stringify(oldBasis) !== JSON.stringify(newBasis)) {
        report(
          'wording-changed',
          'minor',
          basisPath,
          null,
          null,
          'the explanation of the lawful basis was reworded; the basis is the same',
        );
      }
      const oldCondition = old.special_category_condition?.[jurisdiction]?.condition;
      const newCondition = purpose.special_category_condition?.[jurisdiction]?.condition;
      if (oldCondition !== newCondition) {
        report(
          'special-condition-changed',
          'significant',
          `${path}.special_category_condition.${jurisdiction}`,
          oldCondition ?? null,
          newCondition ?? null,
          'the Art. 9 condition for special category data changed',
          'changed-lawful-basis',
        );
      }
    }
    if (!sameText(old.labels, purpose.labels) || !sameText(old.description, purpose.description)) {
      report(
        'wording-changed',
        'minor',
        `${path}.labels`,
        labelOf(old.labels, before),
        labelOf(purpose.labels, after),
        'the purpose is worded differently; what it does is unchanged',
      );
    }
  }
  for (const purpose of before.purposes) {
    if (!newPurposes.has(purpose.id)) {
      report(
        'purpose-removed',
        'minor',
        `purposes[${purpose.id}]`,
        labelOf(purpose.labels, before),
        null,
        'a purpose is dropped: less processing',
      );
    }
  }

  // -- Categories -----------------------------------------------------------------------------
  const oldCategories = byId(before.categories);
  const newCategories = byId(after.categories);
  for (const category of after.categories) {
    const path = `categories[${category.id}]`;
    const old = oldCategories.get(category.id);
    if (old === undefined) {
      const isSpecial = category.sensitivity === 'special-category';
      report(
        'category-added',
        'significant',
        path,
        null,
        labelOf(category.labels, after),
        isSpecial
          ? 'a new kind of special category data is collected'
          : 'a new kind of data is collected',
        isSpecial ? 'new-special-category' : 'new-category',
      );
      continue;
    }
    widerOrNarrower(
      'category-fields-changed',
      `${path}.fields`,
      old.fields.map((field) => field.name),
      category.fields.map((field) => field.name),
      'more data is collected in this category',
      'less data is collected in this category',
      'new-category',
    );
    for (const field of category.fields) {
      const before = old.fields.find((candidate) => candidate.name === field.name);
      const from = before?.anonymise ?? 'remove';
      const to = field.anonymise ?? 'remove';
      if (before === undefined || from === to) {
        continue;
      }
      const keepsMore = ANONYMISATION_DETAIL[to] > ANONYMISATION_DETAIL[from];
      report(
        'anonymisation-changed',
        keepsMore ? 'significant' : 'minor',
        `${path}.fields.${field.name}.anonymise`,
        from,
        to,
        keepsMore
          ? 'anonymisation keeps more of this field'
          : 'anonymisation keeps less of this field',
        keepsMore ? 'longer-retention' : null,
      );
    }
    const oldRank = SENSITIVITY_RANK[old.sensitivity];
    const newRank = SENSITIVITY_RANK[category.sensitivity];
    if (oldRank !== newRank || old.special_kind !== category.special_kind) {
      const isWeaker = newRank < oldRank;
      report(
        'sensitivity-changed',
        isWeaker || (newRank === oldRank && newRank === 2) ? 'significant' : 'minor',
        `${path}.sensitivity`,
        [old.sensitivity, old.special_kind].filter(Boolean).join(' '),
        [category.sensitivity, category.special_kind].filter(Boolean).join(' '),
        isWeaker
          ? 'the data is treated as less sensitive, so it loses protection'
          : newRank === oldRank
            ? 'the data is declared a different special category'
            : 'the data is treated as more sensitive and gains protection',
        newRank === 2 && oldRank < 2 ? 'new-special-category' : null,
      );
    }
    const wasEncrypted = oldPolicy.categories.get(category.id)?.isEncrypted ?? false;
    const isEncrypted = newPolicy.categories.get(category.id)?.isEncrypted ?? false;
    if (wasEncrypted !== isEncrypted) {
      report(
        'encryption-changed',
        isEncrypted ? 'minor' : 'significant',
        `${path}.encrypted_at_rest`,
        String(wasEncrypted),
        String(isEncrypted),
        isEncrypted
          ? 'the data is now encrypted at rest'
          : 'the data is no longer encrypted at rest',
      );
    }
    const sources = (document: typeof category): string[] =>
      document.sources.map((source) =>
        typeof source === 'string' ? source : `third-party:${source.third_party}`,
      );
    widerOrNarrower(
      'category-sources-changed',
      `${path}.sources`,
      sources(old),
      sources(category),
      'the data now also comes from',
      'the data no longer comes from',
    );
    if (
      !sameText(old.labels, category.labels) ||
      !sameText(old.description, category.description)
    ) {
      report(
        'wording-changed',
        'minor',
        `${path}.labels`,
        labelOf(old.labels, before),
        labelOf(category.labels, after),
        'the category is worded differently; the data is unchanged',
      );
    }
  }
  for (const category of before.categories) {
    if (!newCategories.has(category.id)) {
      report(
        'category-removed',
        'minor',
        `categories[${category.id}]`,
        labelOf(category.labels, before),
        null,
        'a kind of data is no longer collected',
      );
    }
  }

  // -- Consents -------------------------------------------------------------------------------
  const oldConsents = byId(before.consents);
  const newConsents = byId(after.consents);
  for (const consent of after.consents) {
    const path = `consents[${consent.id}]`;
    const old = oldConsents.get(consent.id);
    if (old === undefined) {
      report(
        'consent-added',
        'significant',
        path,
        null,
        labelOf(consent.labels, after),
        'a new consent is asked for; people must be asked before it applies',
      );
      continue;
    }
    widerOrNarrower(
      'consent-scope-changed',
      `${path}.purposes`,
      old.purposes,
      consent.purposes,
      'the consent now covers more purposes, so it must be asked again',
      'the consent covers fewer purposes',
      'new-purpose',
    );
    setChange(
      'consent-withdrawal-changed',
      `${path}.withdrawal`,
      old.withdrawal,
      consent.withdrawal,
      {
        worse: 'lost',
        gainedReason: 'more ways to withdraw consent',
        lostReason: 'fewer ways to withdraw consent (GDPR Art. 7(3): as easy as giving it)',
      },
    );
    if (!sameText(old.labels, consent.labels)) {
      report(
        'wording-changed',
        'minor',
        `${path}.labels`,
        labelOf(old.labels, before),
        labelOf(consent.labels, after),
        'the consent is worded differently',
      );
    }
  }
  for (const consent of before.consents) {
    if (!newConsents.has(consent.id)) {
      report(
        'consent-removed',
        'minor',
        `consents[${consent.id}]`,
        labelOf(consent.labels, before),
        null,
        'a consent is no longer asked for',
      );
    }
  }

  // -- Retention ------------------------------------------------------------------------------
  const oldRules = byId(before.retention.rules);
  const newRules = byId(after.retention.rules);
  for (const rule of after.retention.rules) {
    const path = `retention.rules[${rule.id}]`;
    const old = oldRules.get(rule.id);
    if (old === undefined) {
      report(
        'retention-rule-added',
        'minor',
        path,
        null,
        `${rule.category}: ${rule.period} after ${rule.trigger}, ${rule.action}`,
        'a new retention limit',
      );
      continue;
    }
    const oldPeriod = parseDuration(old.period);
    const newPeriod = parseDuration(rule.period);
    if (oldPeriod !== undefined && newPeriod !== undefined) {
      const comparison = compareDurations(newPeriod, oldPeriod);
      if (comparison === 'longer' || comparison === 'depends-on-date') {
        report(
          'retention-longer',
          'significant',
          `${path}.period`,
          old.period,
          rule.period,
          comparison === 'longer'
            ? 'data is kept longer'
            : 'data may be kept longer from some dates (the periods differ on the calendar)',
          'longer-retention',
        );
      } else if (comparison === 'shorter') {
        report(
          'retention-shorter',
          'minor',
          `${path}.period`,
          old.period,
          rule.period,
          'data is kept for less time',
        );
      }
    }
    if (old.trigger !== rule.trigger || old.fallback_trigger !== rule.fallback_trigger) {
      report(
        'retention-trigger-changed',
        'significant',
        `${path}.trigger`,
        [old.trigger, old.fallback_trigger].filter(Boolean).join(' / '),
        [rule.trigger, rule.fallback_trigger].filter(Boolean).join(' / '),
        'the period counts from a different event, so data may be kept longer',
        'longer-retention',
      );
    }
    if (old.action !== rule.action) {
      const isWeaker = ACTION_STRENGTH[rule.action] < ACTION_STRENGTH[old.action];
      report(
        'retention-action-changed',
        isWeaker ? 'significant' : 'minor',
        `${path}.action`,
        old.action,
        rule.action,
        isWeaker ? 'less is removed when the period ends' : 'more is removed when the period ends',
        isWeaker ? 'longer-retention' : null,
      );
    } else if (JSON.stringify(old.review) !== JSON.stringify(rule.review)) {
      report(
        'retention-action-changed',
        'significant',
        `${path}.review`,
        null,
        null,
        'the review that decides whether data is kept has changed',
        'longer-retention',
      );
    }
  }
  for (const rule of before.retention.rules) {
    if (!newRules.has(rule.id)) {
      report(
        'retention-rule-removed',
        'significant',
        `retention.rules[${rule.id}]`,
        `${rule.category}: ${rule.period} after ${rule.trigger}, ${rule.action}`,
        null,
        'a retention limit is removed, so data may be kept longer',
        'longer-retention',
      );
    }
  }

  // -- Third parties, transfers, storage ----------------------------------------------------------
  const oldHome = homeOf(before);
  const newHome = homeOf(after);
  const oldParties = byId(before.third_parties);
  const newParties = byId(after.third_parties);
  const transfersOf = (party: Document['third_parties'][number], home: Set<string>): string[] =>
    party.categories.length === 0
      ? []
      : party.locations.filter((territory) => !home.has(territory));
  for (const party of after.third_parties) {
    const path = `third_parties[${party.id}]`;
    const old = oldParties.get(party.id);
    const newTransfers = transfersOf(party, newHome);
    if (old === undefined) {
      if (party.relationship !== 'source-only') {
        report(
          'third-party-added',
          'significant',
          path,
          null,
          party.name,
          'data is shared with a new recipient',
          'new-recipient',
        );
        if (newTransfers.length > 0) {
          report(
            'transfer-added',
            'significant',
            `${path}.locations`,
            null,
            list(newTransfers),
            'data is sent to a new country outside the organisation’s own',
            'new-transfer',
          );
        }
      }
      continue;
    }
    if (old.relationship !== party.relationship) {
      report(
        'third-party-role-changed',
        'significant',
        `${path}.relationship`,
        old.relationship,
        party.relationship,
        'the recipient’s role changed (e.g. a processor now decides for itself)',
        'new-recipient',
      );
    }
    widerOrNarrower(
      'third-party-categories-changed',
      `${path}.categories`,
      old.categories,
      party.categories,
      'the recipient now receives more kinds of data',
      'the recipient receives fewer kinds of data',
      'new-recipient',
    );
    const oldTransfers = transfersOf(old, oldHome);
    const gainedTransfers = added(oldTransfers, newTransfers);
    const lostTransfers = removed(oldTransfers, newTransfers);
    if (gainedTransfers.length > 0) {
      report(
        'transfer-added',
        'significant',
        `${path}.locations`,
        list(oldTransfers),
        list(newTransfers),
        `data is sent to a new country: ${list(gainedTransfers)}`,
        'new-transfer',
      );
    } else if (lostTransfers.length > 0) {
      report(
        'transfer-removed',
        'minor',
        `${path}.locations`,
        list(oldTransfers),
        list(newTransfers),
        `data is no longer sent to ${list(lostTransfers)}`,
      );
    } else {
      widerOrNarrower(
        'third-party-location-changed',
        `${path}.locations`,
        old.locations,
        party.locations,
        'the recipient holds data in more places',
        'the recipient holds data in fewer places',
      );
    }
    const lostSafeguards = removed(old.safeguards, party.safeguards);
    const gainedSafeguards = added(old.safeguards, party.safeguards);
    if (lostSafeguards.length > 0) {
      report(
        'safeguard-changed',
        'significant',
        `${path}.safeguards`,
        list(old.safeguards),
        list(party.safeguards),
        `a weaker safeguard: ${list(lostSafeguards)} no longer applies`,
        newTransfers.length > 0 ? 'new-transfer' : null,
      );
    } else if (gainedSafeguards.length > 0) {
      report(
        'safeguard-changed',
        'minor',
        `${path}.safeguards`,
        list(old.safeguards),
        list(party.safeguards),
        `a stronger safeguard: ${list(gainedSafeguards)} added`,
      );
    }
    if (old.name !== party.name || !sameText(old.service, party.service)) {
      report(
        'wording-changed',
        'minor',
        `${path}.service`,
        old.name,
        party.name,
        'the recipient is named or described differently',
      );
    }
  }
  for (const party of before.third_parties) {
    if (!newParties.has(party.id) && party.relationship !== 'source-only') {
      report(
        'third-party-removed',
        'minor',
        `third_parties[${party.id}]`,
        party.name,
        null,
        'data is no longer shared with this recipient',
      );
    }
  }
  widerOrNarrower(
    'storage-location-changed',
    'organisation.storage_locations',
    before.organisation.storage_locations.map((location) => location.territory),
    after.organisation.storage_locations.map((location) => location.territory),
    'the organisation stores data in a new place',
    'the organisation stores data in fewer places',
    'new-transfer',
  );

  // -- Rights and breach ----------------------------------------------------------------------
  setChange(
    { gained: 'right-added', lost: 'right-removed' },
    'rights.available',
    before.rights.available,
    after.rights.available,
    {
      worse: 'lost',
      gainedReason: 'a right is added',
      lostReason: 'a right is no longer offered',
      noticeKind: 'reduced-rights',
    },
  );
  const deadlineKey = (deadline: Document['rights']['deadlines'][number]): string =>
    `${deadline.jurisdiction}/${deadline.request_kind}/${(deadline.rights ?? ['all']).join('+')}`;
  const oldDeadlines = new Map(
    before.rights.deadlines.map((deadline) => [deadlineKey(deadline), deadline]),
  );
  for (const deadline of after.rights.deadlines) {
    const key = deadlineKey(deadline);
    const old = oldDeadlines.get(key);
    if (old === undefined) {
      continue;
    }
    const oldDays =
      longestCalendarDays(old.respond_within) +
      (old.extension === undefined ? 0 : longestCalendarDays(old.extension));
    const newDays =
      longestCalendarDays(deadline.respond_within) +
      (deadline.extension === undefined ? 0 : longestCalendarDays(deadline.extension));
    const oldText = `${periodText(old.respond_within)}${old.extension === undefined ? '' : ` + ${periodText(old.extension)}`}`;
    const newText = `${periodText(deadline.respond_within)}${deadline.extension === undefined ? '' : ` + ${periodText(deadline.extension)}`}`;
    if (oldText !== newText) {
      const isSlower = newDays > oldDays;
      report(
        'rights-deadline-changed',
        isSlower ? 'significant' : 'minor',
        `rights.deadlines[${key}]`,
        oldText,
        newText,
        isSlower ? 'requests may be answered later' : 'requests are answered sooner',
        isSlower ? 'reduced-rights' : null,
      );
    }
  }
  for (const key of ['notify_authority_within', 'notify_people_within'] as const) {
    const oldClock = before.breach[key];
    const newClock = after.breach[key];
    if (clockText(oldClock) === clockText(newClock)) {
      continue;
    }
    const oldDays = breachClockDays(oldClock) ?? Number.POSITIVE_INFINITY;
    const newDays = breachClockDays(newClock) ?? Number.POSITIVE_INFINITY;
    const isSlower = newDays > oldDays;
    report(
      'breach-deadline-changed',
      isSlower ? 'significant' : 'minor',
      `breach.${key}`,
      clockText(oldClock),
      clockText(newClock),
      isSlower ? 'a breach is reported later' : 'a breach is reported sooner',
    );
  }

  // -- Minors and marketing -------------------------------------------------------------------
  const oldMinors = before.minors;
  const newMinors = after.minors;
  for (const key of [
    'minimum_account_age',
    'guardian_consent_below_age',
    'guardian_may_act_below_age',
  ] as const) {
    const old = oldMinors?.[key];
    const now = newMinors?.[key];
    if (old === now) {
      continue;
    }
    // Lower ages protect fewer children: younger accounts, fewer children under a guardian.
    const isWeaker = now === undefined || (old !== undefined && now < old);
    report(
      'minors-age-changed',
      isWeaker ? 'significant' : 'minor',
      `minors.${key}`,
      old === undefined ? null : String(old),
      now === undefined ? null : String(now),
      isWeaker ? 'children are protected from a lower age only' : 'children are protected longer',
    );
  }
  setChange(
    'guardian-powers-changed',
    'minors.guardian_may',
    oldMinors?.guardian_may ?? [],
    newMinors?.guardian_may ?? [],
    {
      worse: 'lost',
      gainedReason: 'guardians gain powers',
      lostReason: 'guardians lose powers',
      noticeKind: 'reduced-rights',
    },
  );
  const oldMarketing = before.marketing;
  const newMarketing = after.marketing;
  const marketingChange = (
    path: string,
    old: string,
    now: string,
    isWeaker: boolean,
    reason: string,
  ): void => {
    if (old !== now) {
      report(
        'marketing-changed',
        isWeaker ? 'significant' : 'minor',
        `marketing.${path}`,
        old,
        now,
        reason,
      );
    }
  };
  marketingChange(
    'opt_in_required',
    String(oldMarketing?.opt_in_required ?? true),
    String(newMarketing?.opt_in_required ?? true),
    (oldMarketing?.opt_in_required ?? true) && !(newMarketing?.opt_in_required ?? true),
    'whether marketing needs an opt-in',
  );
  const oldChannels = oldMarketing?.channels ?? [];
  const newChannels = newMarketing?.channels ?? [];
  marketingChange(
    'channels',
    list(oldChannels),
    list(newChannels),
    added(oldChannels, newChannels).length > 0,
    'the channels marketing uses',
  );
  marketingChange(
    'audience',
    JSON.stringify(oldMarketing?.audience ?? {}),
    JSON.stringify(newMarketing?.audience ?? {}),
    true,
    'who receives marketing',
  );
  marketingChange(
    'children',
    oldMarketing?.children ?? 'forbidden',
    newMarketing?.children ?? 'forbidden',
    (newMarketing?.children ?? 'forbidden') !== 'forbidden',
    "whether children's data may be used for marketing",
  );
  marketingChange(
    'sells_personal_data',
    String(oldMarketing?.sells_personal_data ?? false),
    String(newMarketing?.sells_personal_data ?? false),
    newMarketing?.sells_personal_data ?? false,
    'whether personal data is sold',
  );
  const oldStops = oldMarketing?.stop_on ?? [];
  const newStops = newMarketing?.stop_on ?? [];
  marketingChange(
    'stop_on',
    list(oldStops),
    list(newStops),
    removed(oldStops, newStops).length > 0,
    'the events that stop marketing',
  );

  // -- Cookies --------------------------------------------------------------------------------
  const oldCookies = byId(before.cookies);
  const newCookies = byId(after.cookies);
  for (const cookie of after.cookies) {
    const path = `cookies[${cookie.id}]`;
    const old = oldCookies.get(cookie.id);
    const isUnasked = !cookie.consent_required && !cookie.strictly_necessary;
    if (old === undefined) {
      report(
        'cookie-added',
        isUnasked ? 'significant' : 'minor',
        path,
        null,
        labelOf(cookie.labels, after),
        isUnasked
          ? 'a new cookie is set without asking'
          : 'a new cookie, set only with consent or because it is strictly necessary',
      );
      continue;
    }
    if (old.consent_required && !cookie.consent_required) {
      report(
        'cookie-changed',
        'significant',
        `${path}.consent_required`,
        'true',
        'false',
        'the cookie is set without asking',
      );
    } else if (!old.consent_required && cookie.consent_required) {
      report(
        'cookie-changed',
        'minor',
        `${path}.consent_required`,
        'false',
        'true',
        'the cookie now needs consent',
      );
    }
    if (old.lifetime !== cookie.lifetime) {
      const oldLife = old.lifetime === 'session' ? undefined : parseDuration(old.lifetime);
      const newLife = cookie.lifetime === 'session' ? undefined : parseDuration(cookie.lifetime);
      const isLonger =
        newLife !== undefined &&
        (oldLife === undefined || compareDurations(newLife, oldLife) !== 'shorter');
      report(
        'cookie-changed',
        isLonger && !cookie.consent_required ? 'significant' : 'minor',
        `${path}.lifetime`,
        old.lifetime,
        cookie.lifetime,
        isLonger ? 'the cookie lasts longer' : 'the cookie lasts less time',
      );
    }
  }
  for (const cookie of before.cookies) {
    if (!newCookies.has(cookie.id)) {
      report(
        'cookie-removed',
        'minor',
        `cookies[${cookie.id}]`,
        labelOf(cookie.labels, before),
        null,
        'a cookie is no longer set',
      );
    }
  }

  // -- Security, changes, texts ---------------------------------------------------------------
  for (const key of [
    'encryption_in_transit',
    'encryption_at_rest',
    'mfa_for_staff',
    'access_logging',
    'tenant_isolation',
  ] as const) {
    const old = before.security[key];
    const now = after.security[key];
    if (old !== now) {
      report(
        'security-changed',
        now ? 'minor' : 'significant',
        `security.${key}`,
        String(old),
        String(now),
        now ? 'a security measure is added' : 'a security measure is withdrawn',
      );
    }
  }
  const oldLead = parseDuration(before.changes.notice_lead_time);
  const newLead = parseDuration(after.changes.notice_lead_time);
  if (oldLead !== undefined && newLead !== undefined) {
    const comparison = compareDurations(newLead, oldLead);
    if (comparison !== 'equal') {
      report(
        'notice-lead-time-changed',
        comparison === 'longer' ? 'minor' : 'significant',
        'changes.notice_lead_time',
        before.changes.notice_lead_time,
        after.changes.notice_lead_time,
        comparison === 'longer'
          ? 'people are told of changes earlier'
          : 'people are told of changes later',
      );
    }
  }
  const sections = [
    ...new Set([...Object.keys(before.texts), ...Object.keys(after.texts)]),
  ].sort() as (keyof Document['texts'])[];
  for (const section of sections) {
    if (!sameText(before.texts[section], after.texts[section])) {
      report(
        'wording-changed',
        'minor',
        `texts.${section}`,
        null,
        null,
        'the notice text is reworded',
      );
    }
  }

  return {
    format: 'custodia-policy-diff',
    format_version: 1,
    old_version: before.organisation.policy_version,
    new_version: after.organisation.policy_version,
    has_significant: changes.some((change) => change.severity === 'significant'),
    changes,
  };
}

/** One line per change, significant ones first, then a summary line. */
export function formatPolicyDiff(diff: PolicyDiff): string {
  const ordered = [
    ...diff.changes.filter((change) => change.severity === 'significant'),
    ...diff.changes.filter((change) => change.severity === 'minor'),
  ];
  const lines = ordered.map((change) => {
    const values =
      change.before === null && change.after === null
        ? ''
        : ` (${change.before ?? '—'} → ${change.after ?? '—'})`;
    const reaccept = change.requires_reacceptance ? ' [re-acceptance required]' : '';
    return `${change.severity.padEnd(11)} ${change.kind.padEnd(31)} ${change.path}${values}: ${change.reason}${reaccept}`;
  });
  const significant = diff.changes.filter((change) => change.severity === 'significant').length;
  const minor = diff.changes.length - significant;
  lines.push(
    diff.changes.length === 0
      ? `no material changes (${diff.old_version} → ${diff.new_version})`
      : `${significant} significant, ${minor} minor (${diff.old_version} → ${diff.new_version})`,
  );
  return `${lines.join('\n')}\n`;
}

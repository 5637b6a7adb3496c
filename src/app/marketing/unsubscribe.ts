import { z } from 'zod';
import { inTransaction, type Executor } from '../../store/db.js';
import type { Consent } from '../../policy/schema.js';
import { createConsentStore, type ConsentRecordRow } from '../../store/consent-store.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { ConsentRecorder } from '../consents/record-consent.js';
import { withdrawConsentIn } from '../consents/withdraw-consent.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { verifyLinkToken } from '../links/verify-link.js';
import { requireActivePolicy, requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { addressFor, addressHash, contactAddressesOf } from './contact-addresses.js';
import { channelsOf, marketingConsents } from './marketing-audience.js';

/** Every marketing channel a link can name, or all of them. */
const LinkChannel = z.string().describe('A marketing channel (email, sms…) or "all"');

export const UnsubscribeLinkView = z.object({
  action: z.literal('unsubscribe'),
  method: z.literal('POST').describe('Send a POST to this same address to unsubscribe'),
  organization: z.string(),
  channel: LinkChannel,
  scope: z.enum(['person', 'family']).describe('Whose marketing the POST stops'),
  isSubscribed: z.boolean().describe('Whether a consent the POST would withdraw is in force'),
  consents: z
    .array(z.object({ consent: z.string(), label: z.string(), channels: z.array(z.string()) }))
    .describe('The marketing consents in force that the POST withdraws, as a whole'),
  familyMembers: z.number().int().describe('Other people the POST covers (family scope)'),
  expiresAt: z.string(),
});
export type UnsubscribeLinkView = z.infer<typeof UnsubscribeLinkView>;

export const UnsubscribeOutcome = z.object({
  channel: LinkChannel,
  scope: z.enum(['person', 'family']),
  gpc: z.boolean().describe('Sec-GPC: 1 was honoured: every marketing channel was stopped'),
  withdrawnRecords: z
    .number()
    .int()
    .describe('Consent records withdrawn now; 0 when already unsubscribed'),
  withdrawnConsents: z.array(z.string()),
  familyMembersAffected: z.number().int(),
  suppressedChannels: z.array(z.string()),
});
export type UnsubscribeOutcome = z.infer<typeof UnsubscribeOutcome>;

type LinkDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>;

/** What stopping marketing to one person did. */
export interface OptOutResult {
  withdrawnRecords: number;
  withdrawnConsents: string[];
  suppressedChannels: string[];
}

/**
 * The person's marketing consents in force that cover a channel (`all`: any), with their records:
 * what an unsubscribe withdraws, and what its link says it will.
 */
async function marketingConsentsCovering(
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  personId: string,
  channel: string,
): Promise<{ consent: Consent; records: ConsentRecordRow[] }[]> {
  const inForce = (await createConsentStore(db).listForPerson(scope, personId)).filter(
    (record) => record.withdrawnAt === null,
  );
  return marketingConsents(active).flatMap((consent) => {
    const records = inForce.filter(
      (record) =>
        record.consentId === consent.id &&
        (channel === 'all' || channelsOf(record, consent).includes(channel)),
    );
    return records.length === 0 ? [] : [{ consent, records }];
  });
}

/**
 * Stops marketing to one person on a channel (or all), in the caller's transaction: every
 * marketing consent in force that covers the channel is withdrawn through `withdrawConsentIn`, as
 * a whole — a consent record is one opt-in, so withdrawing part of it would invent a consent the
 * person never gave; a policy that wants per-channel choices declares one consent per channel.
 * With `suppressAddresses`, the person's own addresses for the channel go on the suppression list
 * even when nothing was in force, so no later import or staff entry subscribes them again.
 */
export async function optOutIn(
  deps: Pick<AppDeps, 'clock' | 'ids' | 'masterKeys'> & { dialect: AppDeps['store']['dialect'] },
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  options: {
    channel: string;
    method: 'unsubscribe-link' | 'gpc';
    by: ConsentRecorder;
    suppressAddresses: boolean;
  },
  origin: RequestOrigin | undefined,
): Promise<OptOutResult> {
  const covering = await marketingConsentsCovering(trx, scope, active, person.id, options.channel);
  const result: OptOutResult = {
    withdrawnRecords: 0,
    withdrawnConsents: [],
    suppressedChannels: [],
  };
  const suppressed = new Set<string>();
  for (const { consent } of covering) {
    const outcome = await withdrawConsentIn(
      deps,
      trx,
      scope,
      active,
      person,
      { consent: consent.id, method: options.method },
      options.by,
      origin,
    );
    result.withdrawnRecords += outcome.withdrawnRecords;
    result.withdrawnConsents.push(consent.id);
    outcome.suppressedChannels.forEach((channel) => suppressed.add(channel));
  }
  if (options.suppressAddresses) {
    const channels =
      options.channel === 'all'
        ? (active.policy.document.marketing?.channels ?? [])
        : [options.channel];
    const addresses = await contactAddressesOf(deps, trx, scope, active, person.id);
    const consents = createConsentStore(trx);
    for (const channel of channels) {
      const address = addressFor(addresses, channel);
      if (address !== undefined) {
        await consents.suppress(scope, {
          channel,
          addressHash: addressHash(channel, address),
          reason: options.method === 'gpc' ? 'gpc' : 'unsubscribed',
          at: deps.clock.now().toISOString(),
        });
        suppressed.add(channel);
      }
    }
  }
  result.suppressedChannels = [...suppressed].sort();
  return result;
}

/**
 * The family a family-scope unsubscribe covers (kajuyali §5.6.2: "removes his/her name or family
 * from the list"): the person's linked guardians and minors, and the other guardians of those
 * minors — the household. Never the person themselves.
 */
async function familyOf(
  trx: Executor,
  scope: OrganizationScope,
  personId: string,
): Promise<PersonRow[]> {
  const people = createPersonStore(trx);
  const ids = new Set<string>();
  for (const guardian of await people.guardiansOf(scope, personId)) {
    ids.add(guardian.guardianId);
  }
  for (const minor of await people.minorsOf(scope, personId)) {
    ids.add(minor.minorId);
    for (const guardian of await people.guardiansOf(scope, minor.minorId)) {
      ids.add(guardian.guardianId);
    }
  }
  ids.delete(personId);
  const family: PersonRow[] = [];
  for (const id of [...ids].sort()) {
    const member = await people.findById(scope, id);
    if (member !== undefined) {
      family.push(member);
    }
  }
  return family;
}

function appliedScope(active: ActivePolicy, asked: 'person' | 'family' | undefined) {
  // A family link stops only the person once the policy no longer offers the family scope.
  return asked === 'family' &&
    active.policy.document.marketing?.unsubscribe_scopes.includes('family') === true
    ? 'family'
    : 'person';
}

/**
 * What an unsubscribe link does, for the page a person lands on (GET changes nothing: mail
 * scanners and previews open links; RFC 8058 §3.2 keeps the action to a POST).
 */
export async function describeUnsubscribeLink(
  deps: LinkDeps,
  token: string,
  origin: RequestOrigin | undefined,
): Promise<UnsubscribeLinkView> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['unsubscribe'], origin);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, claims.personId);
  const channel = claims.channel ?? 'all';
  const language = active.policy.document.organisation.default_language;
  const consents = (
    await marketingConsentsCovering(deps.store.db, scope, active, person.id, channel)
  ).map(({ consent, records }) => ({
    consent: consent.id,
    label: consent.labels[language] ?? Object.values(consent.labels)[0] ?? consent.id,
    channels: [...new Set(records.flatMap((record) => channelsOf(record, consent)))],
  }));
  const scopeApplied = appliedScope(active, claims.scope);
  const organization = await createOrganizationStore(deps.store.db).findById(scope.organizationId);
  return {
    action: 'unsubscribe',
    method: 'POST',
    organization: organization?.name ?? '',
    channel,
    scope: scopeApplied,
    isSubscribed: consents.length > 0,
    consents,
    familyMembers:
      scopeApplied === 'family' ? (await familyOf(deps.store.db, scope, person.id)).length : 0,
    expiresAt: claims.expiresAt.toISOString(),
  };
}

/**
 * One-click unsubscribe (RFC 8058): the POST to an unsubscribe link withdraws, at once, the
 * marketing consents that cover the link's channel (method `unsubscribe-link`) and puts the
 * person's address on the suppression list; a family link does the same for the family where the
 * policy offers that scope. With `Sec-GPC: 1` and `marketing.honour_gpc`, the browser's signal
 * widens it to every channel (method `gpc`). Idempotent: a second POST withdraws nothing more and
 * still answers 200. Audited as `marketing.unsubscribed` beside each `consent.withdrawn`.
 */
export async function unsubscribeByLink(
  deps: LinkDeps,
  token: string,
  signals: { gpc: boolean },
  origin: RequestOrigin | undefined,
): Promise<UnsubscribeOutcome> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['unsubscribe'], origin);
  const active = await requireActivePolicy(deps, scope);
  const isGpc = signals.gpc && active.policy.document.marketing?.honour_gpc === true;
  const channel = isGpc ? 'all' : (claims.channel ?? 'all');
  const method = isGpc ? 'gpc' : 'unsubscribe-link';
  const scopeApplied = appliedScope(active, claims.scope);
  const optOutDeps = { ...deps, dialect: deps.store.dialect };
  const by: ConsentRecorder = { kind: 'person', personId: claims.personId };
  return inTransaction(deps.store, async (trx) => {
    const person = await requirePerson(trx, scope, claims.personId);
    const own = await optOutIn(
      optOutDeps,
      trx,
      scope,
      active,
      person,
      { channel, method, by, suppressAddresses: true },
      origin,
    );
    let withdrawnRecords = own.withdrawnRecords;
    const withdrawnConsents = new Set(own.withdrawnConsents);
    let familyMembersAffected = 0;
    if (scopeApplied === 'family') {
      for (const member of await familyOf(trx, scope, person.id)) {
        const theirs = await optOutIn(
          optOutDeps,
          trx,
          scope,
          active,
          member,
          { channel, method, by, suppressAddresses: false },
          origin,
        );
        withdrawnRecords += theirs.withdrawnRecords;
        theirs.withdrawnConsents.forEach((consent) => withdrawnConsents.add(consent));
        familyMembersAffected += theirs.withdrawnRecords > 0 ? 1 : 0;
      }
    }
    await writeAuditEvent(optOutDeps, trx, scope, origin, {
      actorType: 'person',
      actorId: person.id,
      action: 'marketing.unsubscribed',
      outcome: 'success',
      subjectId: person.id,
      details: {
        channel,
        scope: scopeApplied,
        gpc: isGpc,
        withdrawnRecords,
        familyMembersAffected,
        suppressedChannels: own.suppressedChannels,
      },
    });
    return {
      channel,
      scope: scopeApplied,
      gpc: isGpc,
      withdrawnRecords,
      withdrawnConsents: [...withdrawnConsents].sort(),
      familyMembersAffected,
      suppressedChannels: own.suppressedChannels,
    };
  });
}

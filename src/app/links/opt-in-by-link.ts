import { z } from 'zod';
import { AppError } from '../../errors.js';
import { MarketingChannel } from '../../policy/schema.js';
import { inTransaction } from '../../store/db.js';
import { loadPersonFacts } from '../consents/person-facts.js';
import { recordConsentIn } from '../consents/record-consent.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { marketingConsents } from '../marketing/marketing-audience.js';
import { applyGpcOptOutIn } from '../marketing/record-gpc-signal.js';
import { requireActivePolicy, requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { verifyLinkToken } from './verify-link.js';

export const MarketingOptInRequest = z.strictObject({
  consent: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('The marketing consent to give; the policy’s audience consent when left out'),
  channels: z.array(MarketingChannel).min(1).max(6).describe('The channels to opt in to'),
});
export type MarketingOptInRequest = z.infer<typeof MarketingOptInRequest>;

export const OptInLinkView = z.object({
  action: z.literal('marketing-opt-in'),
  method: z.literal('POST'),
  consents: z
    .array(z.object({ consent: z.string(), label: z.string(), channels: z.array(z.string()) }))
    .describe('The marketing consents the person may give here, with their channels'),
  expiresAt: z.string(),
});
export type OptInLinkView = z.infer<typeof OptInLinkView>;

export const MarketingOptInOutcome = z.object({
  optedIn: z.boolean(),
  gpc: z
    .boolean()
    .describe('Sec-GPC: 1 was honoured as an opt-out instead: nothing was opted in to'),
  consent: z.string().nullable(),
  channels: z.array(z.string()),
  withdrawnRecords: z.number().int().describe('With GPC: marketing consents withdrawn'),
});
export type MarketingOptInOutcome = z.infer<typeof MarketingOptInOutcome>;

type OptInDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>;

/** Marketing consents a person may give themselves (the policy lets the subject give them). */
function selfServiceConsents(active: ActivePolicy) {
  return marketingConsents(active).filter((consent) => consent.given_by.includes('subject'));
}

/** What an opt-in link offers (GET changes nothing). */
export async function describeOptInLink(
  deps: OptInDeps,
  token: string,
  origin: RequestOrigin | undefined,
): Promise<OptInLinkView> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['marketing-opt-in'], origin);
  const active = await requireActivePolicy(deps, scope);
  await requirePerson(deps.store.db, scope, claims.personId);
  const language = active.policy.document.organisation.default_language;
  const allowed = active.policy.document.marketing?.channels ?? [];
  return {
    action: 'marketing-opt-in',
    method: 'POST',
    consents: selfServiceConsents(active).map((consent) => ({
      consent: consent.id,
      label: consent.labels[language] ?? Object.values(consent.labels)[0] ?? consent.id,
      channels: (consent.channels ?? []).filter((channel) => allowed.includes(channel)),
    })),
    expiresAt: claims.expiresAt.toISOString(),
  };
}

/**
 * The person opts in to marketing through their own signed link (sent only to their address:
 * `inviteMarketingOptIn`). Recorded by `recordConsentIn` as given by the subject through a
 * signed link, with every rule of a consent (declared channels, no marketing to children); being
 * the person themselves, it lifts the suppression of their addresses for those channels — the one
 * way an unsubscribed address comes back.
 *
 * With `Sec-GPC: 1` under `marketing.honour_gpc`, the request is treated as an opt-out, as the
 * policy promises for every self-service consent route: nothing is opted in to, and any marketing
 * consent in force is withdrawn (method `gpc`). The signal and the click contradict each other;
 * the reading that protects the person wins, and the answer says why nothing was opted in to.
 */
export async function optInByLink(
  deps: OptInDeps,
  token: string,
  request: MarketingOptInRequest,
  signals: { gpc: boolean },
  origin: RequestOrigin | undefined,
): Promise<MarketingOptInOutcome> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['marketing-opt-in'], origin);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, claims.personId);
  const recordDeps = { ...deps, dialect: deps.store.dialect };
  if (signals.gpc && active.policy.document.marketing?.honour_gpc === true) {
    const result = await inTransaction(deps.store, (trx) =>
      applyGpcOptOutIn(recordDeps, trx, scope, active, person, origin),
    );
    return {
      optedIn: false,
      gpc: true,
      consent: null,
      channels: [],
      withdrawnRecords: result.withdrawnRecords,
    };
  }
  const consentId =
    request.consent ?? active.policy.document.marketing?.audience?.consent ?? onlyConsent(active);
  if (!selfServiceConsents(active).some((consent) => consent.id === consentId)) {
    throw new AppError('VALIDATION_FAILED', 'This consent cannot be given through this link.', {
      details: {
        issues: [
          {
            path: 'consent',
            message: `must be one of ${
              selfServiceConsents(active)
                .map((consent) => consent.id)
                .join(', ') || 'none'
            }`,
          },
        ],
      },
    });
  }
  const record = await inTransaction(deps.store, async (trx) => {
    const facts = await loadPersonFacts(recordDeps, trx, scope, active, person);
    return recordConsentIn(
      recordDeps,
      trx,
      scope,
      active,
      person,
      facts,
      { consent: consentId, givenBy: 'subject', channels: request.channels },
      { kind: 'person', personId: person.id },
      origin,
    );
  });
  return {
    optedIn: true,
    gpc: false,
    consent: record.consentId,
    channels: record.channels ?? [],
    withdrawnRecords: 0,
  };
}

function onlyConsent(active: ActivePolicy): string {
  const [only, ...others] = selfServiceConsents(active);
  return only !== undefined && others.length === 0 ? only.id : '';
}

import { z } from 'zod';
import { createConsentStore } from '../../store/consent-store.js';
import type { AppDeps, Principal } from '../context.js';
import { authorizeConsentWork } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { ConsentRecordView, toConsentRecordView } from './record-consent.js';
import type { ConsentRecordRow } from '../../store/consent-store.js';

export const ConsentList = z.object({
  personId: z.string(),
  consents: z.array(ConsentRecordView).describe('Every record, oldest first: given and withdrawn'),
});
export type ConsentList = z.infer<typeof ConsentList>;

/**
 * A consent receipt in the spirit of the Kantara Initiative Consent Receipt Specification 1.1:
 * who the controller is, which consents are in force for which purposes and categories, under
 * which policy version, given how and when. Field names follow the specification's.
 */
export const ConsentReceipt = z.object({
  version: z.literal('KI-CR-v1.1.0'),
  jurisdiction: z.string(),
  consentTimestamp: z.number().int().describe('Seconds since the epoch, when the receipt was made'),
  collectionMethod: z.string(),
  consentReceiptID: z.string(),
  language: z.string(),
  piiPrincipalId: z.string(),
  piiControllers: z.array(
    z.object({
      piiController: z.string(),
      contact: z.string(),
      email: z.string().optional(),
      phone: z.string().optional(),
      address: z.string().optional(),
    }),
  ),
  policyUrl: z.string(),
  services: z.array(
    z.object({
      service: z.string(),
      purposes: z.array(
        z.object({
          purpose: z.string(),
          purposeCategory: z.array(z.string()),
          consentType: z.string(),
          piiCategory: z.array(z.string()),
          primaryPurpose: z.boolean(),
          termination: z.string(),
          thirdPartyDisclosure: z.boolean(),
        }),
      ),
      consentRecordId: z.string(),
      givenAt: z.string(),
      givenBy: z.string(),
      policyVersionId: z.string(),
      channels: z.array(z.string()).nullable(),
    }),
  ),
  sensitive: z.boolean(),
  spiCat: z.array(z.string()),
});
export type ConsentReceipt = z.infer<typeof ConsentReceipt>;

async function authorizedRecords(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  personId: string,
): Promise<{ active: ActivePolicy; records: ConsentRecordRow[] }> {
  const { scope, active } = await authorizeConsentWork(
    deps,
    principal,
    organizationId,
    personId,
    undefined,
    'read',
  );
  return {
    active,
    records: await createConsentStore(deps.store.db).listForPerson(scope, personId),
  };
}

/** A person's consent history (a read of their record: the role must be allowed to read it). */
export async function listConsents(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Principal,
  organizationId: string,
  personId: string,
): Promise<ConsentList> {
  const { active, records } = await authorizedRecords(deps, principal, organizationId, personId);
  return { personId, consents: records.map((record) => toConsentRecordView(active, record)) };
}

/** Builds the receipt of the consents in force from their records; pure. */
export function buildConsentReceipt(
  active: ActivePolicy,
  personId: string,
  records: readonly ConsentRecordRow[],
  now: Date,
  receiptId: string,
): ConsentReceipt {
  const document = active.policy.document;
  const organisation = document.organisation;
  const language = organisation.default_language;
  const text = (value: Record<string, string | undefined> | undefined): string =>
    value?.[language] ?? Object.values(value ?? {}).find((entry) => entry !== undefined) ?? '';
  const inForce = records.filter((record) => record.withdrawnAt === null);
  const categoriesOf = (purposeIds: readonly string[]): string[] => [
    ...new Set(
      purposeIds.flatMap((id) => [...(active.policy.purposes.get(id)?.categoryIds ?? [])]),
    ),
  ];
  const allCategories = categoriesOf(
    inForce.flatMap((record) => active.policy.consents.get(record.consentId)?.purposes ?? []),
  );
  const special = allCategories.filter(
    (id) => active.policy.categories.get(id)?.definition.sensitivity === 'special-category',
  );
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: [...active.policy.jurisdictions].join(', '),
    consentTimestamp: Math.floor(now.getTime() / 1000),
    collectionMethod: [...new Set(inForce.map((record) => record.method))].join(', ') || 'none',
    consentReceiptID: receiptId,
    language,
    piiPrincipalId: personId,
    piiControllers: [
      {
        piiController: organisation.legal_name ?? organisation.name,
        contact: organisation.privacy_officer.name ?? organisation.name,
        ...(organisation.contact.email === undefined ? {} : { email: organisation.contact.email }),
        ...(organisation.contact.phone === undefined ? {} : { phone: organisation.contact.phone }),
        ...(organisation.contact.postal_address === undefined
          ? {}
          : { address: organisation.contact.postal_address }),
      },
    ],
    policyUrl: organisation.contact.website ?? '',
    services: inForce.map((record) => {
      const consent = active.policy.consents.get(record.consentId);
      const purposeIds = consent?.purposes ?? [];
      return {
        service: text(consent?.labels),
        purposes: purposeIds.map((purposeId, index) => {
          const purpose = active.policy.purposes.get(purposeId);
          return {
            purpose: text(purpose?.definition.labels),
            purposeCategory: [purposeId],
            consentType: consent?.form ?? 'express',
            piiCategory: categoriesOf([purposeId]),
            primaryPurpose: index === 0,
            termination: 'until withdrawn',
            thirdPartyDisclosure: document.third_parties.some((party) =>
              party.purposes.includes(purposeId),
            ),
          };
        }),
        consentRecordId: record.id,
        givenAt: record.givenAt,
        givenBy: record.givenBy,
        policyVersionId: record.policyVersionId,
        channels: record.channels,
      };
    }),
    sensitive: special.length > 0,
    spiCat: special,
  };
}

/** The receipt of a person's consents in force, as JSON. */
export async function consentReceipt(
  deps: Pick<AppDeps, 'store' | 'policies' | 'clock' | 'ids'>,
  principal: Principal,
  organizationId: string,
  personId: string,
): Promise<ConsentReceipt> {
  const { active, records } = await authorizedRecords(deps, principal, organizationId, personId);
  return buildConsentReceipt(active, personId, records, deps.clock.now(), deps.ids.next());
}

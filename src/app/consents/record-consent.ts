import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, type FieldIssue } from '../../errors.js';
import { ConsentGiver, MarketingChannel } from '../../policy/schema.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createConsentStore, type ConsentRecordRow } from '../../store/consent-store.js';
import { createPersonStore, type PersonRow } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import {
  actorOf,
  type Actor,
  type AppDeps,
  type Principal,
  type RequestOrigin,
} from '../context.js';
import { encryptSubjectFields } from '../keys/encrypt-subject-fields.js';
import { CONSENT_EVIDENCE_KEY } from '../keys/key-hierarchy.js';
import { addressFor, addressHash, contactAddressesOf } from '../marketing/contact-addresses.js';
import { authorizeConsentWork } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { loadPersonFacts, type PersonFacts, type ConsentWorkDeps } from './person-facts.js';

/** A scanned paper form or attestation, base64; 5 MiB of file at most. */
const Evidence = z.strictObject({
  mediaType: z.enum(['application/pdf', 'image/png', 'image/jpeg']),
  base64: z
    .string()
    .max(7 * 1024 * 1024)
    .regex(/^[A-Za-z0-9+/]+=*$/, 'must be base64'),
});

export const RecordConsentRequest = z.strictObject({
  consent: z.string().min(1).max(64).describe('A consent the active policy declares'),
  givenBy: ConsentGiver,
  guardianId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('For givenBy guardian: the linked guardian who consents for the person'),
  institution: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('For givenBy institution-attestation: the institution that attests'),
  evidenceReference: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('The paper form or attestation reference (kajuyali §5.2: KCTGMPDATAFORM22…)'),
  evidence: Evidence.optional().describe('The scanned form, kept encrypted'),
  channels: z
    .array(MarketingChannel)
    .max(6)
    .optional()
    .describe('For marketing: channels opted in to'),
});
export type RecordConsentRequest = z.input<typeof RecordConsentRequest>;

export const ConsentRecordView = z.object({
  id: z.string(),
  consent: z.string(),
  purposes: z.array(z.string()),
  policyVersionId: z.string(),
  status: z.enum(['given', 'withdrawn']),
  channels: z.array(z.string()).nullable(),
  givenAt: z.string(),
  givenBy: z.string(),
  givenByReference: z.string().nullable(),
  method: z.string(),
  evidenceReference: z.string().nullable(),
  hasEvidence: z.boolean(),
  withdrawnAt: z.string().nullable(),
  withdrawalMethod: z.string().nullable(),
});
export type ConsentRecordView = z.infer<typeof ConsentRecordView>;

export function toConsentRecordView(
  active: ActivePolicy,
  record: ConsentRecordRow,
): ConsentRecordView {
  return {
    id: record.id,
    consent: record.consentId,
    purposes: [...(active.policy.consents.get(record.consentId)?.purposes ?? [])],
    policyVersionId: record.policyVersionId,
    status: record.withdrawnAt === null ? 'given' : 'withdrawn',
    channels: record.channels,
    givenAt: record.givenAt,
    givenBy: record.givenBy,
    givenByReference: record.givenByReference,
    method: record.method,
    evidenceReference: record.evidenceReference,
    hasEvidence: record.evidenceSha256 !== null,
    withdrawnAt: record.withdrawnAt,
    withdrawalMethod: record.withdrawalMethod,
  };
}

/** Whether a consent covers a direct-marketing purpose (opt-ins, channels, suppression). */
export function isMarketingConsent(active: ActivePolicy, consentId: string): boolean {
  return (active.policy.consents.get(consentId)?.purposes ?? []).some(
    (purposeId) => active.policy.purposes.get(purposeId)?.isMarketing === true,
  );
}

/** Who records the consent: staff (a form, an attestation, a call) or the person through a link. */
export type ConsentRecorder =
  { kind: 'staff'; principal: Actor } | { kind: 'person'; personId: string };

function invalid(message: string, issues: FieldIssue[]): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { issues } });
}

/**
 * Checks a consent against the policy and the person, then records it, in the caller's
 * transaction. The rules, each the reading of a clause:
 * - only consents the policy declares, given in a way it declares (`given_by`);
 * - a guardian must be linked to the person; a paper form needs its reference, which begins with
 *   the form the policy names (kajuyali §5.2); an attestation names its institution (kindergarten §8);
 * - below `guardian_consent_below_age` the person cannot consent alone (GDPR Art. 8; Law 1581
 *   Art. 7); below `minimum_account_age`, a kind that may not be a child is refused outright;
 * - marketing consent names channels the consent and the marketing section allow; never for a
 *   child where the policy forbids marketing to children; and an address on the suppression list
 *   is only lifted by the person themselves, never by staff or an import.
 */
export async function recordConsentIn(
  deps: ConsentWorkDeps,
  trx: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  person: PersonRow,
  facts: PersonFacts,
  request: z.output<typeof RecordConsentRequest>,
  recorder: ConsentRecorder,
  origin: RequestOrigin | undefined,
  method: 'api' | 'signed-link' | 'import' = recorder.kind === 'person' ? 'signed-link' : 'api',
): Promise<ConsentRecordRow> {
  const consent = active.policy.consents.get(request.consent);
  if (consent === undefined) {
    throw invalid('The consent is not one the policy declares.', [
      {
        path: 'consent',
        message: `"${request.consent}" is not declared; the policy declares ${[...active.policy.consents.keys()].join(', ') || 'none'}`,
      },
    ]);
  }
  const issues: FieldIssue[] = [];
  if (!consent.given_by.includes(request.givenBy)) {
    issues.push({
      path: 'givenBy',
      message: `the policy lets "${consent.id}" be given only by ${consent.given_by.join(', ')}`,
    });
  }
  const minors = active.policy.document.minors;
  if (facts.minor.needsGuardianConsent && request.givenBy === 'subject') {
    issues.push({
      path: 'givenBy',
      message: `the person is under ${String(minors?.guardian_consent_below_age ?? '')}: a guardian, an institution's attestation or a form signed by a guardian must give this consent`,
    });
  }
  let givenByReference: string | null = null;
  if (request.givenBy === 'guardian') {
    const guardianId =
      request.guardianId ?? (recorder.kind === 'person' ? recorder.personId : undefined);
    const isLinked =
      guardianId !== undefined &&
      (await createPersonStore(trx).guardiansOf(scope, person.id)).some(
        (link) => link.guardianId === guardianId,
      );
    if (!isLinked) {
      issues.push({ path: 'guardianId', message: 'must be a guardian linked to this person' });
    }
    givenByReference = guardianId ?? null;
  } else if (recorder.kind === 'person' && recorder.personId !== person.id) {
    issues.push({
      path: 'givenBy',
      message: 'someone else may give this consent only as a linked guardian',
    });
  }
  if (request.givenBy === 'staff-paper-form') {
    const form = consent.paper_form_reference;
    if (request.evidenceReference === undefined) {
      issues.push({ path: 'evidenceReference', message: 'a paper form needs its reference' });
    } else if (form !== undefined && !request.evidenceReference.startsWith(form)) {
      issues.push({
        path: 'evidenceReference',
        message: `must be a reference of the form ${form}`,
      });
    }
    if (recorder.kind !== 'staff') {
      issues.push({ path: 'givenBy', message: 'only staff enter paper forms' });
    }
  }
  if (request.givenBy === 'institution-attestation') {
    if (request.institution === undefined) {
      issues.push({
        path: 'institution',
        message: 'an attestation names the institution that attests',
      });
    }
    givenByReference = request.institution ?? null;
    if (recorder.kind !== 'staff') {
      issues.push({ path: 'givenBy', message: 'only staff enter attestations' });
    }
  }
  const isMarketing = consent.purposes.some(
    (purposeId) => active.policy.purposes.get(purposeId)?.isMarketing === true,
  );
  const declaredChannels = consent.channels ?? [];
  const allowedChannels = declaredChannels.filter(
    (channel) => active.policy.document.marketing?.channels.includes(channel) ?? !isMarketing,
  );
  if (request.channels !== undefined || declaredChannels.length > 0) {
    const channels = request.channels ?? [];
    if (channels.length === 0) {
      issues.push({
        path: 'channels',
        message: `choose the channels opted in to, among ${allowedChannels.join(', ')}`,
      });
    }
    channels.forEach((channel, index) => {
      if (!allowedChannels.includes(channel)) {
        issues.push({
          path: `channels.${String(index)}`,
          message: `"${channel}" is not a channel this consent covers (${allowedChannels.join(', ') || 'none'})`,
        });
      }
    });
  }
  if (issues.length > 0) {
    throw invalid('The consent cannot be recorded as given.', issues);
  }
  if (
    isMarketing &&
    active.policy.document.marketing?.children !== 'guardian-consent' &&
    (facts.minor.needsGuardianConsent || facts.minor.isBelowMinimumAge)
  ) {
    throw new AppError('FORBIDDEN', 'Not allowed: the policy forbids marketing to children.');
  }
  const channels = request.channels ?? null;
  if (isMarketing && channels !== null) {
    const addresses = await contactAddressesOf(deps, trx, scope, active, person.id);
    const consents = createConsentStore(trx);
    for (const channel of channels) {
      const address = addressFor(addresses, channel);
      if (address === undefined) {
        continue;
      }
      const hash = addressHash(channel, address);
      if (!(await consents.suppressedHashes(scope, channel)).has(hash)) {
        continue;
      }
      if (recorder.kind === 'person' && recorder.personId === person.id) {
        // The person opting in again themselves is the one thing that lifts a suppression.
        await consents.unsuppress(scope, channel, hash);
      } else {
        throw new AppError(
          'CONFLICT',
          `This ${channel} address unsubscribed: only the person can opt in again.`,
          { details: { issues: [{ path: 'channels', message: `${channel} is suppressed` }] } },
        );
      }
    }
  }
  const id = deps.ids.next();
  let evidence: string | null = null;
  let evidenceSha256: string | null = null;
  if (request.evidence !== undefined) {
    const bytes = Buffer.from(request.evidence.base64, 'base64');
    evidenceSha256 = createHash('sha256').update(bytes).digest('hex');
    // The scan shows a signature and the child's name: it is kept like an encrypted category,
    // under the person's own key, so crypto-shredding them erases it too.
    const sealed = await encryptSubjectFields(deps, trx, scope, {
      subjectId: person.id,
      category: 'consent-evidence',
      keyCategory: CONSENT_EVIDENCE_KEY,
      fields: { [id]: request.evidence.base64 },
    });
    evidence = sealed[id] ?? null;
  }
  const record = {
    id,
    personId: person.id,
    consentId: consent.id,
    policyVersionId: active.versionId,
    channels,
    givenAt: deps.clock.now().toISOString(),
    givenBy: request.givenBy,
    givenByReference,
    recordedBy: recorder.kind === 'staff' ? (actorOf(recorder.principal).actorId ?? null) : null,
    method:
      request.givenBy === 'staff-paper-form'
        ? 'paper-form'
        : request.givenBy === 'institution-attestation'
          ? 'attestation'
          : method,
    evidenceReference: request.evidenceReference ?? null,
    evidence,
    evidenceSha256,
    evidenceMediaType: request.evidence?.mediaType ?? null,
    ip: origin?.ip ?? null,
    userAgent: origin?.userAgent ?? null,
  };
  await createConsentStore(trx).insert(scope, record);
  await writeAuditEvent(deps, trx, scope, origin, {
    ...(recorder.kind === 'staff'
      ? actorOf(recorder.principal)
      : { actorType: 'person' as const, actorId: recorder.personId }),
    action: 'consent.given',
    outcome: 'success',
    subjectId: person.id,
    details: {
      consent: consent.id,
      purposes: consent.purposes,
      givenBy: request.givenBy,
      method: record.method,
      channels,
      evidenceReference: record.evidenceReference,
      policyVersionId: active.versionId,
    },
  });
  return { ...record, withdrawnAt: null, withdrawnBy: null, withdrawalMethod: null };
}

/**
 * Staff record a consent for a person: a paper form (kajuyali §5.2), an institution's attestation
 * (kindergarten §8), a guardian's consent given in person. The role must be allowed to write the
 * person's record; recording consent needs no consent itself.
 */
export async function recordConsent(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  request: z.output<typeof RecordConsentRequest>,
  origin: RequestOrigin | undefined,
): Promise<ConsentRecordView> {
  const { scope, active, person } = await authorizeConsentWork(
    deps,
    principal,
    organizationId,
    personId,
    request.consent,
    'write',
  );
  const recordDeps = { ...deps, dialect: deps.store.dialect };
  const record = await inTransaction(deps.store, async (trx) => {
    const facts = await loadPersonFacts(recordDeps, trx, scope, active, person);
    return recordConsentIn(
      recordDeps,
      trx,
      scope,
      active,
      person,
      facts,
      request,
      {
        kind: 'staff',
        principal,
      },
      origin,
    );
  });
  return toConsentRecordView(active, record);
}

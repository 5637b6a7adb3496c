import { z } from 'zod';
import { AppError } from '../../errors.js';
import { RightKind, type PolicyDocument } from '../../policy/schema.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { createRightsStore, type RightsRequestRow } from '../../store/rights-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { requirePerson } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { openSelfService, requireActingFor } from '../self-service/self-service-access.js';
import { clockFor, tellRequester, viewOf, type RightsRequestView } from './rights-support.js';
import { sendVerificationCode } from './verify-identity.js';

const Id = z.string().min(1).max(64);

export const RightsRequestDetails = z.strictObject({
  changes: z
    .record(Id, z.record(Id, z.string().max(10_000)))
    .optional()
    .describe('Rectification: category → field → the correct value'),
  categories: z
    .array(Id)
    .max(100)
    .optional()
    .describe('Restriction: the categories to restrict (all when left out)'),
  purposes: z.array(Id).max(100).optional().describe('Objection: the purposes objected to'),
  consents: z.array(Id).max(100).optional().describe('Consent withdrawal: the consents'),
  message: z.string().max(5000).optional().describe('In the person’s words (a complaint…)'),
});
export type RightsRequestDetails = z.infer<typeof RightsRequestDetails>;

export const StaffRightsRequest = z.strictObject({
  kind: RightKind,
  channel: z.enum(['email', 'phone', 'postal', 'web-form']).default('email'),
  madeBy: z
    .enum(['subject', 'guardian', 'authorised-agent'])
    .default('subject')
    .describe('Who asked: the person, their guardian, or an agent they authorised'),
  guardianId: Id.optional().describe('madeBy guardian: the linked guardian who asked'),
  agent: z
    .strictObject({
      name: z.string().min(1).max(200),
      authorisationReference: z
        .string()
        .min(1)
        .max(200)
        .describe('The signed authorisation the agent produced (its reference on file)'),
    })
    .optional(),
  details: RightsRequestDetails.default({}),
});

export const SelfServiceRightsRequest = z.strictObject({
  kind: RightKind,
  personId: Id.optional().describe('A child’s id, for a guardian acting for them'),
  details: RightsRequestDetails.default({}),
});

type SubmitDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
>;

const MAY_ACT: Record<string, string> = {
  guardian: 'guardian-of-minor',
  'authorised-agent': 'authorised-agent',
  'staff-on-behalf': 'staff-on-behalf',
};

/** What the policy allows this request to ask, checked before anything is stored. */
function checkRequest(
  active: ActivePolicy,
  kind: RightKind,
  madeBy: RightsRequestRow['madeBy'],
  details: RightsRequestDetails,
): void {
  const document: PolicyDocument = active.policy.document;
  const issues: { path: string; message: string }[] = [];
  if (!document.rights.available.includes(kind)) {
    issues.push({ path: 'kind', message: `"${kind}" is not a right this policy offers` });
  }
  const needed = MAY_ACT[madeBy];
  if (needed !== undefined && !(document.rights.may_act_for_others as string[]).includes(needed)) {
    issues.push({
      path: 'madeBy',
      message: `the policy does not let a request be made by "${needed}" (rights.may_act_for_others)`,
    });
  }
  for (const [categoryId, fields] of Object.entries(details.changes ?? {})) {
    const category = active.policy.categories.get(categoryId);
    if (category === undefined) {
      issues.push({
        path: `details.changes.${categoryId}`,
        message: 'not a category of the policy',
      });
      continue;
    }
    for (const field of Object.keys(fields)) {
      if (!category.fieldNames.has(field)) {
        issues.push({
          path: `details.changes.${categoryId}.${field}`,
          message: 'not a field of the category',
        });
      }
    }
  }
  if (kind === 'rectification' && Object.keys(details.changes ?? {}).length === 0) {
    issues.push({ path: 'details.changes', message: 'a rectification says what to correct' });
  }
  for (const categoryId of details.categories ?? []) {
    if (!active.policy.categories.has(categoryId)) {
      issues.push({
        path: 'details.categories',
        message: `"${categoryId}" is not a category of the policy`,
      });
    }
  }
  for (const purposeId of details.purposes ?? []) {
    const purpose = active.policy.purposes.get(purposeId);
    const objectable =
      purpose !== undefined &&
      (purpose.definition.marketing ||
        Object.values(purpose.definition.lawful_basis).some(
          (basis) => basis.basis === 'legitimate-interest' || basis.basis === 'public-task',
        ));
    if (!objectable) {
      issues.push({
        path: 'details.purposes',
        message: `"${purposeId}" is not a purpose one can object to (legitimate interest, public task or marketing)`,
      });
    }
  }
  if (kind === 'objection' && (details.purposes ?? []).length === 0) {
    issues.push({
      path: 'details.purposes',
      message: 'an objection names the purposes objected to',
    });
  }
  for (const consentId of details.consents ?? []) {
    if (!active.policy.consents.has(consentId)) {
      issues.push({
        path: 'details.consents',
        message: `"${consentId}" is not a consent of the policy`,
      });
    }
  }
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'The request cannot be accepted as it is.', {
      details: { issues },
    });
  }
}

async function store(
  deps: SubmitDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: Omit<RightsRequestRow, 'jurisdiction' | 'requestKind' | 'dueAt'>,
  audit: {
    actor: ReturnType<typeof actorOf> | { actorType: 'person'; actorId: string };
    origin: RequestOrigin | undefined;
  },
): Promise<RightsRequestRow> {
  // The clock is set now to say which regime applies; while identity is unverified it is paused
  // (dueAt stays empty) and starts again from the verification.
  const clock = clockFor(
    active,
    row.kind as z.infer<typeof RightKind>,
    new Date(row.verifiedAt ?? row.receivedAt),
  );
  const full: RightsRequestRow = {
    ...row,
    jurisdiction: clock.jurisdiction,
    requestKind: clock.requestKind,
    dueAt: row.verifiedAt === null ? null : clock.dueAt,
  };
  await inTransaction(deps.store, async (trx) => {
    await createRightsStore(trx).insertRequest(scope, full);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, audit.origin, {
      ...audit.actor,
      action: 'rights.request-received',
      outcome: 'success',
      subjectId: full.personId,
      details: {
        requestId: full.id,
        kind: full.kind,
        madeBy: full.madeBy,
        channel: full.channel,
        status: full.status,
        jurisdiction: full.jurisdiction,
        dueAt: full.dueAt,
      },
    });
  });
  return full;
}

/**
 * A request received by staff — by phone, email or post — for a person on record: the person
 * themselves, their guardian, or an agent with a signed authorisation (`handle-rights-requests`).
 * Identity is not yet verified: a one-time code goes to the address on record (the guardian's
 * for a guardian's request), so whoever phoned must also hold that mailbox.
 */
export async function submitRightsRequestForPerson(
  deps: SubmitDeps,
  actor: Actor,
  organizationId: string,
  personId: string,
  request: z.output<typeof StaffRightsRequest>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'handle-rights-requests',
    'taking requests',
  );
  const person = await requirePerson(deps.store.db, scope, personId);
  const madeBy = request.madeBy === 'subject' ? 'staff-on-behalf' : request.madeBy;
  checkRequest(active, request.kind, madeBy, request.details);
  if (request.madeBy === 'guardian') {
    const linked = (await createPersonStore(deps.store.db).guardiansOf(scope, person.id)).some(
      (link) => link.guardianId === request.guardianId,
    );
    if (!linked) {
      throw new AppError('VALIDATION_FAILED', 'The request cannot be accepted as it is.', {
        details: {
          issues: [{ path: 'guardianId', message: 'not a linked guardian of the person' }],
        },
      });
    }
  }
  if (request.madeBy === 'authorised-agent' && request.agent === undefined) {
    throw new AppError('VALIDATION_FAILED', 'The request cannot be accepted as it is.', {
      details: {
        issues: [{ path: 'agent', message: 'an agent’s request needs their signed authorisation' }],
      },
    });
  }
  const now = deps.clock.now().toISOString();
  const row = await store(
    deps,
    scope,
    active,
    {
      id: deps.ids.next(),
      personId: person.id,
      kind: request.kind,
      madeBy: request.madeBy === 'subject' ? 'staff-on-behalf' : request.madeBy,
      requesterId: request.madeBy === 'guardian' ? (request.guardianId ?? null) : null,
      agent:
        request.agent === undefined
          ? null
          : {
              name: request.agent.name,
              authorisationReference: request.agent.authorisationReference,
            },
      channel: request.channel,
      status: 'received',
      details: request.details,
      receivedAt: now,
      verifiedAt: null,
      extendedDueAt: null,
      extensionReason: null,
      remindedAt: null,
      closedAt: null,
      refusalReason: null,
      outcome: null,
    },
    { actor: actorOf(actor), origin },
  );
  if (active.policy.document.rights.identity_verification.methods.includes('email-code')) {
    await sendVerificationCode(deps, scope, active, row);
  }
  return viewOf(active, row, deps.clock.now());
}

/**
 * A request the person makes through their own self-service link (or a guardian, for a child
 * they may act for): holding the link proves the mailbox, so identity counts as verified and the
 * legal clock starts at once.
 */
export async function submitRightsRequestBySelfService(
  deps: SubmitDeps,
  token: string,
  request: z.output<typeof SelfServiceRightsRequest>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const session = await openSelfService(deps, token, origin);
  const { scope, active, actor } = session;
  const target = await requireActingFor(
    { ...deps, dialect: deps.store.dialect },
    deps.store.db,
    session,
    request.personId ?? actor.id,
    'review',
  );
  const madeBy = target.relation === 'guardian' ? 'guardian' : 'subject';
  checkRequest(active, request.kind, madeBy, request.details);
  const now = deps.clock.now().toISOString();
  const row = await store(
    deps,
    scope,
    active,
    {
      id: deps.ids.next(),
      personId: target.person.id,
      kind: request.kind,
      madeBy,
      requesterId: target.relation === 'guardian' ? actor.id : null,
      agent: null,
      channel: 'self-service',
      status: 'verified',
      details: request.details,
      receivedAt: now,
      verifiedAt: now,
      extendedDueAt: null,
      extensionReason: null,
      remindedAt: null,
      closedAt: null,
      refusalReason: null,
      outcome: null,
    },
    { actor: { actorType: 'person', actorId: actor.id }, origin },
  );
  await tellRequester(deps, scope, active, row, {
    subject: 'we received your request',
    text: `We received your ${row.kind} request and will answer by ${row.dueAt ?? ''}.`,
  });
  return viewOf(active, row, deps.clock.now());
}

import { z } from 'zod';
import { validatePersonalData } from '../../domain/personal-data-validation.js';
import { inTransaction, type Executor } from '../../store/db.js';
import { createConsentStore } from '../../store/consent-store.js';
import { purgeDestroyedKeyPages } from '../../store/key-store.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { DATE_OF_BIRTH_FIELD, loadPersonFacts } from '../consents/person-facts.js';
import {
  ConsentRecordView,
  recordConsentIn,
  RecordConsentRequest,
  toConsentRecordView,
} from '../consents/record-consent.js';
import type { WithdrawalOutcome } from '../consents/withdraw-consent.js';
import { withdrawConsentIn, WithdrawConsentRequest } from '../consents/withdraw-consent.js';
import { applyGpcOptOutIn } from '../marketing/record-gpc-signal.js';
import { erasePersonIn } from '../people/delete-person.js';
import { eraseIfBelowMinimumAge } from '../people/minimum-age.js';
import { PersonalData } from '../people/create-person.js';
import {
  categoryValues,
  requireConsentBasis,
  storeCategories,
  throwIfInvalid,
} from '../people/people-support.js';
import { groupByCategory } from '../people/read-person.js';
import { recordContinuedUseIfDue } from '../policy/announce-policy-version.js';
import type { TermsAcceptanceView } from '../terms/accept-terms.js';
import { acceptTermsIn, hasAcceptedTerms } from '../terms/accept-terms.js';
import {
  openSelfService,
  requireActingFor,
  type SelfServicePower,
  type SelfServiceSession,
  type SelfServiceTarget,
} from './self-service-access.js';

type Deps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'masterKeys' | 'policies'>;

/** What the browser said about the request: a Global Privacy Control signal. */
export interface SelfServiceSignals {
  gpc: boolean;
}

export const SelfServiceOverview = z.object({
  person: z.object({ id: z.string(), subjectKind: z.string() }),
  termsAccepted: z.boolean().describe('Whether the terms in force are accepted'),
  consents: z.array(ConsentRecordView),
  children: z
    .array(z.object({ id: z.string(), subjectKind: z.string(), powers: z.array(z.string()) }))
    .describe('Minors this guardian may act for now, and what they may do'),
  gpcApplied: z.boolean().describe('A Sec-GPC: 1 signal was recorded as a marketing opt-out'),
});
export type SelfServiceOverview = z.infer<typeof SelfServiceOverview>;

export const OwnRecord = z.object({
  id: z.string(),
  subjectKind: z.string(),
  relation: z.enum(['self', 'guardian']),
  data: z.record(z.string(), z.record(z.string(), z.string())),
  erased: z.array(z.string()),
  consents: z.array(ConsentRecordView),
});
export type OwnRecord = z.infer<typeof OwnRecord>;

export const ModifyOwnRecordRequest = z.strictObject({ data: PersonalData });

export const SelfServiceConsentRequest = RecordConsentRequest.pick({
  consent: true,
  channels: true,
});

const keyDepsOf = (deps: Deps) => ({ ...deps, dialect: deps.store.dialect });

/**
 * Every self-service request is "use of the service": where the policy says continued use means
 * acceptance, it records it; and a Sec-GPC: 1 signal is honoured as a marketing opt-out where the
 * policy says so.
 */
async function noteUse(
  deps: Deps,
  trx: Executor,
  session: SelfServiceSession,
  signals: SelfServiceSignals,
  origin: RequestOrigin | undefined,
): Promise<boolean> {
  const keyDeps = keyDepsOf(deps);
  await recordContinuedUseIfDue(keyDeps, trx, session.scope, session.active, session.actor);
  if (!signals.gpc || session.active.policy.document.marketing?.honour_gpc !== true) {
    return false;
  }
  await applyGpcOptOutIn(keyDeps, trx, session.scope, session.active, session.actor, origin);
  return true;
}

async function begin(
  deps: Deps,
  token: string,
  personId: string,
  power: SelfServicePower,
  origin: RequestOrigin | undefined,
): Promise<{ session: SelfServiceSession; target: SelfServiceTarget }> {
  const session = await openSelfService(deps, token, origin);
  const target = await requireActingFor(keyDepsOf(deps), deps.store.db, session, personId, power);
  return { session, target };
}

const actorFields = (session: SelfServiceSession) => ({
  actorType: 'person' as const,
  actorId: session.actor.id,
});

/** `GET /api/v1/self-service`: the person's consents, terms, and the children they may act for. */
export async function selfServiceOverview(
  deps: Deps,
  token: string,
  signals: SelfServiceSignals,
  origin: RequestOrigin | undefined,
): Promise<SelfServiceOverview> {
  const session = await openSelfService(deps, token, origin);
  const { scope, active, actor } = session;
  const gpcApplied = await inTransaction(deps.store, (trx) =>
    noteUse(deps, trx, session, signals, origin),
  );
  const children: SelfServiceOverview['children'] = [];
  for (const link of await createPersonStore(deps.store.db).minorsOf(scope, actor.id)) {
    const powers: string[] = [];
    for (const power of ['review', 'modify', 'delete', 'consent', 'withdraw-consent'] as const) {
      try {
        await requireActingFor(keyDepsOf(deps), deps.store.db, session, link.minorId, power);
        powers.push(power);
      } catch {
        // Not this power: left out of the list.
      }
    }
    if (powers.length > 0) {
      const child = await createPersonStore(deps.store.db).findById(scope, link.minorId);
      children.push({ id: link.minorId, subjectKind: child?.subjectKind ?? '', powers });
    }
  }
  const records = await createConsentStore(deps.store.db).listForPerson(scope, actor.id);
  return {
    person: { id: actor.id, subjectKind: actor.subjectKind },
    termsAccepted: await hasAcceptedTerms(deps.store.db, scope, actor.id),
    consents: records.map((record) => toConsentRecordView(active, record)),
    children,
    gpcApplied,
  };
}

/**
 * A person reads their own record — or a guardian their child's — in full: every category, not
 * just those a staff role may see (the right of access, GDPR Art. 15; PIPEDA principle 4.9).
 */
export async function readOwnRecord(
  deps: Deps,
  token: string,
  personId: string,
  origin: RequestOrigin | undefined,
): Promise<OwnRecord> {
  const { session, target } = await begin(deps, token, personId, 'review', origin);
  const keyDeps = keyDepsOf(deps);
  const data: Record<string, Record<string, string>> = {};
  const erased: string[] = [];
  const rows = await createPersonStore(deps.store.db).values(session.scope, personId);
  for (const [categoryId, group] of groupByCategory(rows)) {
    const values = await categoryValues(
      keyDeps,
      deps.store.db,
      session.scope,
      personId,
      categoryId,
      group,
    );
    if (values === 'erased') {
      erased.push(categoryId);
    } else {
      data[categoryId] = values;
    }
  }
  const records = await createConsentStore(deps.store.db).listForPerson(session.scope, personId);
  await inTransaction(deps.store, async (trx) => {
    await noteUse(deps, trx, session, { gpc: false }, origin);
    await writeAuditEvent(keyDeps, trx, session.scope, origin, {
      ...actorFields(session),
      action: 'person.read',
      outcome: 'success',
      subjectId: personId,
      details: { via: 'self-service', relation: target.relation, categories: Object.keys(data) },
    });
  });
  return {
    id: personId,
    subjectKind: target.person.subjectKind,
    relation: target.relation,
    data,
    erased,
    consents: records.map((record) => toConsentRecordView(session.active, record)),
  };
}

/**
 * Corrects or adds fields of the person's own record (rectification), or of a child's where the
 * policy lets guardians modify. Checked as any write: declared fields only, a lawful basis for each
 * category, and a date of birth that reveals a child below the minimum age deletes the record.
 */
export async function modifyOwnRecord(
  deps: Deps,
  token: string,
  personId: string,
  request: z.output<typeof ModifyOwnRecordRequest>,
  origin: RequestOrigin | undefined,
): Promise<{ categories: string[] }> {
  const { session, target } = await begin(deps, token, personId, 'modify', origin);
  const { scope, active } = session;
  const { categories, issues } = validatePersonalData(
    active.policy,
    target.person.subjectKind,
    request.data,
    { requireComplete: false },
  );
  throwIfInvalid(issues);
  const keyDeps = keyDepsOf(deps);
  const dateOfBirth = categories
    .flatMap((category) => category.values)
    .find((entry) => entry.field === DATE_OF_BIRTH_FIELD)?.text;
  await eraseIfBelowMinimumAge(keyDeps, deps.store, scope, active, target.person, {
    dateOfBirth,
    actor: actorFields(session),
    origin,
  });
  const facts = await loadPersonFacts(keyDeps, deps.store.db, scope, active, target.person, {
    dateOfBirth,
  });
  const categoryIds = categories.map((category) => category.categoryId);
  requireConsentBasis(active, categoryIds, 'write', undefined, facts.consent);
  await inTransaction(deps.store, async (trx) => {
    await noteUse(deps, trx, session, { gpc: false }, origin);
    await storeCategories(keyDeps, trx, scope, personId, categories, {
      policyVersionId: active.versionId,
      at: deps.clock.now().toISOString(),
    });
    await writeAuditEvent(keyDeps, trx, scope, origin, {
      ...actorFields(session),
      action: 'person.write',
      outcome: 'success',
      subjectId: personId,
      details: { via: 'self-service', relation: target.relation, categories: categoryIds },
    });
  });
  return { categories: categoryIds };
}

/** A guardian deletes their child's record where the policy lets them (kexara: review, modify, delete). */
export async function deleteChildRecord(
  deps: Deps,
  token: string,
  personId: string,
  origin: RequestOrigin | undefined,
): Promise<{ deleted: true }> {
  const { session, target } = await begin(deps, token, personId, 'delete', origin);
  await inTransaction(deps.store, (trx) =>
    erasePersonIn(keyDepsOf(deps), trx, session.scope, personId, {
      actor: actorFields(session),
      origin,
      action: 'person.delete',
      details: { via: 'self-service', relation: target.relation },
    }),
  );
  await purgeDestroyedKeyPages(deps.store);
  return { deleted: true };
}

/** Gives a consent for oneself, or for a child as their guardian. */
export async function giveConsentByLink(
  deps: Deps,
  token: string,
  personId: string,
  request: z.output<typeof SelfServiceConsentRequest>,
  signals: SelfServiceSignals,
  origin: RequestOrigin | undefined,
): Promise<ConsentRecordView> {
  const { session, target } = await begin(deps, token, personId, 'consent', origin);
  const keyDeps = keyDepsOf(deps);
  const record = await inTransaction(deps.store, async (trx) => {
    const facts = await loadPersonFacts(keyDeps, trx, session.scope, session.active, target.person);
    return recordConsentIn(
      keyDeps,
      trx,
      session.scope,
      session.active,
      target.person,
      facts,
      {
        consent: request.consent,
        givenBy: target.relation === 'self' ? 'subject' : 'guardian',
        ...(target.relation === 'guardian' ? { guardianId: session.actor.id } : {}),
        ...(request.channels === undefined ? {} : { channels: request.channels }),
      },
      { kind: 'person', personId: session.actor.id },
      origin,
    );
  });
  // Sec-GPC: 1 on the same request is an opt-out: it wins over the opt-in just recorded.
  await inTransaction(deps.store, (trx) => noteUse(deps, trx, session, signals, origin));
  const records = await createConsentStore(deps.store.db).listForPerson(session.scope, personId);
  const current = records.find((row) => row.id === record.id) ?? record;
  return toConsentRecordView(session.active, current);
}

/** Withdraws a consent, at once, for oneself or for a child as their guardian. */
export async function withdrawConsentByLink(
  deps: Deps,
  token: string,
  personId: string,
  request: { consent: string },
  origin: RequestOrigin | undefined,
): Promise<WithdrawalOutcome> {
  const { session, target } = await begin(deps, token, personId, 'withdraw-consent', origin);
  return inTransaction(deps.store, async (trx) => {
    await noteUse(deps, trx, session, { gpc: false }, origin);
    return withdrawConsentIn(
      keyDepsOf(deps),
      trx,
      session.scope,
      session.active,
      target.person,
      WithdrawConsentRequest.parse({ consent: request.consent, method: 'self-service' }),
      { kind: 'person', personId: session.actor.id },
      origin,
    );
  });
}

/** Accepts the terms in force, for oneself or for a child as their guardian. */
export async function acceptTermsByLink(
  deps: Deps,
  token: string,
  personId: string,
  origin: RequestOrigin | undefined,
): Promise<TermsAcceptanceView> {
  const { session, target } = await begin(deps, token, personId, 'consent', origin);
  return inTransaction(deps.store, (trx) =>
    acceptTermsIn(
      keyDepsOf(deps),
      trx,
      session.scope,
      session.active,
      target.person,
      target.relation === 'self'
        ? { acceptedBy: 'subject' }
        : { acceptedBy: 'guardian', guardianId: session.actor.id },
      { kind: 'person', personId: session.actor.id },
      origin,
    ),
  );
}

import { holdCovering } from '../../domain/legal-holds.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { createRetentionStore } from '../../store/retention-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { systemActor, type AppDeps } from '../context.js';
import { erasePersonIn } from '../people/delete-person.js';
import { eraseCategoryIn } from '../people/erase-category.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { planningContext, planPerson } from '../retention/plan-retention.js';
import { runRetentionForPerson } from '../retention/run-retention.js';

export interface ErasureOutcome {
  erasedWhole: boolean;
  deleted: string[];
  anonymised: string[];
  kept: { category: string; why: string; until: string | null }[];
}

type EraseDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
>;

/**
 * Why a category outlives an erasure request, or undefined when it must go now: a purpose the
 * policy marks `protected` (Moodle's flag: a legal duty to keep the data, GDPR Art. 17(3)(b),
 * PIPEDA 4.5.3) — kept until its retention rule ends it, and named in the answer with its law.
 */
function legalDuty(active: ActivePolicy, categoryId: string): string | undefined {
  const language = active.policy.document.organisation.default_language;
  for (const purpose of active.policy.purposesByCategory.get(categoryId) ?? []) {
    if (!purpose.definition.protected) {
      continue;
    }
    const laws = Object.values(purpose.definition.lawful_basis).flatMap((basis) =>
      basis.basis === 'legal-obligation'
        ? [basis.law[language] ?? Object.values(basis.law)[0] ?? '']
        : [],
    );
    return `${purpose.id}: ${laws.length > 0 ? `legal obligation (${laws.join('; ')})` : 'kept by the policy over erasure'}`;
  }
  return undefined;
}

/**
 * Carries out an erasure request (GDPR Art. 17, PIPEDA 4.5.3, Law 1581 Art. 8(e)):
 * 1. the deletion request is recorded as the `deletion-requested` retention event, so what the
 *    policy says happens on request (careerexplorer: the account deleted, assessments anonymised)
 *    is done now, by the same sweep as scheduled retention;
 * 2. every category left goes too — deleted and its key destroyed — unless a `protected`
 *    purpose (a legal obligation to keep it) keeps it (kexara: payment records, 7 years for the tax authority) or a legal hold covers it;
 *    those are kept until their retention rule ends them, and the answer says why and until when;
 * 3. when nothing is left, the person is erased whole (their keys crypto-shredded).
 * Destroyed keys owe an organisation-key rotation, which is deferred and shared (see
 * `completePendingShredsEverywhere`): per erasure it would re-wrap every key of the organisation.
 */
export async function eraseForRequest(
  deps: EraseDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  personId: string,
  requestId: string,
): Promise<ErasureOutcome> {
  const now = deps.clock.now();
  const system = systemActor(scope.organizationId);
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const people = createPersonStore(deps.store.db);
  const before = new Set((await people.values(scope, personId)).map((row) => row.categoryId));
  // An erasure request is a deletion request, and it ends the account: the clocks of whatever a
  // legal duty keeps (kexara: payments 7 years from the transaction; an account kept a year after
  // closing) start now, so the kept rest is deleted on time by scheduled retention.
  const events = await createRetentionStore(deps.store.db).eventsFor(scope, personId);
  const recorded = new Set(
    events.filter((event) => event.personId !== null).map((event) => event.trigger),
  );
  await inTransaction(deps.store, async (trx) => {
    for (const trigger of ['deletion-requested', 'account-closed'] as const) {
      if (!recorded.has(trigger)) {
        await createRetentionStore(trx).insertEvent(scope, {
          id: deps.ids.next(),
          personId,
          trigger,
          occurredAt: now.toISOString(),
          recordedBy: `rights-request:${requestId}`,
          recordedAt: now.toISOString(),
        });
      }
    }
  });
  const swept = await runRetentionForPerson(deps, system, scope.organizationId, personId, now, {
    rotateNow: false,
  });
  const person = await people.findById(scope, personId);
  const anonymised = swept.categoriesAnonymised > 0 ? anonymisedCategories(active, before) : [];
  if (person === undefined) {
    // The policy's own deletion-request rules ended everything: erased whole by the sweep.
    return {
      erasedWhole: true,
      deleted: [...before].filter((category) => !anonymised.includes(category)).sort(),
      anonymised,
      kept: [],
    };
  }
  const context = await planningContext(deps.store.db, scope, active, now);
  const entries = await planPerson(keyDeps, deps.store.db, context, person);
  const left = [...new Set((await people.values(scope, personId)).map((row) => row.categoryId))];
  const kept: ErasureOutcome['kept'] = [];
  const toDelete: string[] = [];
  for (const categoryId of left) {
    const entry = entries.find((candidate) => candidate.category === categoryId);
    const hold = holdCovering(context.holds, personId, categoryId, now.toISOString());
    const duty = legalDuty(active, categoryId);
    if (hold !== undefined) {
      kept.push({
        category: categoryId,
        why: `legal hold ${hold.id}`,
        until: hold.expiresAt,
      });
    } else if (duty !== undefined) {
      kept.push({ category: categoryId, why: duty, until: entry?.dueAt ?? null });
    } else {
      toDelete.push(categoryId);
    }
  }
  await inTransaction(deps.store, async (trx) => {
    if (kept.length === 0) {
      await erasePersonIn(keyDeps, trx, scope, personId, {
        actor: { actorType: 'system', actorId: null },
        origin: undefined,
        action: 'rights.person-erased',
        details: { requestId, categories: toDelete },
        deferRotation: true,
      });
      return;
    }
    for (const categoryId of toDelete) {
      await eraseCategoryIn(
        keyDeps,
        trx,
        scope,
        active,
        { personId, categoryId },
        { actorType: 'system', actorId: null },
      );
    }
    await writeAuditEvent(keyDeps, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'rights.categories-erased',
      outcome: 'success',
      subjectId: personId,
      details: { requestId, deleted: toDelete, kept },
    });
  });
  // The keys are destroyed now; the organisation-key rotation they owe is shared with the other
  // erasures of the minute (`completePendingShredsEverywhere` in serve's tick, or the next sweep).
  return {
    erasedWhole: kept.length === 0,
    deleted: [...before]
      .filter((category) => !kept.some((entry) => entry.category === category))
      .filter((category) => !anonymised.includes(category))
      .sort(),
    anonymised,
    kept,
  };
}

/** Categories the policy anonymises on a deletion request (what the sweep just did to them). */
function anonymisedCategories(active: ActivePolicy, held: ReadonlySet<string>): string[] {
  return [...held]
    .filter((categoryId) =>
      (active.policy.retentionByCategory.get(categoryId) ?? []).some(
        (rule) =>
          rule.definition.trigger === 'deletion-requested' &&
          rule.definition.action === 'anonymise',
      ),
    )
    .sort();
}

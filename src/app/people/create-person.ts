import { z } from 'zod';
import { validatePersonalData } from '../../domain/personal-data-validation.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import {
  consentedPurposesOf,
  DATE_OF_BIRTH_FIELD,
  loadPersonFacts,
} from '../consents/person-facts.js';
import {
  isMarketingConsent,
  recordConsentIn,
  RecordConsentRequest,
} from '../consents/record-consent.js';
import { refuseBelowMinimumAge } from './minimum-age.js';
import { LinkGuardianRequest } from './link-guardian.js';
import {
  governingCategoryIds,
  requireActivePolicy,
  requireConsentBasis,
  requireDataAccess,
  requirePerson,
  storeCategories,
  throwIfInvalid,
} from './people-support.js';

export const PersonalData = z
  .record(z.string().max(64), z.record(z.string().max(64), z.unknown()))
  .describe('category id → field name → value, as the active policy declares them');

export const CreatePersonRequest = z.strictObject({
  subjectKind: z.string().min(1).max(64),
  externalReference: z.string().min(1).max(200).optional(),
  data: PersonalData.default({}),
  guardians: z
    .array(LinkGuardianRequest)
    .max(10)
    .default([])
    .describe('Guardians (existing people) linked to the new person first, so they can consent'),
  consents: z
    .array(RecordConsentRequest)
    .max(20)
    .default([])
    .describe('Consents recorded with the person, before their data: what it may rest on'),
});
export type CreatePersonRequest = z.input<typeof CreatePersonRequest>;

export const CreatedPerson = z.object({
  id: z.string(),
  subjectKind: z.string(),
  policyVersionId: z.string(),
  categories: z.array(z.string()).describe('The categories stored'),
});
export type CreatedPerson = z.infer<typeof CreatedPerson>;

/**
 * Records a person under the active policy: their kind must be one the policy declares, every
 * category and field must be declared (data minimisation), the role must be allowed to write each
 * category, and encrypted categories are encrypted under the person's own key. A person below the
 * policy's minimum age whose kind may not be a child is refused and nothing is kept. Guardians and
 * consents given with the request are linked and recorded first; then every category must have a
 * lawful basis (a consent where it rests on one). One transaction: the person, their links,
 * consents, values and the audit entries commit together or not at all.
 */
export async function createPerson(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  request: z.output<typeof CreatePersonRequest>,
  context: { origin: RequestOrigin | undefined; purpose?: string | undefined },
): Promise<CreatedPerson> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  if (!active.policy.document.subjects.some((subject) => subject.id === request.subjectKind)) {
    throw new AppError('VALIDATION_FAILED', 'The kind of person is not one the policy declares.', {
      details: {
        issues: [
          {
            path: 'subjectKind',
            message: `must be one of ${active.policy.document.subjects.map((subject) => subject.id).join(', ')}`,
          },
        ],
      },
    });
  }
  const { categories, issues } = validatePersonalData(
    active.policy,
    request.subjectKind,
    request.data,
    {
      requireComplete: true,
    },
  );
  throwIfInvalid(issues);
  // A record without data still needs write permission on its kind: see governingCategoryIds.
  requireDataAccess(
    active,
    principal.role,
    categories.length > 0
      ? categories.map((category) => category.categoryId)
      : governingCategoryIds(active, request.subjectKind),
    'write',
    context.purpose,
  );
  const dateOfBirth = categories
    .flatMap((category) => category.values)
    .find((entry) => entry.field === DATE_OF_BIRTH_FIELD)?.text;
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  await refuseBelowMinimumAge(keyDeps, deps.store, scope, active, {
    subjectKind: request.subjectKind,
    dateOfBirth,
    actor: actorOf(principal),
    origin: context.origin,
  });
  for (const guardian of request.guardians) {
    await requirePerson(deps.store.db, scope, guardian.guardianId);
  }
  const id = deps.ids.next();
  const at = deps.clock.now().toISOString();
  await inTransaction(deps.store, async (trx) => {
    const people = createPersonStore(trx);
    if (
      request.externalReference !== undefined &&
      (await people.findByExternalReference(scope, request.externalReference)) !== undefined
    ) {
      throw new AppError('CONFLICT', 'A person with this external reference already exists.', {
        details: { issues: [{ path: 'externalReference', message: 'already in use' }] },
      });
    }
    await people.insert(scope, {
      id,
      subjectKind: request.subjectKind,
      externalReference: request.externalReference ?? null,
      policyVersionId: active.versionId,
      createdAt: at,
      createdBy: principal.userId,
    });
    const person = await requirePerson(trx, scope, id);
    for (const guardian of request.guardians) {
      await people.linkGuardian(scope, {
        guardianId: guardian.guardianId,
        minorId: id,
        relationship: guardian.relationship,
        createdAt: at,
      });
    }
    // Marketing opt-ins are recorded after the data: the suppression list is checked against the
    // addresses the data brings. The others come first: they are the data's lawful basis.
    const marketing = request.consents.filter((consent) =>
      isMarketingConsent(active, consent.consent),
    );
    const recordAll = async (consents: typeof request.consents) => {
      const facts = await loadPersonFacts(keyDeps, trx, scope, active, person, { dateOfBirth });
      for (const consent of consents) {
        await recordConsentIn(
          keyDeps,
          trx,
          scope,
          active,
          person,
          facts,
          consent,
          { kind: 'staff', principal },
          context.origin,
        );
      }
    };
    await recordAll(request.consents.filter((consent) => !marketing.includes(consent)));
    const facts = await loadPersonFacts(keyDeps, trx, scope, active, person, { dateOfBirth });
    const pending = consentedPurposesOf(
      active,
      marketing.map((consent) => ({ consentId: consent.consent })),
    );
    requireConsentBasis(
      active,
      categories.map((category) => category.categoryId),
      'write',
      context.purpose,
      { consentedPurposes: new Set([...facts.consent.consentedPurposes, ...pending]) },
    );
    await storeCategories(keyDeps, trx, scope, id, categories, {
      policyVersionId: active.versionId,
      at,
    });
    await recordAll(marketing);
    await writeAuditEvent(keyDeps, trx, scope, context.origin, {
      ...actorOf(principal),
      action: 'person.create',
      outcome: 'success',
      subjectId: id,
      details: {
        categories: categories.map((category) => category.categoryId),
        purpose: context.purpose ?? null,
        policyVersionId: active.versionId,
        guardians: request.guardians.map((guardian) => guardian.guardianId),
        consents: request.consents.map((consent) => consent.consent),
      },
    });
  });
  return {
    id,
    subjectKind: request.subjectKind,
    policyVersionId: active.versionId,
    categories: categories.map((category) => category.categoryId),
  };
}

import { z } from 'zod';
import { validatePersonalData } from '../../domain/personal-data-validation.js';
import { inTransaction } from '../../store/db.js';
import { DATE_OF_BIRTH_FIELD, loadPersonFacts } from '../consents/person-facts.js';
import { eraseIfBelowMinimumAge } from './minimum-age.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { PersonalData } from './create-person.js';
import {
  requireActivePolicy,
  requireConsentBasis,
  requireDataAccess,
  requirePerson,
  storeCategories,
  throwIfInvalid,
} from './people-support.js';

export const UpdatePersonDataRequest = z.strictObject({ data: PersonalData });
export type UpdatePersonDataRequest = z.input<typeof UpdatePersonDataRequest>;

/**
 * Writes (adds or corrects) fields of one or more categories; fields not named stay as they are.
 * Checked against the active policy like a new record, and audited with the categories and
 * fields changed (never their values).
 */
export async function updatePersonData(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  request: z.output<typeof UpdatePersonDataRequest>,
  context: { origin: RequestOrigin | undefined; purpose?: string | undefined },
): Promise<{ categories: string[] }> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, personId);
  const { categories, issues } = validatePersonalData(
    active.policy,
    person.subjectKind,
    request.data,
    {
      requireComplete: false,
    },
  );
  throwIfInvalid(issues);
  const categoryIds = categories.map((category) => category.categoryId);
  requireDataAccess(active, principal.role, categoryIds, 'write', context.purpose);
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const dateOfBirth = categories
    .flatMap((category) => category.values)
    .find((entry) => entry.field === DATE_OF_BIRTH_FIELD)?.text;
  await eraseIfBelowMinimumAge(keyDeps, deps.store, scope, active, person, {
    dateOfBirth,
    actor: actorOf(principal),
    origin: context.origin,
  });
  const facts = await loadPersonFacts(keyDeps, deps.store.db, scope, active, person, {
    dateOfBirth,
  });
  requireConsentBasis(active, categoryIds, 'write', context.purpose, facts.consent);
  const at = deps.clock.now().toISOString();
  await inTransaction(deps.store, async (trx) => {
    await storeCategories(keyDeps, trx, scope, personId, categories, {
      policyVersionId: active.versionId,
      at,
    });
    await writeAuditEvent(keyDeps, trx, scope, context.origin, {
      ...actorOf(principal),
      action: 'person.write',
      outcome: 'success',
      subjectId: personId,
      details: {
        categories: categoryIds,
        fields: Object.fromEntries(
          categories.map((category) => [
            category.categoryId,
            category.values.map((value) => value.field),
          ]),
        ),
        purpose: context.purpose ?? null,
      },
    });
  });
  return { categories: categoryIds };
}

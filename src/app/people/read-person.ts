import { z } from 'zod';
import { decideDataAccess } from '../../domain/access-decision.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore, type PersonalValueRow } from '../../store/person-store.js';
import { createProgramStore } from '../../store/program-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { loadPersonFacts } from '../consents/person-facts.js';
import { categoryValues, requireActivePolicy } from './people-support.js';

export const PersonView = z.object({
  id: z.string(),
  subjectKind: z.string(),
  externalReference: z.string().nullable(),
  policyVersionId: z.string(),
  createdAt: z.string(),
  lastEnrollmentAt: z.string().nullable(),
  data: z
    .record(z.string(), z.record(z.string(), z.string()))
    .describe('category → field → value, only the categories this role may read'),
  withheld: z
    .array(z.object({ category: z.string(), reason: z.string() }))
    .describe('Categories held about the person that this role may not read, and why'),
  erased: z
    .array(z.string())
    .describe(
      'Encrypted categories unreadable for ever: the person’s data key was destroyed (crypto-shredding); plain categories still show',
    ),
  guardians: z.array(z.object({ guardianId: z.string(), relationship: z.string() })),
  enrollments: z.array(
    z.object({ id: z.string(), programId: z.string(), status: z.string(), enrolledAt: z.string() }),
  ),
});
export type PersonView = z.infer<typeof PersonView>;

export function groupByCategory(
  rows: readonly PersonalValueRow[],
): Map<string, PersonalValueRow[]> {
  const groups = new Map<string, PersonalValueRow[]>();
  for (const row of rows) {
    const group = groups.get(row.categoryId);
    if (group === undefined) {
      groups.set(row.categoryId, [row]);
    } else {
      group.push(row);
    }
  }
  return groups;
}

/**
 * Reads a person: every category passes the access decision; the ones this role may not read are
 * left out and listed in `withheld`, the others decrypted where encrypted. The read is audited with
 * the categories shown and withheld (never the values: ASVS 8.3.5), and so is a read of an id that
 * does not exist in the caller's organisation.
 */
export async function readPerson(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  context: { origin: RequestOrigin | undefined; purpose?: string | undefined },
): Promise<PersonView> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const auditDeps = { ...deps, dialect: deps.store.dialect };
  const people = createPersonStore(deps.store.db);
  const person = await people.findById(scope, personId);
  if (person === undefined) {
    await inTransaction(deps.store, (trx) =>
      writeAuditEvent(auditDeps, trx, scope, context.origin, {
        ...actorOf(principal),
        action: 'person.read',
        outcome: 'denied',
        subjectId: personId,
        details: { reason: 'not-found' },
      }),
    );
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  // Consent and age are facts of this instant: a consent withdrawn a second ago counts as gone.
  const values = await people.values(scope, personId);
  const facts = await loadPersonFacts(auditDeps, deps.store.db, scope, active, person, { values });
  const data: Record<string, Record<string, string>> = {};
  const withheld: { category: string; reason: string }[] = [];
  const erased: string[] = [];
  for (const [categoryId, rows] of groupByCategory(values)) {
    const decision = decideDataAccess(
      active.policy,
      principal.role,
      categoryId,
      'read',
      context.purpose,
      facts.consent,
    );
    if (!decision.allowed) {
      withheld.push({ category: categoryId, reason: decision.reason });
      continue;
    }
    const shown = await categoryValues(auditDeps, deps.store.db, scope, personId, categoryId, rows);
    if (shown === 'erased') {
      // Crypto-shredded: what remains are ciphertexts nobody can open (GDPR Art. 17 done).
      erased.push(categoryId);
      continue;
    }
    data[categoryId] = shown;
  }
  const guardians = await people.guardiansOf(scope, personId);
  const enrollments = await createProgramStore(deps.store.db).enrollmentsOf(scope, personId);
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(auditDeps, trx, scope, context.origin, {
      ...actorOf(principal),
      action: 'person.read',
      outcome: 'success',
      subjectId: personId,
      details: {
        categories: Object.keys(data),
        withheld: withheld.map((entry) => entry.category),
        erased,
        purpose: context.purpose ?? null,
      },
    }),
  );
  return {
    id: person.id,
    subjectKind: person.subjectKind,
    externalReference: person.externalReference,
    policyVersionId: person.policyVersionId,
    createdAt: person.createdAt,
    lastEnrollmentAt: person.lastEnrollmentAt,
    data,
    withheld,
    erased,
    guardians: guardians.map((link) => ({
      guardianId: link.guardianId,
      relationship: link.relationship,
    })),
    enrollments: enrollments.map((enrollment) => ({
      id: enrollment.id,
      programId: enrollment.programId,
      status: enrollment.status,
      enrolledAt: enrollment.enrolledAt,
    })),
  };
}

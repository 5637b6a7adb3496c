import { z } from 'zod';
import { newSecret } from '../../crypto/tokens.js';
import { ADMINISTRATOR_ROLE } from '../../domain/staff-permissions.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { Password } from '../staff/create-staff-user.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps } from '../context.js';

export const InitializeOrganizationRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 lower-case letters, digits and dashes'),
  adminEmail: z.email().max(320),
  adminName: z.string().trim().min(1).max(200).default('Administrator'),
  /** Omit to have one generated and returned once. */
  adminPassword: Password.optional(),
});
export type InitializeOrganizationRequest = z.input<typeof InitializeOrganizationRequest>;

export interface InitializedOrganization {
  organizationId: string;
  slug: string;
  adminUserId: string;
  adminEmail: string;
  generatedPassword?: string;
}

/** Creates an organisation and its first administrator, in one transaction, audited. */
export async function initializeOrganization(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'passwords'>,
  parsed: z.output<typeof InitializeOrganizationRequest>,
): Promise<InitializedOrganization> {
  const generatedPassword = parsed.adminPassword === undefined ? newSecret() : undefined;
  const passwordHash = await deps.passwords.hash(parsed.adminPassword ?? generatedPassword ?? '');
  const now = deps.clock.now().toISOString();
  const organizationId = deps.ids.next();
  const adminUserId = deps.ids.next();
  const scope = scopeOf(organizationId);
  const email = parsed.adminEmail.toLowerCase();
  await inTransaction(deps.store, async (trx) => {
    const organizations = createOrganizationStore(trx);
    if ((await organizations.findBySlug(parsed.slug)) !== undefined) {
      throw new AppError('CONFLICT', `An organisation with slug "${parsed.slug}" already exists.`, {
        details: { issues: [{ path: 'slug', message: 'already in use' }] },
      });
    }
    await organizations.insert({
      id: organizationId,
      slug: parsed.slug,
      name: parsed.name,
      createdAt: now,
    });
    await createStaffUserStore(trx).insert(scope, {
      id: adminUserId,
      email,
      displayName: parsed.adminName,
      role: ADMINISTRATOR_ROLE,
      passwordHash,
      mfaRequired: false,
      createdAt: now,
    });
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'organization.initialize',
      outcome: 'success',
      subjectId: adminUserId,
      details: { slug: parsed.slug },
    });
  });
  const result = { organizationId, slug: parsed.slug, adminUserId, adminEmail: email };
  return generatedPassword === undefined ? result : { ...result, generatedPassword };
}

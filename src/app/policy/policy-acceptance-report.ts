import { z } from 'zod';
import { AppError } from '../../errors.js';
import { createPolicyChangeNoticeStore } from '../../store/policy-change-notice-store.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { authorizeSystemAction } from '../authorize.js';
import type { Actor, AppDeps } from '../context.js';
import { acceptanceModeOf, assessPolicyChange } from './announce-policy-version.js';

const PersonIds = z.array(z.string());

export const PolicyAcceptanceReport = z.object({
  policyVersionId: z.string(),
  version: z.string(),
  status: z.enum(['draft', 'active', 'archived']),
  effectiveAt: z.string().nullable().describe('The announced date; null if never announced'),
  acceptance: z
    .enum(['explicit', 'continued-use', 'not-required'])
    .describe(
      'What counts as acceptance: an explicit one (re-acceptance required), continued use after effectiveAt, or nothing (notice only)',
    ),
  counts: z.object({
    affected: z.number().int(),
    notified: z.number().int(),
    notNotified: z.number().int(),
    accepted: z.number().int(),
    continuedUse: z.number().int(),
    pending: z.number().int(),
  }),
  notified: PersonIds.describe('People told, themselves or through their guardians'),
  notNotified: z
    .array(z.object({ personId: z.string(), reason: z.string() }))
    .describe(
      'People the notice did not reach, with why (no-address, no-guardian, the mail server…)',
    ),
  accepted: PersonIds.describe('People who accepted this version, by any method'),
  continuedUse: PersonIds.describe('Of those, people whose continued use was their acceptance'),
  pending: PersonIds.describe('Affected people who have not accepted this version'),
});
export type PolicyAcceptanceReport = z.infer<typeof PolicyAcceptanceReport>;

/**
 * Who was told of an announced version and who has accepted it since: the re-acceptance tracking
 * of a policy change. "Affected" is everyone a notice row was written for (each person once, a
 * child through their guardians); acceptances are those of this very version.
 */
export async function policyAcceptanceReport(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  principal: Actor,
  organizationId: string,
  versionId: string,
): Promise<PolicyAcceptanceReport> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-policy',
  );
  const versions = createPolicyVersionStore(deps.store.db);
  const row = await versions.findById(scope, versionId);
  const target =
    row === undefined ? undefined : await deps.policies.version(deps.store.db, scope, versionId);
  if (row === undefined || target === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const announcement = await versions.announcementOf(scope, versionId);
  const over =
    announcement === undefined
      ? undefined
      : await deps.policies.version(deps.store.db, scope, announcement.announcedOverVersionId);
  const requiresReacceptance =
    over !== undefined && assessPolicyChange(over, target).requiresReacceptance;
  const rows = await createPolicyChangeNoticeStore(deps.store.db).withAcceptances(scope, versionId);
  const idsOf = (predicate: (notice: (typeof rows)[number]) => boolean): string[] =>
    rows.filter(predicate).map((notice) => notice.personId);
  const notified = idsOf((notice) => notice.sentAt !== null);
  const notNotified = rows
    .filter((notice) => notice.sentAt === null)
    .map((notice) => ({ personId: notice.personId, reason: notice.failure ?? 'unknown' }));
  const accepted = idsOf((notice) => notice.acceptedAt !== null);
  const continuedUse = idsOf((notice) => notice.acceptanceMethod === 'continued-use');
  const pending = idsOf((notice) => notice.acceptedAt === null);
  return {
    policyVersionId: versionId,
    version: target.version,
    status: row.status,
    effectiveAt: announcement?.effectiveAt ?? null,
    acceptance: acceptanceModeOf(target, requiresReacceptance),
    counts: {
      affected: rows.length,
      notified: notified.length,
      notNotified: notNotified.length,
      accepted: accepted.length,
      continuedUse: continuedUse.length,
      pending: pending.length,
    },
    notified,
    notNotified,
    accepted,
    continuedUse,
    pending,
  };
}

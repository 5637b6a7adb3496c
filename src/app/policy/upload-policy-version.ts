import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { checkPolicySource } from '../../policy/check.js';
import { formatPath } from '../../policy/problem.js';
import { inTransaction } from '../../store/db.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actingUserId, actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';

export const UploadPolicyVersionRequest = z.strictObject({
  /** The policy file's YAML text. */
  source: z.string().min(1).max(2_000_000),
  /** A name for the file in problem messages. */
  fileName: z.string().min(1).max(200).default('policy.yaml'),
});
export type UploadPolicyVersionRequest = z.input<typeof UploadPolicyVersionRequest>;

export const PolicyVersionView = z.object({
  id: z.string(),
  version: z.string(),
  status: z.enum(['draft', 'active', 'archived']),
  sourceSha256: z.string(),
  uploadedBy: z.string().nullable(),
  uploadedAt: z.string(),
  activatedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
});
export type PolicyVersionView = z.infer<typeof PolicyVersionView>;

/**
 * Stores a policy file as a draft version after it passes `policy check`; a file with problems is
 * refused with each one as `line:column: message` at its path. Drafts change nothing until
 * activated.
 */
export async function uploadPolicyVersion(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies'>,
  principal: Actor,
  organizationId: string,
  request: z.output<typeof UploadPolicyVersionRequest>,
  origin: RequestOrigin | undefined,
): Promise<PolicyVersionView> {
  const { scope } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-policy',
  );
  const result = checkPolicySource(request.fileName, request.source);
  if (!result.ok) {
    throw new AppError('VALIDATION_FAILED', 'The policy does not pass its check.', {
      details: {
        issues: result.problems.map((problem) => ({
          path: `source.${formatPath(problem.path) || '(root)'}`,
          message: `${problem.line}:${problem.column}: ${problem.message}`,
        })),
      },
    });
  }
  const row = {
    id: deps.ids.next(),
    version: result.policy.document.organisation.policy_version,
    source: request.source,
    sourceSha256: createHash('sha256').update(request.source).digest('hex'),
    uploadedBy: actingUserId(principal),
    uploadedAt: deps.clock.now().toISOString(),
  };
  await inTransaction(deps.store, async (trx) => {
    await createPolicyVersionStore(trx).insert(scope, row);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'policy.upload',
      outcome: 'success',
      subjectId: null,
      details: { policyVersionId: row.id, version: row.version, sha256: row.sourceSha256 },
    });
  });
  return {
    id: row.id,
    version: row.version,
    status: 'draft',
    sourceSha256: row.sourceSha256,
    uploadedBy: row.uploadedBy,
    uploadedAt: row.uploadedAt,
    activatedAt: null,
    archivedAt: null,
  };
}

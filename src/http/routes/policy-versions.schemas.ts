import { z } from 'zod';
import { ActivatePolicyVersionRequest } from '../../app/policy/activate-policy-version.js';
import {
  AnnouncedPolicyVersion,
  AnnouncePolicyVersionRequest,
} from '../../app/policy/announce-policy-version.js';
import { PolicyAcceptanceReport } from '../../app/policy/policy-acceptance-report.js';
import { PrivacyNoticeQuery } from '../../app/policy/publish-privacy-notice.js';
import {
  PolicyVersionView,
  UploadPolicyVersionRequest,
} from '../../app/policy/upload-policy-version.js';
import { Id } from '../common.schemas.js';

export {
  ActivatePolicyVersionRequest,
  AnnouncedPolicyVersion,
  AnnouncePolicyVersionRequest,
  PolicyAcceptanceReport,
  PolicyVersionView,
  PrivacyNoticeQuery,
  UploadPolicyVersionRequest,
};

export const PolicyVersionParams = z.strictObject({ organizationId: Id, versionId: Id });

export const PolicyVersionsResponse = z.object({ versions: z.array(PolicyVersionView) });

export const ActivatedPolicyVersionResponse = z.object({
  id: z.string(),
  version: z.string(),
  previousVersionId: z.string().nullable(),
  significantChanges: z
    .number()
    .int()
    .describe('Changes against the previous version that the notice must announce'),
  requiresReacceptance: z
    .boolean()
    .describe(
      'Whether its changes need everyone’s acceptance again (older acceptances stop counting)',
    ),
  rolesAssigned: z.number().int(),
});

export const PrivacyNoticeParams = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be an organisation slug'),
});

export const PolicyVersionNoticeParams = z.strictObject({
  slug: PrivacyNoticeParams.shape.slug,
  versionId: Id,
});

export const PrivacyNoticeText = z
  .string()
  .describe('The notice rendered from the policy the organisation enforces right now');

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createConsentStore } from '../../store/consent-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { decryptSubjectFields } from '../keys/decrypt-subject-fields.js';
import { CONSENT_EVIDENCE_KEY } from '../keys/key-hierarchy.js';
import { authorizeConsentWork, isErasedKeyError } from '../people/people-support.js';

export const ConsentEvidence = z.object({
  recordId: z.string(),
  mediaType: z.string(),
  base64: z.string().describe('The scanned form as it was stored'),
});
export type ConsentEvidence = z.infer<typeof ConsentEvidence>;

/**
 * The scan kept as evidence of a consent (kajuyali §5.2: the signed paper form), decrypted for a
 * role that may read the person's consents: what the organisation shows when asked to prove
 * consent (GDPR Art. 7(1)). Audited like a read of personal data — the scan shows a signature.
 */
export async function readConsentEvidence(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>,
  principal: Principal,
  organizationId: string,
  personId: string,
  recordId: string,
  origin: RequestOrigin | undefined,
): Promise<ConsentEvidence> {
  const { scope } = await authorizeConsentWork(
    deps,
    principal,
    organizationId,
    personId,
    undefined,
    'read',
  );
  const stored = await createConsentStore(deps.store.db).evidence(scope, recordId);
  if (stored?.personId !== personId || stored.evidence === null || stored.mediaType === null) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const auditDeps = { ...deps, dialect: deps.store.dialect };
  let plain: Record<string, string>;
  try {
    plain = await decryptSubjectFields(auditDeps, deps.store.db, scope, {
      subjectId: personId,
      category: 'consent-evidence',
      keyCategory: CONSENT_EVIDENCE_KEY,
      fields: { [recordId]: stored.evidence },
    });
  } catch (error) {
    if (isErasedKeyError(error)) {
      throw new AppError('DATA_ERASED', 'This person’s data was erased, the scan with it.');
    }
    throw error;
  }
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(auditDeps, trx, scope, origin, {
      ...actorOf(principal),
      action: 'consent.evidence-read',
      outcome: 'success',
      subjectId: personId,
      details: { recordId },
    }),
  );
  return { recordId, mediaType: stored.mediaType, base64: plain[recordId] ?? '' };
}

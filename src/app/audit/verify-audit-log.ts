import { createCheckpointVerifier } from '../../crypto/audit-signer.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import {
  checkpointNote,
  createChainVerifier,
  type ChainProblem,
} from '../../domain/audit-chain.js';
import { createAuditStore } from '../../store/audit-store.js';
import type { Store } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { trustedAuditPublicKeys } from './audit-signing-keys.js';

export interface AuditVerification {
  organizationId: string;
  slug: string;
  entriesChecked: number;
  checkpointsChecked: number;
  problems: ChainProblem[];
}

const PAGE = 5000;

/**
 * Verifies the audit chain of one organisation (by id or slug) or of all, page by page in bounded
 * memory, against checkpoints signed by a trusted key: one whose seed unwraps with the master key,
 * or one of `extraPublicKeysPem` (an external auditor's copy of the published keys).
 */
export async function verifyAuditLog(
  deps: { store: Store; masterKeys: MasterKeyProvider | undefined },
  options: { organization?: string; extraPublicKeysPem?: readonly string[] } = {},
): Promise<AuditVerification[]> {
  const organizations = createOrganizationStore(deps.store.db);
  const all = await organizations.list();
  const selected =
    options.organization === undefined
      ? all
      : all.filter((org) => org.id === options.organization || org.slug === options.organization);
  const audit = createAuditStore(deps.store.db, deps.store.dialect);
  const results: AuditVerification[] = [];
  for (const organization of selected) {
    const scope = scopeOf(organization.id);
    const checkpoints = await audit.listCheckpoints(scope);
    const keys =
      deps.masterKeys === undefined
        ? { trusted: [], untrusted: [] }
        : await trustedAuditPublicKeys({ store: deps.store, masterKeys: deps.masterKeys }, scope);
    const verifySignature = createCheckpointVerifier([
      ...keys.trusted,
      ...(options.extraPublicKeysPem ?? []),
    ]);
    const verifier = createChainVerifier(checkpoints, (checkpoint) =>
      verifySignature(checkpointNote(checkpoint), checkpoint.keyId, checkpoint.signature),
    );
    let after = 0;
    for (;;) {
      const page = await audit.chainPage(scope, after, PAGE);
      for (const entry of page) {
        verifier.push(entry);
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) {
        break;
      }
      after = last.sequence;
    }
    results.push({
      organizationId: organization.id,
      slug: organization.slug,
      entriesChecked: verifier.entriesChecked,
      checkpointsChecked: checkpoints.length,
      problems: verifier.finish(),
    });
  }
  return results;
}

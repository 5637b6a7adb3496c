import { Readable } from 'node:stream';
import { activatePolicyVersion } from '../policy/activate-policy-version.js';
import { uploadPolicyVersion } from '../policy/upload-policy-version.js';
import { importPeople, type ImportSource } from '../people/import-people.js';
import { systemActor, type AppDeps } from '../context.js';
import { initializeOrganization, type InitializedOrganization } from './initialize-organization.js';

export interface DemoSeed {
  slug: string;
  name: string;
  adminEmail: string;
  /** The policy the demo organisation enforces, as YAML, and the role its administrator gets. */
  policy: { fileName: string; source: string; adminRole: string };
  /** Fictional participants to import, as CSV. */
  participantsCsv: string;
}

export interface SeededDemo extends InitializedOrganization {
  policyVersion: string;
  importedPeople: number;
}

/**
 * The demo organisation of `npm start`: created, put under an example policy, and given a few
 * fictional participants through the same use cases as everything else (upload, activate,
 * import), so the demo is enforced exactly as production is.
 */
export async function seedDemoOrganization(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'passwords' | 'policies' | 'masterKeys'>,
  seed: DemoSeed,
): Promise<SeededDemo> {
  const organization = await initializeOrganization(deps, {
    name: seed.name,
    slug: seed.slug,
    adminEmail: seed.adminEmail,
    adminName: 'Demo Administrator',
  });
  const operator = systemActor(organization.organizationId);
  const uploaded = await uploadPolicyVersion(
    deps,
    operator,
    organization.organizationId,
    { source: seed.policy.source, fileName: seed.policy.fileName },
    undefined,
  );
  await activatePolicyVersion(
    deps,
    operator,
    organization.organizationId,
    uploaded.id,
    { assignRoles: { [organization.adminUserId]: seed.policy.adminRole } },
    undefined,
  );
  const source: ImportSource = { open: () => Readable.from([seed.participantsCsv]) };
  const imported = await importPeople(deps, operator, organization.organizationId, source, {
    subjectKind: 'participant',
    dryRun: false,
    batchSize: 500,
  });
  if (imported.outcome !== 'imported') {
    throw new Error(`the demo participants did not import: ${JSON.stringify(imported)}`);
  }
  return { ...organization, policyVersion: uploaded.version, importedPeople: imported.rows };
}

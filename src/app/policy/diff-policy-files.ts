import { diffPolicies, type PolicyDiff } from '../../policy/diff.js';
import type { CheckPolicyFileDeps } from './check-policy-file.js';
import { loadCheckedPolicy, type PolicyLoadFailure } from './load-checked-policy.js';

export interface DiffPolicyFilesInput {
  readonly oldPath: string;
  readonly newPath: string;
}

export type DiffPolicyFilesResult =
  | { readonly kind: 'diffed'; readonly diff: PolicyDiff }
  | { readonly kind: 'failed'; readonly failures: readonly PolicyLoadFailure[] };

/** Reads and checks two versions of a policy, then lists the material changes between them. */
export async function diffPolicyFiles(
  deps: CheckPolicyFileDeps,
  input: DiffPolicyFilesInput,
): Promise<DiffPolicyFilesResult> {
  const [older, newer] = await Promise.all([
    loadCheckedPolicy(deps, input.oldPath),
    loadCheckedPolicy(deps, input.newPath),
  ]);
  if (older.kind !== 'loaded' || newer.kind !== 'loaded') {
    return {
      kind: 'failed',
      failures: [older, newer].filter(
        (outcome): outcome is PolicyLoadFailure => outcome.kind !== 'loaded',
      ),
    };
  }
  return { kind: 'diffed', diff: diffPolicies(older.policy, newer.policy) };
}

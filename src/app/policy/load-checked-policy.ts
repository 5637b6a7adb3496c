import type { CompiledPolicy } from '../../policy/compile.js';
import type { PolicyProblem } from '../../policy/problem.js';
import { checkPolicyFile, type CheckPolicyFileDeps } from './check-policy-file.js';

/** Why a policy file could not be used: it cannot be read, or it fails its check. */
export type PolicyLoadFailure =
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string }
  | {
      readonly kind: 'invalid';
      readonly path: string;
      readonly problems: readonly PolicyProblem[];
    };

export type LoadCheckedPolicyResult =
  | { readonly kind: 'loaded'; readonly path: string; readonly policy: CompiledPolicy }
  | PolicyLoadFailure;

/**
 * Reads, checks and compiles a policy file for the commands that work from a policy (render,
 * ropa, diff): they never run on a policy that fails its check, since what they print would be
 * promises nobody enforces.
 */
export async function loadCheckedPolicy(
  deps: CheckPolicyFileDeps,
  path: string,
): Promise<LoadCheckedPolicyResult> {
  const outcome = await checkPolicyFile(deps, { path });
  if (outcome.kind === 'unreadable') {
    return outcome;
  }
  if (!outcome.result.ok) {
    return { kind: 'invalid', path, problems: outcome.result.problems };
  }
  return { kind: 'loaded', path, policy: outcome.result.policy };
}

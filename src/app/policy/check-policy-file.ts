import { checkPolicySource, type PolicyCheckResult } from '../../policy/check.js';

export interface CheckPolicyFileDeps {
  /** Reads a file as UTF-8 text; rejects when it cannot be read. */
  readTextFile(path: string): Promise<string>;
}

export interface CheckPolicyFileInput {
  /** The path as the user gave it; problems are reported against this name. */
  path: string;
}

export type CheckPolicyFileResult =
  | { readonly kind: 'checked'; readonly path: string; readonly result: PolicyCheckResult }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string };

/**
 * Reads a policy file and checks it. A file that cannot be read is an expected outcome (a typo
 * in a path), returned rather than thrown, so the CLI can tell it apart from a policy's problems.
 */
export async function checkPolicyFile(
  deps: CheckPolicyFileDeps,
  input: CheckPolicyFileInput,
): Promise<CheckPolicyFileResult> {
  let text: string;
  try {
    text = await deps.readTextFile(input.path);
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && typeof error.code === 'string'
        ? error.code
        : error instanceof Error
          ? error.message
          : String(error);
    return { kind: 'unreadable', path: input.path, reason };
  }
  return { kind: 'checked', path: input.path, result: checkPolicySource(input.path, text) };
}

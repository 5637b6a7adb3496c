import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { formatProblem } from '../../src/policy/problem.js';

export const EXAMPLE_NAMES = [
  'kexara',
  'careerexplorer',
  'kindergarten-platform',
  'career-masterclass',
  'kajuyali',
] as const;

export function examplePath(name: string): string {
  return fileURLToPath(new URL(`../../examples/policies/${name}.yaml`, import.meta.url));
}

export function readMinimalPolicy(): string {
  return readFileSync(new URL('./fixtures/minimal.yaml', import.meta.url), 'utf8');
}

/** Checks and compiles an example, failing loudly with its problems when it does not pass. */
export function compileExample(name: string): CompiledPolicy {
  const path = examplePath(name);
  const result = checkPolicySource(`${name}.yaml`, readFileSync(path, 'utf8'));
  if (!result.ok) {
    throw new Error(result.problems.map(formatProblem).join('\n'));
  }
  return result.policy;
}

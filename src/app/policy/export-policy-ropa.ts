import { buildRopa, ropaToCsv } from '../../policy/ropa.js';
import type { Language } from '../../policy/schema.js';
import type { CheckPolicyFileDeps } from './check-policy-file.js';
import { loadCheckedPolicy, type PolicyLoadFailure } from './load-checked-policy.js';

export interface ExportPolicyRopaInput {
  readonly path: string;
  readonly format: 'json' | 'csv';
  /** Language of labels and words; the policy's default language when left out. */
  readonly language?: Language | undefined;
}

export type ExportPolicyRopaResult =
  { readonly kind: 'exported'; readonly text: string } | PolicyLoadFailure;

/** Reads and checks a policy file, then writes its GDPR Art. 30 record of processing. */
export async function exportPolicyRopa(
  deps: CheckPolicyFileDeps,
  input: ExportPolicyRopaInput,
): Promise<ExportPolicyRopaResult> {
  const loaded = await loadCheckedPolicy(deps, input.path);
  if (loaded.kind !== 'loaded') {
    return loaded;
  }
  const ropa = buildRopa(
    loaded.policy,
    input.language === undefined ? {} : { language: input.language },
  );
  return {
    kind: 'exported',
    text: input.format === 'csv' ? ropaToCsv(ropa) : `${JSON.stringify(ropa, null, 2)}\n`,
  };
}

import { renderNotice, type NoticeFormat } from '../../policy/render/render-notice.js';
import type { Language } from '../../policy/schema.js';
import type { CheckPolicyFileDeps } from './check-policy-file.js';
import { loadCheckedPolicy, type PolicyLoadFailure } from './load-checked-policy.js';

export interface RenderPolicyNoticeInput {
  readonly path: string;
  readonly format: NoticeFormat;
  /** The notice language; the policy's default language when left out. */
  readonly language?: Language | undefined;
}

export type RenderPolicyNoticeResult =
  | { readonly kind: 'rendered'; readonly language: Language; readonly text: string }
  | PolicyLoadFailure;

/** Reads and checks a policy file, then renders its privacy notice. */
export async function renderPolicyNotice(
  deps: CheckPolicyFileDeps,
  input: RenderPolicyNoticeInput,
): Promise<RenderPolicyNoticeResult> {
  const loaded = await loadCheckedPolicy(deps, input.path);
  if (loaded.kind !== 'loaded') {
    return loaded;
  }
  const language = input.language ?? loaded.policy.document.organisation.default_language;
  return {
    kind: 'rendered',
    language,
    text: renderNotice(loaded.policy, { format: input.format, language }),
  };
}

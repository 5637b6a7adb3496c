import { z } from 'zod';
import { AppError } from '../../errors.js';
import {
  NOTICE_FORMATS,
  NOTICE_LANGUAGES,
  renderNotice,
  type NoticeFormat,
} from '../../policy/render/render-notice.js';
import type { Language } from '../../policy/schema.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import type { AppDeps } from '../context.js';

export const PrivacyNoticeQuery = z.strictObject({
  /** The notice's language; omitted, the policy's default language. */
  lang: z.enum(NOTICE_LANGUAGES).optional(),
  format: z.enum(NOTICE_FORMATS).default('html'),
});
export type PrivacyNoticeQuery = z.input<typeof PrivacyNoticeQuery>;

/**
 * The privacy notice an organisation publishes, rendered from the policy it enforces right now:
 * what is published is what is enforced. Public: anyone may read a privacy notice.
 */
export async function publishPrivacyNotice(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  input: { slug: string; format: NoticeFormat; language?: Language | undefined },
): Promise<{ language: Language; version: string; text: string }> {
  const organization = await createOrganizationStore(deps.store.db).findBySlug(input.slug);
  const active =
    organization === undefined
      ? undefined
      : await deps.policies.active(deps.store.db, scopeOf(organization.id));
  if (active === undefined) {
    throw new AppError('NOT_FOUND', 'Not found.');
  }
  const language = input.language ?? active.policy.document.organisation.default_language;
  return {
    language,
    version: active.version,
    text: renderNotice(active.policy, { format: input.format, language }),
  };
}

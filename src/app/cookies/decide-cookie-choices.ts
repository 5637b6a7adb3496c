import type { FieldIssue } from '../../errors.js';
import type { PolicyCookie } from './cookie-consent-support.js';

export interface CookieChoicesDecision {
  /** Every cookie the policy declares → allowed. */
  choices: Record<string, boolean>;
  /** Keys the visitor sent that the policy does not declare, as `choices.<id>`. */
  issues: FieldIssue[];
}

/**
 * What is recorded for each declared cookie, from what the visitor chose. A pure rule of the
 * policy and the request:
 *
 * - Strictly necessary cookies are allowed whatever was sent: they need no consent (ePrivacy
 *   Art. 5(3), PECR reg. 6) and the site cannot work without them.
 * - When the Global Privacy Control signal is honoured, every other cookie is refused, whatever
 *   was sent: GPC is a general opt-out the visitor's browser states on their behalf (CCPA regs
 *   § 7025; the policy's `marketing.honour_gpc`).
 * - A cookie that needs consent and was not chosen is refused: silence is not consent (GDPR
 *   Art. 4(11), Recital 32). A cookie the policy allows on an opt-out basis (neither strictly
 *   necessary nor consent-required, possible only outside the GDPR jurisdictions) is allowed
 *   unless refused.
 */
export function decideCookieChoices(
  cookies: readonly PolicyCookie[],
  sent: Readonly<Record<string, boolean>>,
  isGpcHonoured: boolean,
): CookieChoicesDecision {
  const declared = new Set(cookies.map((cookie) => cookie.id));
  const issues = Object.keys(sent)
    .filter((id) => !declared.has(id))
    .map((id) => ({ path: `choices.${id}`, message: 'not a cookie the policy declares' }));
  const choices: Record<string, boolean> = {};
  for (const cookie of cookies) {
    const chosen = Object.hasOwn(sent, cookie.id) ? sent[cookie.id] : undefined;
    if (cookie.strictly_necessary) {
      choices[cookie.id] = true;
    } else if (isGpcHonoured) {
      choices[cookie.id] = false;
    } else {
      choices[cookie.id] = chosen ?? !cookie.consent_required;
    }
  }
  return { choices, issues };
}

import { expect } from 'vitest';
import { logInAdmin, type TestApp, type TestOrganization } from '../support/app.js';
import { examplePolicySource, organizationUrl } from '../support/policy-app.js';

/**
 * Cookie labels that would run script if a banner ever parsed policy text as markup. A policy
 * author (or whoever can upload one) must not be able to run code on the organisation's website.
 */
export const HOSTILE_ANALYTICS_LABEL =
  '<img src=x onerror="window.custodiaPwned=1"><script>window.custodiaPwned=2</script>Analytics';

/** kexara.yaml (essential, analytics, personalisation cookies; honours GPC) with changes. */
export function kexaraPolicySource(changes: { honourGpc?: boolean; hostileLabels?: boolean } = {}) {
  let source = examplePolicySource('kexara');
  if (changes.honourGpc === false) {
    source = replaceOnce(source, 'honour_gpc: true', 'honour_gpc: false');
  }
  if (changes.hostileLabels === true) {
    source = replaceOnce(
      source,
      "en: 'Analytics and performance cookies'",
      `en: '${HOSTILE_ANALYTICS_LABEL}'`,
    );
  }
  return source;
}

function replaceOnce(source: string, search: string, replacement: string): string {
  expect(source.split(search)).toHaveLength(2);
  return source.replace(search, () => replacement);
}

/**
 * Uploads a policy source and activates it for a new organisation (whose administrator takes the
 * policy's `administrator` role). Returns the activated version's id.
 */
export async function activatePolicySource(
  app: TestApp,
  organization: TestOrganization,
  source: string,
): Promise<string> {
  const cookie = await logInAdmin(app, organization);
  const uploaded = await app.server.inject({
    method: 'POST',
    url: `${organizationUrl(organization)}/policy-versions`,
    headers: { cookie },
    payload: { source, fileName: 'policy.yaml' },
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const versionId = uploaded.json<{ id: string }>().id;
  const activated = await app.server.inject({
    method: 'POST',
    url: `${organizationUrl(organization)}/policy-versions/${versionId}/activate`,
    headers: { cookie },
    payload: { assignRoles: { [organization.adminUserId]: 'administrator' } },
  });
  expect(activated.statusCode, activated.body).toBe(200);
  return versionId;
}

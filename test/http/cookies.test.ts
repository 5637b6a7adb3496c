import SwaggerParser from '@apidevtools/swagger-parser';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CookieConsentReceipt } from '../../src/app/cookies/cookie-consent-support.js';
import { COOKIE_CONSENT_RATE_LIMIT_PER_MINUTE } from '../../src/http/routes/cookies.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  activatePolicySource,
  HOSTILE_ANALYTICS_LABEL,
  kexaraPolicySource,
} from '../browser/cookie-policies.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  START,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import { activateExamplePolicy } from '../support/policy-app.js';

function bannerUrl(organization: { slug: string }, query = ''): string {
  return `/api/v1/organizations/${organization.slug}/cookie-banner.js${query}`;
}

function consentsUrl(organization: { slug: string }): string {
  return `/api/v1/organizations/${organization.slug}/cookie-consents`;
}

function recordConsent(
  app: TestApp,
  organization: { slug: string },
  payload: object,
  headers: Record<string, string> = {},
) {
  return app.server.inject({
    method: 'POST',
    url: consentsUrl(organization),
    headers,
    payload,
  });
}

function readConsent(app: TestApp, organization: { slug: string }, visitorId: string) {
  return app.server.inject({
    method: 'GET',
    url: `${consentsUrl(organization)}/${visitorId}`,
  });
}

describeEachDialect('cookie consent', ({ store }) => {
  let app: TestApp;
  /** kexara.yaml: essential (strictly necessary), analytics and personalisation; honours GPC. */
  let kexara: TestOrganization;
  let kexaraVersionId: string;
  /** kexara.yaml with honour_gpc: false. */
  let ignoresGpc: TestOrganization;
  /** kexara.yaml whose analytics label is markup that would run script if parsed. */
  let hostile: TestOrganization;
  /** An organisation that has not activated any policy yet. */
  let withoutPolicy: TestOrganization;

  beforeAll(async () => {
    app = await createTestApp(store());
    kexara = await newOrganization(app);
    ({ versionId: kexaraVersionId } = await activateExamplePolicy(
      app,
      kexara,
      await logInAdmin(app, kexara),
      'kexara',
      'administrator',
    ));
    ignoresGpc = await newOrganization(app);
    await activatePolicySource(app, ignoresGpc, kexaraPolicySource({ honourGpc: false }));
    hostile = await newOrganization(app);
    await activatePolicySource(app, hostile, kexaraPolicySource({ hostileLabels: true }));
    withoutPolicy = await newOrganization(app);
  });

  describe('the banner script', () => {
    it('is JavaScript generated from the active policy’s cookies, in the language asked for', async () => {
      const response = await app.server.inject({
        method: 'GET',
        url: bannerUrl(kexara, '?lang=fr'),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(response.headers['content-language']).toBe('fr');
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      expect(response.headers.etag).toContain(kexaraVersionId);
      // Loaded by a <script> element on the organisation's own site, another origin.
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.body).toContain("Témoins d'analyse et de performance");
      expect(response.body).toContain('Tout refuser');
      expect(response.body).toContain('window.CustodiaCookies');
      expect(response.body).toContain(kexaraVersionId);
    });

    it('falls back to the policy’s default language for a language it does not publish in', async () => {
      for (const query of ['?lang=de', '?lang=pt-BR', '']) {
        const response = await app.server.inject({ method: 'GET', url: bannerUrl(kexara, query) });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.headers['content-language']).toBe('en');
        expect(response.body).toContain('Analytics and performance cookies');
        expect(response.body).toContain('Refuse all');
      }
      const regional = await app.server.inject({
        method: 'GET',
        url: bannerUrl(kexara, '?lang=es-CO'),
      });
      expect(regional.headers['content-language']).toBe('es');
    });

    it('answers 304 while the cached copy is current, so a policy activation is the only change', async () => {
      const first = await app.server.inject({ method: 'GET', url: bannerUrl(kexara, '?lang=en') });
      const etag = first.headers.etag;
      expect(typeof etag).toBe('string');
      const again = await app.server.inject({
        method: 'GET',
        url: bannerUrl(kexara, '?lang=en'),
        headers: { 'if-none-match': String(etag) },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      const otherLanguage = await app.server.inject({
        method: 'GET',
        url: bannerUrl(kexara, '?lang=es'),
        headers: { 'if-none-match': String(etag) },
      });
      expect(otherLanguage.statusCode).toBe(200);
    });

    it('never inserts policy text as markup: labels travel as escaped data and go in through textContent', async () => {
      const response = await app.server.inject({ method: 'GET', url: bannerUrl(hostile) });
      expect(response.statusCode, response.body).toBe(200);
      for (const sink of [
        'innerHTML',
        'outerHTML',
        'insertAdjacentHTML',
        'document.write',
        'eval(',
      ]) {
        expect(response.body).not.toContain(sink);
      }
      expect(response.body).toContain('textContent');
      // The label is there, as data, with every < escaped: no way to close a script element.
      expect(response.body).not.toContain('<img');
      expect(response.body).not.toContain('</script>');
      expect(response.body).toContain(
        JSON.stringify(HOSTILE_ANALYTICS_LABEL).replace(/</g, '\\u003c').replace(/>/g, '\\u003e'),
      );
    });

    it('is 404 for an unknown organisation and for one without an active policy', async () => {
      for (const organization of [{ slug: 'no-such-organisation' }, withoutPolicy]) {
        const response = await app.server.inject({ method: 'GET', url: bannerUrl(organization) });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
    });

    it('refuses a malformed language tag', async () => {
      const response = await app.server.inject({
        method: 'GET',
        url: bannerUrl(kexara, '?lang=%3Cscript%3E'),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: { code: 'VALIDATION_FAILED', issues: [{ path: 'querystring.lang' }] },
      });
    });
  });

  describe('recording choices', () => {
    it('records the choices and returns a receipt; the visitor can read it back', async () => {
      const visitorId = randomUUID();
      const response = await recordConsent(app, kexara, {
        visitorId,
        choices: { analytics: true, personalisation: false },
      });
      expect(response.statusCode, response.body).toBe(201);
      const receipt = response.json<CookieConsentReceipt>();
      expect(receipt).toEqual({
        version: 'custodia-cookie-receipt/1',
        receiptId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        consentTimestamp: START,
        organization: { slug: kexara.slug, name: 'Kexara' },
        policy: {
          versionId: kexaraVersionId,
          version: expect.any(String) as unknown,
          privacyNotice: `/api/v1/privacy-notices/${kexara.slug}`,
        },
        jurisdictions: ['pipeda'],
        visitorId,
        gpc: false,
        choices: { essential: true, analytics: true, personalisation: false },
      });
      const read = await readConsent(app, kexara, visitorId);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toEqual(receipt);
    });

    it('writes an audit entry with the choices and nothing that identifies the visitor', async () => {
      const visitorId = `visitor_${randomUUID().replace(/-/g, '')}`;
      const response = await recordConsent(app, kexara, {
        visitorId,
        choices: { analytics: false, personalisation: true },
      });
      expect(response.statusCode, response.body).toBe(201);
      const receipt = response.json<CookieConsentReceipt>();
      const entries = await createAuditStore(store().db, store().dialect).list(
        scopeOf(kexara.organizationId),
        { action: 'cookie-consent.recorded' },
      );
      const entry = entries.find((candidate) => candidate.subjectId === receipt.receiptId);
      expect(entry).toMatchObject({
        actorType: 'anonymous',
        actorId: null,
        outcome: 'success',
        details: {
          policyVersionId: kexaraVersionId,
          choices: { essential: true, analytics: false, personalisation: true },
          gpc: false,
        },
      });
      expect(JSON.stringify(entry?.details)).not.toContain(visitorId);
    });

    it('answers with the visitor’s latest choices', async () => {
      const visitorId = randomUUID();
      const first = await recordConsent(app, kexara, { visitorId, choices: { analytics: true } });
      expect(first.statusCode, first.body).toBe(201);
      app.clock.advance(60_000);
      const second = await recordConsent(app, kexara, { visitorId, choices: { analytics: false } });
      expect(second.statusCode, second.body).toBe(201);
      const read = await readConsent(app, kexara, visitorId);
      expect(read.json<CookieConsentReceipt>().receiptId).toBe(
        second.json<CookieConsentReceipt>().receiptId,
      );
      expect(read.json<CookieConsentReceipt>().choices.analytics).toBe(false);
    });

    it('records strictly necessary cookies as allowed whatever was sent (ePrivacy Art. 5(3))', async () => {
      const response = await recordConsent(app, kexara, {
        visitorId: randomUUID(),
        choices: { essential: false, analytics: false, personalisation: false },
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<CookieConsentReceipt>().choices).toEqual({
        essential: true,
        analytics: false,
        personalisation: false,
      });
    });

    it('records a cookie that needs consent and was left out as refused: silence is not consent', async () => {
      const response = await recordConsent(app, kexara, { visitorId: randomUUID(), choices: {} });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<CookieConsentReceipt>().choices).toEqual({
        essential: true,
        analytics: false,
        personalisation: false,
      });
    });

    it('kexara: with Sec-GPC: 1 every cookie that needs consent is refused, whatever was chosen', async () => {
      const visitorId = randomUUID();
      const response = await recordConsent(
        app,
        kexara,
        { visitorId, choices: { analytics: true, personalisation: true } },
        { 'sec-gpc': '1' },
      );
      expect(response.statusCode, response.body).toBe(201);
      const receipt = response.json<CookieConsentReceipt>();
      expect(receipt.gpc).toBe(true);
      expect(receipt.choices).toEqual({
        essential: true,
        analytics: false,
        personalisation: false,
      });
      expect((await readConsent(app, kexara, visitorId)).json<CookieConsentReceipt>().gpc).toBe(
        true,
      );
    });

    it('treats any Sec-GPC value but "1" as no signal', async () => {
      const response = await recordConsent(
        app,
        kexara,
        { visitorId: randomUUID(), choices: { analytics: true } },
        { 'sec-gpc': '0' },
      );
      expect(response.json<CookieConsentReceipt>()).toMatchObject({
        gpc: false,
        choices: { analytics: true },
      });
    });

    it('leaves the choices as given when the policy does not honour GPC', async () => {
      const response = await recordConsent(
        app,
        ignoresGpc,
        { visitorId: randomUUID(), choices: { analytics: true, personalisation: false } },
        { 'sec-gpc': '1' },
      );
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<CookieConsentReceipt>()).toMatchObject({
        gpc: false,
        choices: { essential: true, analytics: true, personalisation: false },
      });
    });

    it('refuses a cookie the policy does not declare, naming choices.<id>, and records nothing', async () => {
      const visitorId = randomUUID();
      const response = await recordConsent(app, kexara, {
        visitorId,
        choices: { analytics: true, 'ad-tracking': true },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: {
          code: 'VALIDATION_FAILED',
          issues: [{ path: 'choices.ad-tracking', message: 'not a cookie the policy declares' }],
        },
      });
      expect((await readConsent(app, kexara, visitorId)).statusCode).toBe(404);
    });

    it('refuses a malformed visitor id in the body and in the path', async () => {
      for (const visitorId of [
        'short',
        'has spaces in it, 20+',
        'x'.repeat(65),
        'semi;colon;visitor;id',
      ]) {
        const response = await recordConsent(app, kexara, { visitorId, choices: {} });
        expect(response.statusCode, visitorId).toBe(400);
        expect(response.json()).toMatchObject({
          error: { code: 'VALIDATION_FAILED', issues: [{ path: 'body.visitorId' }] },
        });
      }
      const read = await readConsent(app, kexara, 'not-a-visitor');
      expect(read.statusCode).toBe(400);
      expect(read.json()).toMatchObject({
        error: { code: 'VALIDATION_FAILED', issues: [{ path: 'params.visitorId' }] },
      });
    });

    it('refuses choices that are not booleans and fields it does not know', async () => {
      const response = await recordConsent(app, kexara, {
        visitorId: randomUUID(),
        choices: { analytics: 'yes' },
        email: 'someone@example.com',
      });
      expect(response.statusCode).toBe(400);
      const paths = response
        .json<{ error: { issues: { path: string }[] } }>()
        .error.issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['body.choices.analytics', 'body.email']));
    });

    it('is 404 for an unknown organisation and for one without an active policy', async () => {
      for (const organization of [{ slug: 'no-such-organisation' }, withoutPolicy]) {
        const response = await recordConsent(app, organization, {
          visitorId: randomUUID(),
          choices: {},
        });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
    });

    it('allows the organisation’s website, another origin, to post and read (CORS, no credentials)', async () => {
      const preflight = await app.server.inject({
        method: 'OPTIONS',
        url: consentsUrl(kexara),
        headers: {
          origin: 'https://www.kexara.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-methods']).toContain('POST');
      expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      const posted = await recordConsent(
        app,
        kexara,
        { visitorId: randomUUID(), choices: {} },
        { origin: 'https://www.kexara.example' },
      );
      expect(posted.headers['access-control-allow-origin']).toBe('*');
      const refused = await recordConsent(app, kexara, { visitorId: 'bad', choices: {} });
      expect(refused.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('reading a receipt', () => {
    it('is 404 for a visitor who never chose, for an unknown organisation, and across organisations alike', async () => {
      const visitorId = randomUUID();
      const recorded = await recordConsent(app, kexara, { visitorId, choices: {} });
      expect(recorded.statusCode, recorded.body).toBe(201);
      const answers = await Promise.all([
        readConsent(app, kexara, randomUUID()),
        readConsent(app, { slug: 'no-such-organisation' }, visitorId),
        readConsent(app, ignoresGpc, visitorId),
        readConsent(app, withoutPolicy, visitorId),
      ]);
      for (const answer of answers) {
        expect(answer.statusCode).toBe(404);
        expect(answer.json<{ error: { code: string; message: string } }>().error).toMatchObject({
          code: 'NOT_FOUND',
          message: 'Not found.',
        });
      }
    });

    it('no-store: a receipt is never kept by a shared cache', async () => {
      const visitorId = randomUUID();
      await recordConsent(app, kexara, { visitorId, choices: {} });
      const read = await readConsent(app, kexara, visitorId);
      expect(read.headers['cache-control']).toBe('no-store');
    });
  });

  it('documents every cookie route, public, in an OpenAPI document a validator accepts', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/openapi.json' });
    const document = response.json<{ paths: Record<string, Record<string, { security?: [] }>> }>();
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    const routes = {
      '/api/v1/organizations/{slug}/cookie-banner.js': 'get',
      '/api/v1/organizations/{slug}/cookie-consents': 'post',
      '/api/v1/organizations/{slug}/cookie-consents/{visitorId}': 'get',
      '/.well-known/gpc.json': 'get',
    } as const;
    for (const [path, method] of Object.entries(routes)) {
      expect(document.paths[path]?.[method]?.security, path).toEqual([]);
    }
  });
});

describeEachDialect('cookie consent rate limit', ({ store }) => {
  it('answers 429 once one address has recorded too many consents in a minute', async () => {
    const app = await createTestApp(store());
    const organization = await newOrganization(app);
    await activatePolicySource(app, organization, kexaraPolicySource());
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= COOKIE_CONSENT_RATE_LIMIT_PER_MINUTE; attempt += 1) {
      const response = await recordConsent(app, organization, {
        visitorId: randomUUID(),
        choices: {},
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, -1).every((status) => status === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describeEachDialect('/.well-known/gpc.json', ({ store }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(store());
  });

  async function gpcSupport(): Promise<{ contentType: unknown; body: unknown }> {
    const response = await app.server.inject({ method: 'GET', url: '/.well-known/gpc.json' });
    expect(response.statusCode, response.body).toBe(200);
    return { contentType: response.headers['content-type'], body: response.json() };
  }

  it('claims no support while no organisation has an active policy', async () => {
    await newOrganization(app);
    expect(await gpcSupport()).toEqual({
      contentType: expect.stringMatching(/^application\/json/) as unknown,
      body: { gpc: false },
    });
  });

  it('claims support when every organisation with an active policy honours GPC', async () => {
    const organization = await newOrganization(app);
    await activatePolicySource(app, organization, kexaraPolicySource());
    expect((await gpcSupport()).body).toEqual({ gpc: true, lastUpdate: START.slice(0, 10) });
  });

  it('withdraws the claim once one active policy does not honour GPC, dated by that activation', async () => {
    app.clock.advance(10 * 24 * 60 * 60 * 1000);
    const organization = await newOrganization(app);
    await activatePolicySource(app, organization, kexaraPolicySource({ honourGpc: false }));
    expect((await gpcSupport()).body).toEqual({ gpc: false, lastUpdate: '2026-03-12' });
  });
});

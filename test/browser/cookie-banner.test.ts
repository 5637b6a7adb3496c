import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createTestApp,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activatePolicySource,
  HOSTILE_ANALYTICS_LABEL,
  kexaraPolicySource,
} from './cookie-policies.js';

/**
 * The cookie banner in real Chromium, as a visitor meets it: the organisation's website (one
 * origin, with a strict Content Security Policy) includes the banner script from Custodia (another
 * origin, a real socket); the visitor clicks; the receipt must be on the server and the page's
 * `window.CustodiaCookies` must say what the visitor chose. The policy's analytics label is
 * markup that would run script if the banner ever parsed it.
 *
 * Chromium comes from the system (Debian's `chromium`; `.ci/run` installs it): no browser is
 * downloaded. Without it the test is skipped loudly on a developer's machine and fails in CI.
 */

const CHROMIUM_CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const chromiumPath = CHROMIUM_CANDIDATES.find(
  (candidate): candidate is string =>
    candidate !== undefined && candidate !== '' && existsSync(candidate),
);

const Receipt = z.object({
  receiptId: z.string(),
  visitorId: z.string(),
  gpc: z.boolean(),
  choices: z.record(z.string(), z.boolean()),
});

function shout(lines: string[]): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((line) => `!! ${line}`).join('\n')}\n${bar}\n\n`);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The organisation's own website: one page that includes the banner, under a strict CSP. */
function organizationWebsite(apiUrl: string, organization: TestOrganization): Server {
  const bannerUrl = `${apiUrl}/api/v1/organizations/${organization.slug}/cookie-banner.js?lang=en`;
  const page = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Kexara</title></head>
  <body>
    <h1>Kexara</h1>
    <script src="${bannerUrl}"></script>
  </body>
</html>`;
  return createHttpServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // No inline script or style, no eval: the banner must work on a site that locks itself down.
      'content-security-policy': `default-src 'self'; script-src ${apiUrl}; connect-src ${apiUrl}; style-src 'self'; img-src 'self'`,
    });
    response.end(page);
  });
}

/** What the page says through the banner's API. */
async function pageState(page: Page) {
  return {
    analytics: await page.evaluate<boolean>("window.CustodiaCookies.allowed('analytics')"),
    personalisation: await page.evaluate<boolean>(
      "window.CustodiaCookies.allowed('personalisation')",
    ),
    essential: await page.evaluate<boolean>("window.CustodiaCookies.allowed('essential')"),
    receiptId: await page.evaluate<string | null>('window.CustodiaCookies.receiptId()'),
    visitorId: await page.evaluate<string>('window.CustodiaCookies.visitorId()'),
  };
}

/** The banner's API as a page sees it. */
interface BannerWindow {
  CustodiaCookies?: { receiptId(): string | null };
}

/**
 * Waits in the page with a function, not a string: the site's CSP forbids eval, and Playwright
 * polls a string predicate through eval.
 */
async function waitForReceipt(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const receiptId = (globalThis as unknown as BannerWindow).CustodiaCookies?.receiptId();
      return receiptId !== undefined && receiptId !== null;
    },
    undefined,
    { timeout: 10_000 },
  );
}

async function waitForBanner(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (globalThis as unknown as BannerWindow).CustodiaCookies !== undefined,
    undefined,
    { timeout: 10_000 },
  );
}

if (chromiumPath === undefined) {
  const message = [
    'Chromium is not installed (looked for $CHROMIUM_PATH, /usr/bin/chromium,',
    '/usr/bin/chromium-browser, /usr/bin/google-chrome): the BROWSER TEST OF THE COOKIE',
    'BANNER CANNOT RUN. Install it with: apt-get install chromium',
  ];
  shout(message);
  if (process.env.CI === 'true') {
    describe('cookie banner in Chromium', () => {
      it('needs Chromium, which CI must have', () => {
        throw new Error(message.join(' '));
      });
    });
  } else {
    describe.skip('cookie banner in Chromium (skipped: no Chromium)', () => {
      it('needs Chromium', () => undefined);
    });
  }
} else {
  const executablePath = chromiumPath;
  describeEachDialect('cookie banner in Chromium', ({ store }) => {
    let app: TestApp;
    let organization: TestOrganization;
    let website: Server;
    let apiUrl: string;
    let siteUrl: string;
    let browser: Browser;

    beforeAll(async () => {
      app = await createTestApp(store());
      organization = await newOrganization(app);
      await activatePolicySource(app, organization, kexaraPolicySource({ hostileLabels: true }));
      apiUrl = await app.server.listen({ host: '127.0.0.1', port: 0 });
      website = organizationWebsite(apiUrl, organization);
      siteUrl = await listen(website);
      browser = await chromium.launch({ executablePath });
    });

    afterAll(async () => {
      await browser.close();
      await new Promise((resolve) => website.close(resolve));
      await app.server.close();
    });

    async function receiptOnServer(visitorId: string) {
      const response = await fetch(
        `${apiUrl}/api/v1/organizations/${organization.slug}/cookie-consents/${visitorId}`,
      );
      expect(response.status).toBe(200);
      return Receipt.parse(await response.json());
    }

    it('"Refuse all" stores a receipt on the server and allowed("analytics") is false', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (entry) => {
        if (entry.type() === 'error') {
          errors.push(entry.text());
        }
      });
      await page.goto(siteUrl);
      const refuseAll = page.locator('[data-custodia-action="refuse-all"]');
      await refuseAll.waitFor();
      expect(await page.evaluate<string | null>('window.CustodiaCookies.receiptId()')).toBeNull();
      expect(await page.evaluate<boolean>("window.CustodiaCookies.allowed('analytics')")).toBe(
        false,
      );

      await refuseAll.click();
      await waitForReceipt(page);
      const state = await pageState(page);
      expect(state).toMatchObject({ analytics: false, personalisation: false, essential: true });
      const receipt = await receiptOnServer(state.visitorId);
      expect(receipt).toMatchObject({
        receiptId: state.receiptId,
        gpc: false,
        choices: { essential: true, analytics: false, personalisation: false },
      });
      expect(await refuseAll.count()).toBe(0);

      // Back on the site: the choice holds, and the banner does not ask again.
      await page.reload();
      await waitForBanner(page);
      expect(await pageState(page)).toEqual(state);
      expect(await page.locator('[data-custodia-cookie-banner]').count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('one toggle: allowing analytics alone records exactly that', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(siteUrl);
      await page.locator('[data-custodia-toggle="analytics"]').check();
      await page.locator('[data-custodia-action="save"]').click();
      await waitForReceipt(page);
      const state = await pageState(page);
      expect(state).toMatchObject({ analytics: true, personalisation: false, essential: true });
      expect((await receiptOnServer(state.visitorId)).choices).toEqual({
        essential: true,
        analytics: true,
        personalisation: false,
      });
      await context.close();
    });

    it('shows policy text as text: markup in a cookie label is never run', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(siteUrl);
      const label = page.getByText(HOSTILE_ANALYTICS_LABEL, { exact: true });
      await label.waitFor();
      expect(await label.count()).toBe(1);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate<unknown>('window.custodiaPwned')).toBeUndefined();
      await context.close();
    });

    it('kexara: a browser sending Sec-GPC: 1 gets every optional cookie refused, even after "Accept all"', async () => {
      const context = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
      const page = await context.newPage();
      await page.goto(siteUrl);
      await page.locator('[data-custodia-action="accept-all"]').click();
      await waitForReceipt(page);
      const state = await pageState(page);
      expect(state).toMatchObject({ analytics: false, personalisation: false, essential: true });
      expect(await receiptOnServer(state.visitorId)).toMatchObject({
        gpc: true,
        choices: { essential: true, analytics: false, personalisation: false },
      });
      await context.close();
    });
  });
}

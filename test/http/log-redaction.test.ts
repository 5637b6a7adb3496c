import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServer } from '../../src/http/create-server.js';
import { createLogger, withoutLinkTokens } from '../../src/runtime.js';
import { createTestApp } from '../support/app.js';
import { openStore } from '../../src/store/db.js';

describe('request logs', () => {
  it('never hold a signed link token, a cookie or an authorization header', async () => {
    const lines: string[] = [];
    const logger = createLogger(loadConfig({ env: { CUSTODIA_LOG_LEVEL: 'info' } }), {
      write: (line) => {
        lines.push(line);
      },
    });
    const store = openStore({ url: 'sqlite::memory:' });
    const app = await createTestApp(store);
    const server = await createServer({ app: app.deps, http: app.config.http, logger });
    await server.inject({
      url: '/api/v1/links/unsubscribe?token=v1.SECRET-TOKEN&x=1',
      headers: { cookie: 'custodia_session=SECRET-COOKIE', authorization: 'Bearer SECRET-BEARER' },
    });
    await server.close();
    await store.close();
    const log = lines.join('');
    expect(log).toContain('token=[redacted]');
    expect(log).not.toContain('SECRET');
  });

  it.each([
    ['/a?token=abc', '/a?token=[redacted]'],
    ['/a?x=1&token=abc&y=2', '/a?x=1&token=[redacted]&y=2'],
    ['/a?notatoken=1', '/a?notatoken=1'],
  ])('%s is logged as %s', (url, logged) => {
    expect(withoutLinkTokens(url)).toBe(logged);
  });
});

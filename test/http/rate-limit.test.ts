import { beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';

describeEachDialect('rate limit on authentication routes', ({ store }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(store(), { CUSTODIA_AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });

  const login = (ip: string) =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: ip,
      payload: { organization: 'nobody', email: 'a@b.example', password: 'x' },
    });

  it('answers the fourth login within a minute from one address with 429 and Retry-After', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await login('192.0.2.1')).statusCode).toBe(401);
    }
    const limited = await login('192.0.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts each address separately and leaves other routes alone', async () => {
    expect((await login('192.0.2.2')).statusCode).toBe(401);
    for (let request = 0; request < 5; request += 1) {
      const health = await app.server.inject({
        method: 'GET',
        url: '/healthz',
        remoteAddress: '192.0.2.1',
      });
      expect(health.statusCode).toBe(200);
    }
  });
});

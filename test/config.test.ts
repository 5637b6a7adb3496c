import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigSchema, loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFIG_INVALID') {
      return error.details?.issues ?? [];
    }
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('configuration', () => {
  it('defaults to the embedded SQLite database on port 8080', () => {
    const config = loadConfig({ env: {} });
    expect(config.database.url).toBe('sqlite:./data/custodia.db');
    expect(config.http.port).toBe(8080);
    expect(config.auth.sessionIdleMinutes).toBe(30);
    expect(config.auth.sessionAbsoluteHours).toBe(12);
    expect(config.auth.cookieSecure).toBe(true);
  });

  it('takes CUSTODIA_* variables over defaults and flags over variables', () => {
    const env = { CUSTODIA_HTTP_PORT: '9000', CUSTODIA_DATABASE_URL: 'postgres://u@h:5432/d' };
    expect(loadConfig({ env }).http.port).toBe(9000);
    expect(loadConfig({ env, flags: { 'http.port': '9100' } }).http.port).toBe(9100);
    expect(loadConfig({ env }).database.url).toBe('postgres://u@h:5432/d');
  });

  it('parses lists and booleans from strings', () => {
    const config = loadConfig({
      env: { CUSTODIA_AUTH_MFA_REQUIRED_ROLES: 'a, b,,c', CUSTODIA_HTTP_TRUST_PROXY: 'true' },
    });
    expect(config.auth.mfaRequiredRoles).toEqual(['a', 'b', 'c']);
    expect(config.http.trustProxy).toBe(true);
  });

  it('names every bad key, its source and the reason, all at once', () => {
    const issues = issuesOf(() =>
      loadConfig({
        env: {
          CUSTODIA_HTTP_PORT: 'eighty',
          CUSTODIA_DATABASE_URL: 'mysql://x',
          CUSTODIA_AUTH_COOKIE_SECURE: 'perhaps',
          CUSTODIA_HTTP_PROT: '1',
        },
        flags: { 'log.level': 'loud' },
      }),
    );
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'http.port (CUSTODIA_HTTP_PORT)',
        'database.url (CUSTODIA_DATABASE_URL)',
        'auth.cookieSecure (CUSTODIA_AUTH_COOKIE_SECURE)',
        'log.level (flag for log.level)',
        'CUSTODIA_HTTP_PROT',
      ]),
    );
    expect(issues.find((issue) => issue.path.startsWith('database.url'))?.message).toMatch(
      /sqlite:/,
    );
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('lists every key in the schema with an environment variable name', () => {
    const leafPaths = Object.entries(ConfigSchema.shape).flatMap(([section, schema]) =>
      Object.keys(schema.shape).map((key) => `${section}.${key}`),
    );
    expect(CONFIG_KEYS.map((key) => key.path).sort()).toEqual(leafPaths.sort());
    expect(CONFIG_KEYS.find((key) => key.path === 'auth.mfaRequiredRoles')?.env).toBe(
      'CUSTODIA_AUTH_MFA_REQUIRED_ROLES',
    );
  });
});

describe('the README configuration table', () => {
  it('lists every configuration key with its environment variable', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const key of CONFIG_KEYS) {
      // Prettier pads the columns, so match the row loosely on white space.
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${key.env}\`\\s*\\|\\s*\`${key.path}\`\\s*\\|`));
    }
  });
});

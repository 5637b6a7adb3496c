import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrate.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';

describeEachDialect('health and API description', ({ store, dialect }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(store());
  });

  it('answers /healthz with the database dialect and schema version', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      database: { dialect, schemaVersion: LATEST_SCHEMA_VERSION },
    });
  });

  it('serves an OpenAPI 3 document that a real validator accepts', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    // The purpose a request declares is documented as a header parameter where it counts.
    const readPerson = document.paths[
      '/api/v1/organizations/{organizationId}/people/{personId}'
    ] as {
      get: { parameters: { in: string; name: string }[] };
    };
    expect(readPerson.get.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'x-custodia-purpose' }),
    );
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/api/v1/auth/login',
        '/api/v1/auth/mfa/verify',
        '/api/v1/organizations/{organizationId}/staff-users',
        '/api/v1/organizations/{organizationId}/api-tokens',
        '/api/v1/organizations/{organizationId}/policy-versions',
        '/api/v1/organizations/{organizationId}/policy-versions/{versionId}/activate',
        '/api/v1/privacy-notices/{slug}',
        '/api/v1/organizations/{organizationId}/people',
        '/api/v1/organizations/{organizationId}/people/{personId}',
        '/api/v1/organizations/{organizationId}/people/{personId}/data',
        '/api/v1/organizations/{organizationId}/people/{personId}/data/{categoryId}',
        '/api/v1/organizations/{organizationId}/people/{personId}/guardians',
        '/api/v1/organizations/{organizationId}/people/{personId}/accesses',
        '/api/v1/organizations/{organizationId}/staff-users/{userId}/accesses',
        '/api/v1/organizations/{organizationId}/programs',
        '/api/v1/organizations/{organizationId}/programs/{programId}/enrollments',
        '/api/v1/organizations/{organizationId}/enrollments/{enrollmentId}',
      ]),
    );
  });

  it('sends security headers, a request id and no-store on every answer', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['strict-transport-security']).toBeDefined();
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never takes the request id from the client', async () => {
    const response = await app.server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'forged-id' },
    });
    expect(response.headers['x-request-id']).not.toBe('forged-id');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

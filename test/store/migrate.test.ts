import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, migrateToLatest, schemaVersion } from '../../src/store/migrate.js';
import { describeEachDialect } from '../support/databases.js';

describeEachDialect('migrations', ({ store }) => {
  it('leaves a migrated database at the latest schema version', async () => {
    expect(await schemaVersion(store())).toBe(LATEST_SCHEMA_VERSION);
  });

  it('is idempotent: migrating again applies nothing', async () => {
    const outcome = await migrateToLatest(store());
    expect(outcome.applied).toEqual([]);
    expect(outcome.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  });
});

describe('schema version', () => {
  it('counts every listed migration', () => {
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
  });
});

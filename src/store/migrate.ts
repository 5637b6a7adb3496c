import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect, Store } from './db.js';
import { foundation } from './migrations/0001-foundation.js';
import { encryptionKeys } from './migrations/0002-encryption-keys.js';
import { auditChain } from './migrations/0003-audit-chain.js';
import { records } from './migrations/0004-records.js';
import { tenantRowSecurity } from './migrations/0005-tenant-row-security.js';
import { consent } from './migrations/0006-consent.js';
import { policyAnnouncements } from './migrations/0007-policy-announcements.js';
import { retentionEventsAndHolds } from './migrations/0008-retention-events-and-holds.js';
import { retentionActions } from './migrations/0009-retention-actions.js';
import { categoryKeys } from './migrations/0010-category-keys.js';
import { rightsRequests } from './migrations/0011-rights-requests.js';
import { personForeignKeyIndexes } from './migrations/0012-person-foreign-key-indexes.js';

/**
 * Migrations are listed here rather than read from a folder, so they run the same from source,
 * from dist/ and inside tests. Each receives the dialect to branch on column types only.
 */
function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-foundation': foundation(dialect),
    '0002-encryption-keys': encryptionKeys(dialect),
    '0003-audit-chain': auditChain(dialect),
    '0004-records': records(dialect),
    '0005-tenant-row-security': tenantRowSecurity(dialect),
    '0006-consent': consent(dialect),
    '0007-policy-announcements': policyAnnouncements(dialect),
    '0008-retention-events-and-holds': retentionEventsAndHolds(dialect),
    '0009-retention-actions': retentionActions(dialect),
    '0010-category-keys': categoryKeys(dialect),
    '0011-rights-requests': rightsRequests(dialect),
    '0012-person-foreign-key-indexes': personForeignKeyIndexes(dialect),
  };
}

export const LATEST_SCHEMA_VERSION = Object.keys(migrationsFor('sqlite')).length;

export interface MigrationOutcome {
  applied: string[];
  schemaVersion: number;
}

export async function migrateToLatest(store: Store): Promise<MigrationOutcome> {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrationsFor(store.dialect)),
  };
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  }
  const applied = (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
  return { applied, schemaVersion: await schemaVersion(store) };
}

/** How many migrations this database has applied: reported by /healthz. */
export async function schemaVersion(store: Store): Promise<number> {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrationsFor(store.dialect)),
  };
  const migrations = await new Migrator({ db: store.db, provider }).getMigrations();
  return migrations.filter((migration) => migration.executedAt !== undefined).length;
}

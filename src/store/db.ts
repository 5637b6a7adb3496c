import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  SqliteDialect,
  type SqliteDatabase as SqliteDialectDatabase,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { TenantBindingPostgresDialect } from './tenant.js';

export type Dialect = 'sqlite' | 'postgres';

/** A handle to the database: one query code path, two dialects. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** The transaction or database a store method runs in; multi-table writes pass the transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface OpenStoreOptions {
  url: string;
  poolSize?: number;
  sqliteSynchronous?: 'full' | 'normal';
}

// PostgreSQL hands timestamptz back as Date and int8 as string; normalise both so rows look the
// same on either dialect (ISO-8601 strings, JavaScript numbers).
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (value) => new Date(value).toISOString());
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new RangeError(`int8 value ${value} exceeds JavaScript's safe integer range`);
  }
  return parsed;
});

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; on SQLite preparing costs as much as running a small query.
 * The queries are a fixed set of store methods, so prepared statements are kept (least recently
 * used dropped first). A statement still being iterated is busy and never handed out twice.
 */
function withStatementCache(connection: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      connection.close();
    },
    prepare: (sql) => {
      const cached = cache.get(sql);
      if (cached !== undefined && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = connection.prepare(sql);
      if (cached === undefined) {
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) {
            cache.delete(oldest.value);
          }
        }
      }
      return statement;
    },
  };
}

export function dialectOf(url: string): Dialect {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

export function openStore(options: OpenStoreOptions): Store {
  const dialect = dialectOf(options.url);
  if (dialect === 'sqlite') {
    const file = options.url.slice('sqlite:'.length);
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true });
    }
    const connection = new SqliteDatabase(file);
    // WAL lets readers run beside the writer; foreign keys are off by default in SQLite; the busy
    // timeout makes a second process wait for the write lock instead of failing at once.
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    // Deleted and overwritten content is zeroed in the file, so erased personal data and
    // destroyed keys do not linger in free pages for a later copy of the file to reveal.
    connection.pragma('secure_delete = ON');
    connection.pragma(
      `synchronous = ${options.sqliteSynchronous === 'normal' ? 'NORMAL' : 'FULL'}`,
    );
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(connection) }),
    });
    return { db, dialect, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle pooled connection that the server ends (a restart, a failover, an administrator)
  // emits 'error' on the pool; unhandled, that would crash the process. The pool has already
  // discarded the client and the next query opens a fresh one, so there is nothing else to do.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new TenantBindingPostgresDialect({ pool }) });
  return { db, dialect, close: () => db.destroy() };
}

/** The one transaction helper: everything that writes more than one row goes through it. */
export function inTransaction<T>(
  store: Store,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return store.db.transaction().execute(work);
}

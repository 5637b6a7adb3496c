import {
  CompiledQuery,
  PostgresDialect,
  sql,
  type DatabaseConnection,
  type Driver,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type TransactionSettings,
  type UnknownRow,
} from 'kysely';
import type { Executor, Store } from './db.js';
import type { OrganizationScope } from './scope.js';

/**
 * PostgreSQL row-level security is the second wall between organisations (the first is the
 * organisation scope every store method takes). Each tenant table has a policy that shows and
 * accepts only rows whose organization_id equals the session setting `custodia.tenant`; the table
 * is FORCEd, so the owner role the application connects as is held to it too.
 *
 * Every query a store method runs is tagged with its scope's organisation; the driver below sets
 * the connection's `custodia.tenant` before the query whenever the connection was last bound to
 * another tenant. A query without a tag runs with no tenant at all, so code that forgets its scope
 * sees no tenant's rows, even on a pooled connection another organisation's request used before.
 */
export const TENANT_SETTING = 'custodia.tenant';

const NO_TENANT = '';

/** What a tagged query needs of its connection: a tenant, or nothing (it touches no tenant table). */
type Binding = { readonly tenant: string } | 'neutral';

const bindingOfQuery = new WeakMap<QueryId, Binding>();

class BindingPlugin implements KyselyPlugin {
  constructor(private readonly binding: Binding) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    bindingOfQuery.set(args.queryId, this.binding);
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The executor to run a scope's queries on: every query it runs is bound to that organisation. */
export function inTenant<E extends Executor>(db: E, scope: OrganizationScope): E {
  return db.withPlugin(new BindingPlugin({ tenant: scope.organizationId })) as E;
}

const NEUTRAL = new BindingPlugin('neutral');

/** For queries on tables without tenant rows (organizations, migrations): leave the binding be. */
export function tenantNeutral<E extends Executor>(db: E): E {
  return db.withPlugin(NEUTRAL) as E;
}

/** Remembers, per pooled connection, which tenant its session setting holds. */
class TenantBoundConnection implements DatabaseConnection {
  /** undefined: not known (new connection, or a rollback may have undone the last set_config). */
  boundTo: string | undefined;

  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.bindFor(query);
    return this.inner.executeQuery<R>(query);
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    await this.bindFor(query);
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  private async bindFor(query: CompiledQuery): Promise<void> {
    const binding = bindingOfQuery.get(query.queryId) ?? { tenant: NO_TENANT };
    if (binding === 'neutral' || this.boundTo === binding.tenant) {
      return;
    }
    // Session-level (is_local false) so it holds for the statements after this one; inside a
    // transaction it is undone by a rollback, which is why rollbacks forget the binding.
    await this.inner.executeQuery(
      CompiledQuery.raw('select set_config($1, $2, false)', [TENANT_SETTING, binding.tenant]),
    );
    this.boundTo = binding.tenant;
  }
}

class TenantBindingDriver implements Driver {
  readonly #connections = new WeakMap<DatabaseConnection, TenantBoundConnection>();

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let bound = this.#connections.get(connection);
    if (bound === undefined) {
      bound = new TenantBoundConnection(connection);
      this.#connections.set(connection, bound);
    }
    return bound;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(unwrap(connection));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    forget(connection);
    await this.inner.rollbackTransaction(unwrap(connection));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    await this.inner.savepoint?.(unwrap(connection), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    forget(connection);
    await this.inner.rollbackToSavepoint?.(unwrap(connection), name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(unwrap(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TenantBoundConnection ? connection.inner : connection;
}

function forget(connection: DatabaseConnection): void {
  if (connection instanceof TenantBoundConnection) {
    connection.boundTo = undefined;
  }
}

/** The PostgreSQL dialect with every connection bound to the tenant of the query it runs. */
export class TenantBindingPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new TenantBindingDriver(super.createDriver());
  }
}

/**
 * Whether the role this store connects as passes row-level security (a superuser or BYPASSRLS):
 * then only the organisation scope stands between tenants. Always false on SQLite, which has none.
 */
export async function rowSecurityBypassed(store: Store): Promise<boolean> {
  if (store.dialect !== 'postgres') {
    return false;
  }
  const row = await tenantNeutral(store.db)
    .selectNoFrom((eb) =>
      eb
        .selectFrom(sql<{ rolsuper: boolean; rolbypassrls: boolean }>`pg_roles`.as('r'))
        .select(sql<boolean>`r.rolsuper or r.rolbypassrls`.as('bypasses'))
        .where(sql<boolean>`r.rolname = current_user`)
        .as('bypasses'),
    )
    .executeTakeFirst();
  return row?.bypasses === true;
}

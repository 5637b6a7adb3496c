import { createServer } from '../http/create-server.js';
import type { Runtime } from '../runtime.js';
import { migrateToLatest } from '../store/migrate.js';
import type { LongRunningContext } from './context.js';

/**
 * Serves until SIGTERM/SIGINT, then shuts down gracefully: the server stops accepting, in-flight
 * requests finish (their transactions commit before the answer is sent), and only then does the
 * database close, so no acknowledged write is lost.
 */
export async function runServer(context: LongRunningContext, runtime: Runtime): Promise<void> {
  const outcome = await migrateToLatest(runtime.deps.store);
  if (outcome.applied.length > 0) {
    runtime.logger.info({ applied: outcome.applied }, 'database migrated');
  }
  const server = await createServer({
    app: runtime.deps,
    http: runtime.config.http,
    logger: runtime.logger,
  });
  const address = await server.listen({
    host: runtime.config.http.host,
    port: runtime.config.http.port,
  });
  context.stdout(`Custodia listening on ${address} (${runtime.deps.store.dialect})\n`);
  const signal = await context.untilShutdown();
  runtime.logger.info({ signal }, 'shutting down');
  await server.close();
  await runtime.close();
  context.stdout('Custodia stopped.\n');
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../../store/db.js';
import { schemaVersion } from '../../store/migrate.js';

export const HealthResponse = z.object({
  status: z.literal('ok'),
  database: z.object({ dialect: z.enum(['sqlite', 'postgres']), schemaVersion: z.number().int() }),
});

/** Liveness and readiness in one: answering means the database answered too. */
export function healthRoutes(deps: { store: Store }): FastifyPluginAsyncZod {
  return (server) => {
    server.get(
      '/healthz',
      { schema: { tags: ['operations'], summary: 'Health', response: { 200: HealthResponse } } },
      async () => ({
        status: 'ok' as const,
        database: { dialect: deps.store.dialect, schemaVersion: await schemaVersion(deps.store) },
      }),
    );
    return Promise.resolve();
  };
}

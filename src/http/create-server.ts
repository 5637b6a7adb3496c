import '@fastify/cookie';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { pino, type Logger } from 'pino';
import type { AppDeps } from '../app/context.js';
import type { Config } from '../config.js';
import { createAuthenticator } from './authenticate.js';
import { handleError } from './error-map.js';
import { apiTokenRoutes } from './routes/api-tokens.js';
import { authRoutes } from './routes/auth.js';
import { consentRoutes } from './routes/consents.js';
import { retentionRoutes } from './routes/retention.js';
import { retentionActionRoutes } from './routes/retention-actions.js';
import { rightsRoutes } from './routes/rights.js';
import { selfServiceRoutes } from './routes/self-service.js';
import { cookieRoutes } from './routes/cookies.js';
import { healthRoutes } from './routes/health.js';
import { marketingRoutes } from './routes/marketing.js';
import { peopleRoutes } from './routes/people.js';
import { policyVersionRoutes } from './routes/policy-versions.js';
import { programRoutes } from './routes/programs.js';
import { staffUserRoutes } from './routes/staff-users.js';

export interface CreateServerOptions {
  app: AppDeps;
  http: Config['http'];
  /** A pino logger; omit for a silent server (tests). */
  logger?: Logger;
}

export const API_VERSION = '0.1.0';

/** Builds the HTTP server over the use cases; it does not listen (main.ts or a test does). */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const { app, http } = options;
  const logger: FastifyBaseLogger = options.logger ?? pino({ level: 'silent' });
  const server = Fastify({
    loggerInstance: logger,
    bodyLimit: http.bodyLimitBytes,
    trustProxy: http.trustProxy,
    // Request ids are ours, never taken from the client: they tie log lines to audit entries.
    requestIdHeader: false,
    genReqId: () => app.ids.next(),
    // SIGTERM: stop accepting, let in-flight requests finish, drop idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  server.setErrorHandler(handleError);
  // The API speaks JSON only: anything else is refused with 415 before a handler sees it.
  server.removeContentTypeParser('text/plain');
  server.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: 'Not found.', requestId: request.id },
    }),
  );
  // Fastify applies forceCloseConnections only with a serverFactory, and Node closes only the
  // sockets idle at the moment close() starts; a keep-alive socket still answering would then
  // hold the process open for the whole keep-alive timeout. So once closing, every answer tells
  // the client to hang up, and the socket closes as soon as that answer is sent.
  let isClosing = false;
  server.addHook('preClose', (done) => {
    isClosing = true;
    done();
  });
  server.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    if (isClosing) {
      void reply.header('connection', 'close');
    }
    // Answers carry personal data: never let a shared cache keep them.
    if (!reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });

  await server.register(fastifyHelmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
  });
  await server.register(fastifyCookie);
  await server.register(fastifyRateLimit, { global: false });
  await server.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Custodia API',
        version: API_VERSION,
        description:
          'Participant records under an enforced privacy policy. Errors answer { error: { code, message, issues?, requestId } }.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'custodia_session' },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const authenticate = createAuthenticator(app);
  await server.register(healthRoutes({ store: app.store }));
  await server.register(
    authRoutes({
      app,
      authenticate,
      cookieSecure: app.auth.cookieSecure,
      rateLimitPerMinute: app.auth.rateLimitPerMinute,
    }),
  );
  await server.register(staffUserRoutes({ app, authenticate }));
  await server.register(apiTokenRoutes({ app, authenticate }));
  await server.register(policyVersionRoutes({ app, authenticate }));
  await server.register(peopleRoutes({ app, authenticate }));
  await server.register(programRoutes({ app, authenticate }));
  await server.register(consentRoutes({ app, authenticate }));
  await server.register(marketingRoutes({ app, authenticate }));
  await server.register(selfServiceRoutes({ app, authenticate }));
  await server.register(retentionRoutes({ app, authenticate }));
  await server.register(retentionActionRoutes({ app, authenticate }));
  await server.register(rightsRoutes({ app, authenticate }));
  await server.register(cookieRoutes({ app }));
  server.get('/openapi.json', { schema: { hide: true } }, () => server.swagger());
  await server.ready();
  return server;
}

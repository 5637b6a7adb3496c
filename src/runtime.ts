import { pino, type Logger } from 'pino';
import type { AppDeps } from './app/context.js';
import { randomIds, systemClock, type Clock, type IdGenerator } from './clock.js';
import type { Config } from './config.js';
import { loadMasterKeyProvider, type MasterKeyProvider } from './crypto/master-key.js';
import { argon2Passwords } from './crypto/passwords.js';
import { createPolicyRegistry } from './app/policy/policy-registry.js';
import { createMailer } from './mail/mailer.js';
import { openStore } from './store/db.js';

/** Signed links carry their token in the query string (`?token=`): a bearer credential. */
export function withoutLinkTokens(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}

/** The process logger. Credentials never reach the logs: headers, cookies, link tokens. */
export function createLogger(
  config: Readonly<Config>,
  destination?: { write(line: string): void },
): Logger {
  const options = {
    level: config.log.level,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      req: (request: { method?: string; url?: string; host?: string; ip?: string }) => ({
        method: request.method,
        url: withoutLinkTokens(request.url ?? ''),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** Everything a running Custodia process holds: built once from the configuration. */
export interface Runtime {
  config: Readonly<Config>;
  deps: AppDeps;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Builds the runtime. Throws CONFIG_INVALID (before opening the database) when no usable master
 * key is configured: Custodia does not run without one.
 */
export async function createRuntime(
  config: Readonly<Config>,
  overrides: {
    clock?: Clock;
    ids?: IdGenerator;
    logger?: Logger;
    masterKeys?: MasterKeyProvider;
  } = {},
): Promise<Runtime> {
  const masterKeys = overrides.masterKeys ?? (await loadMasterKeyProvider(config.crypto));
  const store = openStore({
    url: config.database.url,
    poolSize: config.database.poolSize,
    sqliteSynchronous: config.database.sqliteSynchronous,
  });
  // Without `mail.smtpUrl` the server still runs; only what must send email fails, with a 503.
  const mailer = createMailer(config.mail);
  const logger = overrides.logger ?? createLogger(config);
  return {
    config,
    logger,
    deps: {
      store,
      clock: overrides.clock ?? systemClock,
      ids: overrides.ids ?? randomIds,
      passwords: argon2Passwords,
      masterKeys,
      policies: createPolicyRegistry(),
      auth: config.auth,
      publicBaseUrl: config.mail.publicBaseUrl,
      mailer,
    },
    close: async () => {
      await mailer.close();
      await store.close();
    },
  };
}

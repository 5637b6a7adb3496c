import { pino, type Logger } from 'pino';
import type { AppDeps } from './app/context.js';
import { randomIds, systemClock, type Clock, type IdGenerator } from './clock.js';
import type { Config } from './config.js';
import { argon2Passwords } from './crypto/passwords.js';
import { openStore } from './store/db.js';

/** Everything a running Custodia process holds: built once from the configuration. */
export interface Runtime {
  config: Readonly<Config>;
  deps: AppDeps;
  logger: Logger;
  close(): Promise<void>;
}

export function createRuntime(
  config: Readonly<Config>,
  overrides: { clock?: Clock; ids?: IdGenerator; logger?: Logger } = {},
): Runtime {
  const store = openStore({
    url: config.database.url,
    poolSize: config.database.poolSize,
    sqliteSynchronous: config.database.sqliteSynchronous,
  });
  const logger =
    overrides.logger ??
    pino({
      level: config.log.level,
      // Credentials never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    });
  return {
    config,
    logger,
    deps: {
      store,
      clock: overrides.clock ?? systemClock,
      ids: overrides.ids ?? randomIds,
      passwords: argon2Passwords,
      auth: config.auth,
    },
    close: () => store.close(),
  };
}

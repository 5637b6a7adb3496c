import { z } from 'zod';
import { AppError, type FieldIssue } from './errors.js';

/**
 * The only reader of process.env. Configuration comes from CLI flags, then CUSTODIA_* environment
 * variables, then defaults; it is parsed once by zod, frozen, and every bad key is reported at
 * once (never a stack trace: the CLI prints the list and exits 2).
 */

const databaseUrl = z
  .string()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    message: 'must be sqlite:<path> (or sqlite::memory:) or postgres://user@host:port/database',
  });

const smtpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  // Never echo the value: it usually carries the SMTP password.
  { message: 'must be smtp://[user:password@]host[:port] or smtps://… (password URL-encoded)' },
);

// `Name <address>` or a bare address; the address part is what servers check (SPF, DMARC).
const mailbox = z.string().regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, {
  message: 'must be an address, e.g. no-reply@example.org or Custodia <no-reply@example.org>',
});

const publicBaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  // Links are built as `${publicBaseUrl}/path`, so a trailing slash would double up.
  .transform((value) => value.replace(/\/+$/, ''));

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const stringList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

export const ConfigSchema = z.strictObject({
  database: z.strictObject({
    /** Where the data lives: `sqlite:./data/custodia.db` (embedded default) or `postgres://…`. */
    url: databaseUrl.default('sqlite:./data/custodia.db'),
    /** PostgreSQL connection pool size per process. */
    poolSize: positiveInt.max(500).default(10),
    /** SQLite `synchronous` pragma: `full` survives power loss, `normal` only a process crash. */
    sqliteSynchronous: z.enum(['full', 'normal']).default('full'),
  }),
  http: z.strictObject({
    /** Interface to listen on. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one. */
    port: port.default(8080),
    /** Largest accepted request body; larger ones answer 413 before they are parsed. */
    bodyLimitBytes: positiveInt.max(100 * 1024 * 1024).default(1024 * 1024),
    /** Trust X-Forwarded-For from a reverse proxy when recording client IPs. */
    trustProxy: z.stringbool().default(false),
  }),
  log: z.strictObject({
    /** pino log level. */
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }),
  crypto: z.strictObject({
    /**
     * The master key that wraps every organisation key, as base64 of 32 random bytes. Prefer
     * `masterKeyFile`; an environment variable is visible to anyone who can read the process.
     */
    masterKey: z.string().optional(),
    /** A file holding the base64 master key (mode 0600), e.g. a mounted secret. */
    masterKeyFile: z.string().optional(),
  }),
  audit: z.strictObject({
    /**
     * How often the server seals each organisation's audit chain with a signed checkpoint. Entries
     * after the last checkpoint could be cut from the end undetected, so this bounds that window.
     */
    sealIntervalMinutes: positiveInt.max(24 * 60).default(10),
  }),
  retention: z.strictObject({
    /**
     * How often the server carries out the retention actions due in every organisation (0: never;
     * run `custodia retention run` from a scheduler instead). Several instances may run it at once:
     * each person is claimed by one (PostgreSQL advisory locks).
     */
    runIntervalMinutes: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
  }),
  auth: z.strictObject({
    /** ASVS 3.3.2: a session ends after this many idle minutes. */
    sessionIdleMinutes: positiveInt.max(24 * 60).default(30),
    /** ASVS 3.3.2: a session ends this many hours after login, however active. */
    sessionAbsoluteHours: positiveInt.max(24 * 30).default(12),
    /** Mark the session cookie Secure (browsers still accept it on http://localhost). */
    cookieSecure: z.stringbool().default(true),
    /** Failed logins after which each further attempt must wait, doubling from one second. */
    backoffAfterFailures: positiveInt.max(100).default(3),
    /** Failed logins within the window that lock the account. */
    lockoutThreshold: positiveInt.max(1000).default(10),
    /** How long a locked account stays locked, and the window failures are counted in. */
    lockoutMinutes: positiveInt.max(24 * 60).default(15),
    /** Requests per minute per IP address to the authentication routes. */
    rateLimitPerMinute: positiveInt.max(100_000).default(30),
    /** Staff roles that must use a second factor (until the policy declares it per role). */
    mfaRequiredRoles: stringList.default([]),
  }),
  mail: z.strictObject({
    /**
     * The SMTP server that sends Custodia's email: `smtp://user:password@host:587` (STARTTLS when
     * the server offers it) or `smtps://…:465` (TLS from the start). Unset, email is disabled and
     * anything that must send one fails with EMAIL_UNAVAILABLE.
     */
    smtpUrl: smtpUrl.optional(),
    /** The From address of every email; its domain should pass SPF/DKIM for the SMTP server. */
    from: mailbox.default('Custodia <no-reply@localhost>'),
    /**
     * The address people reach this server at, e.g. `https://records.example.org`: links in emails
     * (unsubscribe, consent withdrawal) are built from it, since a request's Host header cannot be
     * trusted and background jobs have no request at all.
     */
    publicBaseUrl: publicBaseUrl.default('http://127.0.0.1:8080'),
  }),
});

export type Config = z.output<typeof ConfigSchema>;

interface ConfigKey {
  path: string;
  env: string;
  description: string;
}

/** Every configuration key with its environment variable: the README's table is built from this. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  ['database.url', 'Database URL: sqlite:<file> or postgres://…'],
  ['database.poolSize', 'PostgreSQL pool size'],
  ['database.sqliteSynchronous', 'SQLite synchronous pragma: full or normal'],
  ['http.host', 'Listen address'],
  ['http.port', 'Listen port'],
  ['http.bodyLimitBytes', 'Largest accepted request body in bytes'],
  ['http.trustProxy', 'Trust X-Forwarded-For (true/false)'],
  ['log.level', 'Log level'],
  ['crypto.masterKey', 'Master key, base64 of 32 bytes (prefer the key file)'],
  ['crypto.masterKeyFile', 'File holding the base64 master key'],
  ['audit.sealIntervalMinutes', 'Minutes between signed audit checkpoints'],
  [
    'retention.runIntervalMinutes',
    'Minutes between retention runs in the server; 0 turns them off',
  ],
  ['auth.sessionIdleMinutes', 'Idle session expiry in minutes'],
  ['auth.sessionAbsoluteHours', 'Absolute session expiry in hours'],
  ['auth.cookieSecure', 'Secure flag on the session cookie'],
  ['auth.backoffAfterFailures', 'Failed logins before backoff starts'],
  ['auth.lockoutThreshold', 'Failed logins that lock the account'],
  ['auth.lockoutMinutes', 'Lockout duration and counting window in minutes'],
  ['auth.rateLimitPerMinute', 'Authentication requests per minute per IP'],
  ['auth.mfaRequiredRoles', 'Comma-separated roles that must use TOTP'],
  ['mail.smtpUrl', 'SMTP server URL, smtp:// or smtps://; unset disables email'],
  ['mail.from', 'From address of every email'],
  ['mail.publicBaseUrl', 'Public URL of this server, for links in emails'],
].map(([path, description]) => ({
  path: path ?? '',
  description: description ?? '',
  env: envName(path ?? ''),
}));

function envName(path: string): string {
  return (
    'CUSTODIA_' +
    path
      .split('.')
      .map((part) => part.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase())
      .join('_')
  );
}

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (typeof child === 'object' && child !== null) {
      node = child as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? ''] = value;
}

export interface ConfigSources {
  /** Usually process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from CLI flags, keyed by config path (`http.port`); they win over the environment. */
  flags?: Readonly<Record<string, string | undefined>>;
}

/** Builds the configuration; throws CONFIG_INVALID naming every bad key and its source. */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? {};
  const raw: Record<string, unknown> = {
    database: {},
    http: {},
    log: {},
    crypto: {},
    audit: {},
    retention: {},
    auth: {},
    mail: {},
  };
  const origin = new Map<string, string>();
  for (const key of CONFIG_KEYS) {
    const fromFlag = sources.flags?.[key.path];
    const fromEnv = env[key.env];
    if (fromFlag !== undefined) {
      setPath(raw, key.path, fromFlag);
      origin.set(key.path, `flag for ${key.path}`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      setPath(raw, key.path, fromEnv);
      origin.set(key.path, key.env);
    }
  }
  const unknownEnv = Object.keys(env).filter(
    (name) =>
      name.startsWith('CUSTODIA_') &&
      !CONFIG_KEYS.some((key) => key.env === name) &&
      !ENV_NOT_CONFIG.has(name),
  );
  const parsed = ConfigSchema.safeParse(raw);
  const issues: FieldIssue[] = unknownEnv.map((name) => ({
    path: name,
    message: 'unknown setting (check the spelling against the configuration table in README.md)',
  }));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      issues.push({ path: `${path} (${origin.get(path) ?? 'default'})`, message: issue.message });
    }
  }
  if (issues.length > 0 || !parsed.success) {
    throw new AppError('CONFIG_INVALID', 'The configuration is invalid.', { details: { issues } });
  }
  return deepFreeze(parsed.data);
}

/** CUSTODIA_* variables that are read elsewhere on purpose (test harness switches), not settings. */
const ENV_NOT_CONFIG = new Set(['CUSTODIA_TEST_PG_URL']);

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

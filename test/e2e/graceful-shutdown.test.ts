import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { describeEachDialect } from '../support/databases.js';
import { runCli, spawnServer, type SpawnedServer } from '../support/spawn-server.js';

/**
 * Issue 3, "Must show": SIGTERM while requests are in flight loses no acknowledged write, on both
 * databases. The real `custodia serve` runs as a child process on a real socket; writes go in over
 * HTTP, the server gets SIGTERM while some are still out, and after a restart on the same database
 * every write the server answered 201 for must be there.
 *
 * The writers send `Connection: close`, one TCP connection per request. Then the stream tests
 * exactly the promise: after SIGTERM new connections are refused, requests already accepted finish
 * and are answered, and nothing else can hold the process open. Keep-alive connections are a
 * separate concern with their own test below: a connection that is busy when the signal arrives
 * stays open after its answer, which `Connection: close` sidesteps.
 */

const ORGANIZATION = {
  name: 'Graceful Shutdown Ltd',
  slug: 'graceful',
  adminEmail: 'admin@graceful.example',
  password: 'a long enough test password',
};
const SERVER_ENV = {
  CUSTODIA_LOG_LEVEL: 'warn',
  CUSTODIA_AUTH_COOKIE_SECURE: 'false',
  // One master key for init, the first server and the restart: the restarted server must unwrap
  // the organisation keys the first one wrapped.
  CUSTODIA_CRYPTO_MASTER_KEY: `e2e:${randomBytes(32).toString('base64')}`,
};
/** Concurrent writers: enough that several requests are always in flight, few enough for 2 cores. */
const WRITERS = 8;
/** SIGTERM goes out when this many writes have been acknowledged. */
const ACKNOWLEDGED_BEFORE_SIGTERM = 50;
/** Bounds the loops even if the server never stopped answering. */
const MAX_REQUESTS_PER_WRITER = 500;
const REQUEST_TIMEOUT_MS = 20_000;
/** A graceful stop of an idle server takes well under a second; this allows for a loaded machine. */
const EXIT_TIMEOUT_MS = 15_000;

const LogInResponse = z.object({ organizationId: z.string() });
const CreateApiTokenResponse = z.object({
  apiToken: z.object({ id: z.string(), name: z.string() }),
});
const ApiTokensResponse = z.object({
  apiTokens: z.array(z.object({ id: z.string(), name: z.string() })),
});

interface Session {
  cookie: string;
  organizationId: string;
}

interface ApiToken {
  id: string;
  name: string;
}

type WriteOutcome =
  | ({ kind: 'acknowledged' } & ApiToken)
  /** A 503, a refused or reset connection, or an answer cut short: not acknowledged. */
  | { kind: 'refused'; reason: string }
  | { kind: 'unexpected'; status: number; body: string };

async function logIn(baseUrl: string): Promise<Session> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({
      organization: ORGANIZATION.slug,
      email: ORGANIZATION.adminEmail,
      password: ORGANIZATION.password,
    }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('custodia_session='));
  if (cookie === undefined) {
    throw new Error('login answered 200 without a custodia_session cookie');
  }
  return { cookie, organizationId: LogInResponse.parse(JSON.parse(body)).organizationId };
}

function apiTokensPath(session: Session): string {
  return `/api/v1/organizations/${session.organizationId}/api-tokens`;
}

async function createApiToken(
  baseUrl: string,
  session: Session,
  name: string,
): Promise<WriteOutcome> {
  let status: number;
  let body: string;
  try {
    const response = await fetch(`${baseUrl}${apiTokensPath(session)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie, connection: 'close' },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    status = response.status;
    // Only a complete answer is an acknowledgement: the body must arrive in full.
    body = await response.text();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { kind: 'refused', reason: cause instanceof Error ? cause.message : String(cause) };
  }
  if (status === 201) {
    const created = CreateApiTokenResponse.parse(JSON.parse(body));
    return { kind: 'acknowledged', id: created.apiToken.id, name: created.apiToken.name };
  }
  if (status === 503) {
    return { kind: 'refused', reason: '503 while closing' };
  }
  return { kind: 'unexpected', status, body };
}

async function listApiTokens(baseUrl: string): Promise<ApiToken[]> {
  const session = await logIn(baseUrl);
  const response = await fetch(`${baseUrl}${apiTokensPath(session)}`, {
    headers: { cookie: session.cookie, connection: 'close' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return ApiTokensResponse.parse(JSON.parse(body)).apiTokens;
}

interface WriteStreamResult {
  acknowledged: ApiToken[];
  refused: string[];
  unexpected: { name: string; status: number; body: string }[];
  /** Names of the requests sent but not yet answered when SIGTERM went out. */
  inFlightAtSigterm: string[];
  /** When SIGTERM went out (Date.now()), or undefined if it never did. */
  sigtermAt: number | undefined;
}

/**
 * Runs WRITERS loops of POSTs. When ACKNOWLEDGED_BEFORE_SIGTERM writes are acknowledged, SIGTERM
 * goes out at once, from the completion of that request, while the other writers' requests are
 * still out. Each writer then goes on until the server stops accepting it.
 */
async function writeUntilShutdown(
  server: SpawnedServer,
  session: Session,
): Promise<WriteStreamResult> {
  const result: WriteStreamResult = {
    acknowledged: [],
    refused: [],
    unexpected: [],
    inFlightAtSigterm: [],
    sigtermAt: undefined,
  };
  const inFlight = new Set<string>();

  const writer = async (writerIndex: number): Promise<void> => {
    for (let sequence = 0; sequence < MAX_REQUESTS_PER_WRITER; sequence += 1) {
      const name = `writer-${writerIndex}-${sequence}`;
      inFlight.add(name);
      const outcome = await createApiToken(server.url, session, name);
      inFlight.delete(name);
      if (outcome.kind === 'acknowledged') {
        result.acknowledged.push({ id: outcome.id, name: outcome.name });
        if (
          result.sigtermAt === undefined &&
          result.acknowledged.length >= ACKNOWLEDGED_BEFORE_SIGTERM
        ) {
          result.inFlightAtSigterm = [...inFlight];
          result.sigtermAt = Date.now();
          server.signal('SIGTERM');
        }
        continue;
      }
      if (outcome.kind === 'refused') {
        result.refused.push(`${name}: ${outcome.reason}`);
      } else {
        result.unexpected.push({ name, status: outcome.status, body: outcome.body });
      }
      // Before SIGTERM nothing may fail (the assertions report it); after it, a refusal means the
      // server is going away, which is the end of this writer.
      return;
    }
  };

  await Promise.all(Array.from({ length: WRITERS }, (_unused, index) => writer(index)));
  return result;
}

/** A raw HTTP/1.1 connection, for sending a request in parts and reading its answer. */
interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves once the received text satisfies the condition; rejects if the socket closes first. */
  until(condition: (text: string) => boolean, timeoutMs: number): Promise<string>;
}

async function openRawConnection(baseUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setEncoding('utf8');
  let text = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) {
      waiter();
    }
  };
  socket.on('data', (chunk: string) => {
    text += chunk;
    wake();
  });
  socket.on('close', () => {
    isClosed = true;
    wake();
  });
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => text,
    until: (condition, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (condition(text)) {
            finish();
            resolve(text);
          } else if (isClosed) {
            finish();
            reject(new Error(`connection closed before the expected answer; received:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no expected answer within ${timeoutMs} ms; received:\n${text}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** True once `text` holds a complete final (non-1xx) HTTP answer with a Content-Length body. */
function hasCompleteAnswer(text: string): boolean {
  const start = text.search(/HTTP\/1\.1 [2-5]\d\d /);
  const headerEnd = text.indexOf('\r\n\r\n', start);
  if (start < 0 || headerEnd < 0) {
    return false;
  }
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(start, headerEnd))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(headerEnd + 4)) >= Number(length);
}

/** Resolves once the server no longer accepts connections: its listener has closed. */
async function untilConnectionsRefused(baseUrl: string, timeoutMs: number): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const isRefused = await new Promise<boolean>((resolve) => {
      const probe = connect({ host: hostname, port: Number(port) });
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => {
        resolve(true);
      });
    });
    if (isRefused) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the server still accepted connections ${timeoutMs} ms after SIGTERM`);
}

const servers: SpawnedServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.destroy();
  }
  await Promise.all(servers.splice(0).map((server) => server.kill()));
});

async function startServer(databaseUrl: string): Promise<SpawnedServer> {
  const server = await spawnServer({ databaseUrl, env: SERVER_ENV });
  servers.push(server);
  return server;
}

describeEachDialect('graceful shutdown (end to end)', ({ database }) => {
  beforeAll(async () => {
    const init = await runCli(
      [
        'init',
        '--db',
        database().url,
        '--org-name',
        ORGANIZATION.name,
        '--slug',
        ORGANIZATION.slug,
        '--admin-email',
        ORGANIZATION.adminEmail,
        '--password-stdin',
      ],
      { env: SERVER_ENV, stdin: `${ORGANIZATION.password}\n` },
    );
    expect(init.code, init.stderr).toBe(0);
  });

  it('issue 3: SIGTERM while writes are in flight loses no acknowledged write, and the process exits 0', async () => {
    const databaseUrl = database().url;
    const first = await startServer(databaseUrl);
    const stream = await writeUntilShutdown(first, await logIn(first.url));
    const exit = await first.waitForExit(EXIT_TIMEOUT_MS);

    const acknowledgedNames = new Set(stream.acknowledged.map((token) => token.name));
    const summary = JSON.stringify({
      shutdownMs: stream.sigtermAt === undefined ? undefined : Date.now() - stream.sigtermAt,
      acknowledged: stream.acknowledged.length,
      refused: stream.refused.length,
      inFlightAtSigterm: stream.inFlightAtSigterm.length,
      inFlightAtSigtermAcknowledged: stream.inFlightAtSigterm.filter((name) =>
        acknowledgedNames.has(name),
      ).length,
      refusals: stream.refused.slice(0, 3),
    });
    expect(stream.unexpected, summary).toEqual([]);
    expect(stream.sigtermAt, summary).toBeDefined();
    // The test means something only if the signal met requests that were still out.
    expect(stream.inFlightAtSigterm.length, summary).toBeGreaterThan(0);
    expect(exit, `${summary}\n${first.stderr()}`).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('Custodia stopped.');

    const second = await startServer(databaseUrl);
    const stored = new Map(
      (await listApiTokens(second.url)).map((token) => [token.id, token.name]),
    );
    const lost = stream.acknowledged.filter((token) => stored.get(token.id) !== token.name);
    expect(lost, summary).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(stream.acknowledged.length);
    expect(await second.stop(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  }, 60_000);

  /*
   * Node's server.close() drops only the keep-alive connections idle at that moment; one that is
   * busy answers and then would stay open until Fastify's keepAliveTimeout (72 s), so `serve`
   * would not exit. create-server.ts answers with `Connection: close` once closing; this pins it.
   */
  it('issue 3: a request under way at SIGTERM is answered, and its keep-alive connection does not hold the process open', async () => {
    const databaseUrl = database().url;
    const server = await startServer(databaseUrl);
    const session = await logIn(server.url);
    const connection = await openRawConnection(server.url);
    sockets.push(connection.socket);
    const body = JSON.stringify({ name: 'under-way-at-sigterm' });
    const half = Math.floor(body.length / 2);
    // `Expect: 100-continue` makes the server say when it has taken the request: Node answers
    // "100 Continue" and hands the request to Fastify in the same step.
    connection.socket.write(
      [
        `POST ${apiTokensPath(session)} HTTP/1.1`,
        `Host: ${new URL(server.url).host}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `Cookie: ${session.cookie}`,
        'Expect: 100-continue',
        '',
        body.slice(0, half),
      ].join('\r\n'),
    );
    await connection.until((text) => text.startsWith('HTTP/1.1 100 Continue'), REQUEST_TIMEOUT_MS);

    server.signal('SIGTERM');
    await untilConnectionsRefused(server.url, EXIT_TIMEOUT_MS);
    connection.socket.write(body.slice(half));
    const answer = await connection.until(hasCompleteAnswer, REQUEST_TIMEOUT_MS);
    expect(answer).toMatch(/HTTP\/1\.1 201 /);
    const created = CreateApiTokenResponse.parse(
      JSON.parse(answer.slice(answer.lastIndexOf('\r\n\r\n') + 4)),
    );

    // The client keeps its connection open, as keep-alive clients do; the server must close it.
    const exit = await server.waitForExit(EXIT_TIMEOUT_MS);
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('Custodia stopped.');

    const restarted = await startServer(databaseUrl);
    const stored = await listApiTokens(restarted.url);
    expect(stored).toContainEqual({ id: created.apiToken.id, name: 'under-way-at-sigterm' });
    expect(await restarted.stop(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

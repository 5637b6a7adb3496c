/**
 * Benchmark: authenticated request throughput of the real Custodia server against a bare Fastify
 * route, on the same machine in the same run, reported as a ratio (issue 3, "Must show").
 *
 *   npx tsx bench/http-throughput.ts [--duration 10] [--warmup 2] [--connections 10] [--pg URL]
 *
 * Both servers run in this process's main thread; the load generator (autocannon) runs in a worker
 * thread, so it does not compete with the servers for the event loop (bench/README.md explains
 * the choice). Everything listens on 127.0.0.1 only. Results go to stdout as a table and to
 * bench/results/http-throughput.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { initializeOrganization } from '../src/app/organizations/initialize-organization.js';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/http/create-server.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { describeMachine } from './machine.js';

const LOOPBACK = '127.0.0.1';
const RESULTS_FILE = fileURLToPath(new URL('./results/http-throughput.json', import.meta.url));
const ADMIN_PASSWORD = 'benchmark password, not a secret';

const Arguments = z.strictObject({
  /** Seconds of measurement per scenario. */
  duration: z.coerce.number().int().min(1).max(120).default(10),
  /** Seconds of unmeasured load before each scenario (JIT, caches, connection setup). */
  warmup: z.coerce.number().int().min(0).max(30).default(2),
  /** Concurrent keep-alive connections. */
  connections: z.coerce.number().int().min(1).max(200).default(10),
  /** Also measure the Custodia scenarios on this PostgreSQL database (it gains a bench organisation). */
  pg: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL')
    .optional(),
});
type Arguments = z.infer<typeof Arguments>;

/** The part of autocannon's result this benchmark reads; autocannon ships no types. */
const AutocannonResult = z.object({
  requests: z.object({ average: z.number(), total: z.number() }),
  latency: z.object({ p50: z.number(), p99: z.number(), average: z.number() }),
  duration: z.number(),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
});
type AutocannonResult = z.infer<typeof AutocannonResult>;

const IssuedApiToken = z.object({ token: z.string() });

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  workers: number;
}

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: AutocannonOptions) => PromiseLike<unknown>;

interface Scenario {
  name: string;
  database: 'none' | 'sqlite' | 'postgres';
  url: string;
  headers: Record<string, string>;
}

interface Measurement {
  scenario: string;
  database: Scenario['database'];
  path: string;
  requestsPerSecond: number;
  totalRequests: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAverageMs: number;
  /** requestsPerSecond divided by the bare route's (the mean of its runs before and after). */
  ratioToBare: number;
}

async function measure(scenario: Scenario, options: Arguments): Promise<AutocannonResult> {
  // One request first: a scenario that answers 401 or 500 would measure the error path.
  const probe = await fetch(scenario.url, { headers: scenario.headers });
  if (probe.status !== 200) {
    throw new Error(`${scenario.name}: expected 200, got ${probe.status}: ${await probe.text()}`);
  }
  const run = async (duration: number): Promise<AutocannonResult> =>
    AutocannonResult.parse(
      await autocannon({
        url: scenario.url,
        connections: options.connections,
        duration,
        headers: scenario.headers,
        workers: 1,
      }),
    );
  if (options.warmup > 0) {
    await run(options.warmup);
  }
  const result = await run(options.duration);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${scenario.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors; the figures would be meaningless`,
    );
  }
  process.stderr.write(`  ${scenario.name}: ${Math.round(result.requests.average)} req/s\n`);
  return result;
}

async function startBareServer(): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/hello', () => ({ hello: 'world' }));
  await server.listen({ host: LOOPBACK, port: 0 });
  return server;
}

function baseUrlOf(server: FastifyInstance): string {
  const address = server.server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the server is not listening on a TCP port');
  }
  return `http://${LOOPBACK}:${address.port}`;
}

interface CustodiaUnderTest {
  runtime: Runtime;
  server: FastifyInstance;
  scenarios: Scenario[];
}

/** Migrates, creates a bench organisation, logs in and issues an API token; then listens. */
async function startCustodia(databaseUrl: string): Promise<CustodiaUnderTest> {
  const config = loadConfig({
    env: {},
    flags: {
      'database.url': databaseUrl,
      'log.level': 'silent',
      'http.host': LOOPBACK,
      // A throwaway master key: the bench organisation's keys need not outlive the run.
      'crypto.masterKey': `bench:${randomBytes(32).toString('base64')}`,
    },
  });
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  await migrateToLatest(deps.store);
  const slug = `bench-${deps.ids.next().slice(0, 8)}`;
  const organization = await initializeOrganization(deps, {
    name: 'Benchmark Ltd',
    slug,
    adminEmail: `admin@${slug}.example`,
    adminName: 'Benchmark Administrator',
    adminPassword: ADMIN_PASSWORD,
  });
  const server = await createServer({ app: deps, http: config.http });
  await server.listen({ host: LOOPBACK, port: 0 });
  const baseUrl = baseUrlOf(server);

  // The session comes from the real login route (argon2 and all), as a browser's would.
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      organization: slug,
      email: organization.adminEmail,
      password: ADMIN_PASSWORD,
    }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('custodia_session='));
  if (login.status !== 200 || cookie === undefined) {
    throw new Error(`login failed (${login.status}): ${await login.text()}`);
  }
  const issued = await fetch(
    `${baseUrl}/api/v1/organizations/${organization.organizationId}/api-tokens`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'benchmark' }),
    },
  );
  if (issued.status !== 201) {
    throw new Error(`issuing the API token failed (${issued.status}): ${await issued.text()}`);
  }
  const { token } = IssuedApiToken.parse(await issued.json());

  const database = deps.store.dialect;
  const staffUsersUrl = `${baseUrl}/api/v1/organizations/${organization.organizationId}/staff-users`;
  return {
    runtime,
    server,
    scenarios: [
      {
        name: 'auth/me, session cookie',
        database,
        url: `${baseUrl}/api/v1/auth/me`,
        headers: { cookie },
      },
      {
        name: 'auth/me, bearer API token',
        database,
        url: `${baseUrl}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${token}` },
      },
      { name: 'staff-users list, session', database, url: staffUsersUrl, headers: { cookie } },
    ],
  };
}

function formatTable(rows: readonly Measurement[]): string {
  const header = ['scenario', 'database', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare'];
  const body = rows.map((row) => [
    row.scenario,
    row.database,
    Math.round(row.requestsPerSecond).toString(),
    row.latencyP50Ms.toFixed(1),
    row.latencyP99Ms.toFixed(1),
    row.ratioToBare.toFixed(3),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pg: { type: 'string' },
    },
  });
  const options = Arguments.parse(values);
  const sqliteDirectory = mkdtempSync(join(tmpdir(), 'custodia-bench-'));
  const bare = await startBareServer();
  const custodia: CustodiaUnderTest[] = [];
  try {
    custodia.push(await startCustodia(`sqlite:${join(sqliteDirectory, 'bench.db')}`));
    if (options.pg !== undefined) {
      custodia.push(await startCustodia(options.pg));
    }
    const bareScenario: Scenario = {
      name: 'bare Fastify route',
      database: 'none',
      url: `${baseUrlOf(bare)}/hello`,
      headers: {},
    };

    process.stderr.write(
      `Measuring ${options.duration} s per scenario after ${options.warmup} s of warm-up, ${options.connections} connections:\n`,
    );
    // The bare route is measured first and last; their mean is the baseline, and their spread
    // shows how steady the machine was during the run.
    const bareBefore = await measure(bareScenario, options);
    const measured: { scenario: Scenario; result: AutocannonResult }[] = [];
    for (const scenario of custodia.flatMap((entry) => entry.scenarios)) {
      measured.push({ scenario, result: await measure(scenario, options) });
    }
    const bareAfter = await measure(bareScenario, options);
    const baseline = (bareBefore.requests.average + bareAfter.requests.average) / 2;

    const toMeasurement = (scenario: Scenario, result: AutocannonResult): Measurement => ({
      scenario: scenario.name,
      database: scenario.database,
      path: new URL(scenario.url).pathname,
      requestsPerSecond: result.requests.average,
      totalRequests: result.requests.total,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyAverageMs: result.latency.average,
      ratioToBare: result.requests.average / baseline,
    });
    const rows = [
      toMeasurement({ ...bareScenario, name: 'bare Fastify route (first)' }, bareBefore),
      ...measured.map(({ scenario, result }) => toMeasurement(scenario, result)),
      toMeasurement({ ...bareScenario, name: 'bare Fastify route (last)' }, bareAfter),
    ];

    process.stdout.write(`\n${formatTable(rows)}\n`);
    const report = {
      benchmark: 'http-throughput',
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      settings: {
        durationSeconds: options.duration,
        warmupSeconds: options.warmup,
        connections: options.connections,
        pipelining: 1,
        loadGenerator: 'autocannon 8, one worker thread of the process that runs both servers',
      },
      baselineRequestsPerSecond: baseline,
      results: rows,
    };
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nWrote ${RESULTS_FILE}\n`);
  } finally {
    await bare.close();
    for (const entry of custodia) {
      await entry.server.close();
      await entry.runtime.close();
    }
    rmSync(sqliteDirectory, { recursive: true, force: true });
  }
}

await main();

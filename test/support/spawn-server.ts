import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `custodia` command as a child process: `node --import tsx src/main.ts …`, the same
 * entry point as the installed binary minus the build step. End-to-end tests use it where an
 * in-process `server.inject()` cannot reach: signals, process exit codes, a real socket.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const LISTENING = /Custodia listening on (http:\/\/\S+) \((sqlite|postgres)\)/;

/** How a child process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal killed the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliRunResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

export interface CustodiaProcessOptions {
  /** CUSTODIA_* settings for the child; the parent's own CUSTODIA_* variables are not passed on. */
  env?: Readonly<Record<string, string>>;
}

export interface RunCliOptions extends CustodiaProcessOptions {
  /** Written to the child's standard input, which is then closed (e.g. for --password-stdin). */
  stdin?: string;
  /** Kill the child (SIGKILL) and fail after this long. */
  timeoutMs?: number;
}

export interface SpawnServerOptions extends CustodiaProcessOptions {
  /** Database URL handed to `serve --db`. */
  databaseUrl: string;
  /** Fail (and kill the child) if it has not printed its address after this long. */
  readyTimeoutMs?: number;
}

/** A running `custodia serve` child process. */
export interface SpawnedServer {
  /** Base URL the server announced, e.g. http://127.0.0.1:41234. */
  url: string;
  pid: number;
  /** Everything the child printed so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the child has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal now; returns false if the child had already exited. */
  signal(signal: NodeJS.Signals): boolean;
  /**
   * Waits for the exit; SIGKILLs and rejects after timeoutMs. Use it after `signal('SIGTERM')`:
   * a second SIGTERM would find no handler left and kill the process outright.
   */
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
  /** Sends SIGTERM and waits for the exit, as waitForExit does. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  /** Test clean-up: SIGKILL if still running, then wait for the exit. */
  kill(): Promise<ExitStatus>;
}

function childEnvironment(
  settings: Readonly<Record<string, string>> | undefined,
): NodeJS.ProcessEnv {
  // The child's configuration rejects unknown CUSTODIA_* variables and would pick up stray ones, so
  // it gets exactly the settings the test states.
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('CUSTODIA_')) {
      env[name] = value;
    }
  }
  return { ...env, ...settings };
}

function startCustodia(args: readonly string[], options: CustodiaProcessOptions): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: REPOSITORY_ROOT,
    env: childEnvironment(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function exitOf(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
  });
  return () => text;
}

function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Runs one `custodia` command to completion and returns its exit status and output. */
export async function runCli(
  args: readonly string[],
  options: RunCliOptions = {},
): Promise<CliRunResult> {
  const child = startCustodia(args, options);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = exitOf(child);
  child.stdin?.end(options.stdin ?? '');
  const status = await withTimeout(exited, options.timeoutMs ?? 30_000, () => {
    child.kill('SIGKILL');
    return new Error(
      `custodia ${args.join(' ')} did not finish in time\nstdout:\n${stdout()}\nstderr:\n${stderr()}`,
    );
  });
  return { ...status, stdout: stdout(), stderr: stderr() };
}

/**
 * Starts `custodia serve --port 0` and resolves once it prints the address it listens on. The
 * server migrates the database on start, as in production.
 */
export async function spawnServer(options: SpawnServerOptions): Promise<SpawnedServer> {
  const child = startCustodia(['serve', '--db', options.databaseUrl, '--port', '0'], options);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  child.stdin?.end();
  const exited = exitOf(child);
  const { pid } = child;
  if (pid === undefined) {
    throw new Error(`could not start custodia serve:\n${stderr()}`);
  }

  const announced = new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const url = LISTENING.exec(stdout())?.[1];
      if (url !== undefined) {
        child.stdout?.off('data', onData);
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((status) => {
      reject(
        new Error(
          `custodia serve exited (code ${String(status.code)}, signal ${String(status.signal)}) before listening\nstdout:\n${stdout()}\nstderr:\n${stderr()}`,
        ),
      );
    });
  });
  let url: string;
  try {
    url = await withTimeout(
      announced,
      options.readyTimeoutMs ?? 30_000,
      () =>
        new Error(
          `custodia serve did not start in time\nstdout:\n${stdout()}\nstderr:\n${stderr()}`,
        ),
    );
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const waitForExit = (timeoutMs = 30_000): Promise<ExitStatus> =>
    withTimeout(exited, timeoutMs, () => {
      child.kill('SIGKILL');
      return new Error(
        `custodia serve did not exit within ${timeoutMs} ms\nstdout:\n${stdout()}\nstderr:\n${stderr()}`,
      );
    });
  return {
    url,
    pid,
    stdout,
    stderr,
    exited,
    signal: (signal) => isRunning() && child.kill(signal),
    waitForExit,
    stop: (timeoutMs) => {
      if (isRunning()) {
        child.kill('SIGTERM');
      }
      return waitForExit(timeoutMs);
    },
    kill: () => {
      if (isRunning()) {
        child.kill('SIGKILL');
      }
      return exited;
    },
  };
}

/** A `custodia` command started by `startCli` and still running (or just ended). */
export interface StartedCli {
  pid: number;
  /** Everything the child printed so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the child has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal now; returns false if the child had already exited. */
  signal(signal: NodeJS.Signals): boolean;
}

/**
 * Starts one `custodia` command and returns at once, for tests that interrupt it midway (e.g.
 * SIGKILL during a retention sweep) while watching the database; `runCli` waits for the end.
 */
export function startCli(
  args: readonly string[],
  options: CustodiaProcessOptions = {},
): StartedCli {
  const child = startCustodia(args, options);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  child.stdin?.end();
  const exited = exitOf(child);
  const { pid } = child;
  if (pid === undefined) {
    throw new Error(`could not start custodia ${args.join(' ')}`);
  }
  return {
    pid,
    stdout,
    stderr,
    exited,
    signal: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal),
  };
}

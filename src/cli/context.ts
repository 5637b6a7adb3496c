/**
 * What every CLI command receives: its streams, the environment (handed on to loadConfig, the
 * only reader of it) and a way to set the exit code. Commands never call process.exit, so tests
 * can run them in-process and read what they printed.
 */
export interface CliContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input (for passwords and piped files); empty when it is a terminal. */
  readStdin(): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  setExitCode(code: number): void;
  /**
   * Whether standard error is a terminal a person watches: commands then draw progress bars there.
   * Unset (tests, pipes, CI logs) means no bar, only the summary.
   */
  isInteractive?: boolean;
}

/** Exit codes shared by all commands. */
export const EXIT = {
  ok: 0,
  /** The command ran and found problems (a policy that fails its check, a broken audit chain). */
  problemsFound: 1,
  /** The command could not run: bad flags or configuration. */
  usage: 2,
} as const;

/** Runs a long-lived command until the process is asked to stop (SIGTERM or SIGINT). */
export interface LongRunningContext extends CliContext {
  untilShutdown(): Promise<string>;
}

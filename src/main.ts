import { runCli } from './cli/program.js';

/**
 * The composition root: the real process's streams, environment and signals, handed to the CLI.
 * Nothing below this file touches process.* directly (config.ts reads the env it is given).
 */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    return '';
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Signals are taken over only by long-running commands, so SIGTERM still ends `init` at once.
function untilShutdown(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => {
      resolve('SIGTERM');
    });
    process.once('SIGINT', () => {
      resolve('SIGINT');
    });
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  env: process.env,
  setExitCode: () => undefined,
  isInteractive: process.stderr.isTTY,
  untilShutdown,
});
process.exitCode = code;

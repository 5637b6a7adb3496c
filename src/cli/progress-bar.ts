import { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import type { CliContext } from './context.js';

/**
 * A cli-progress bar on the context's standard error when a person is watching it (a TTY), or
 * undefined: scripts and logs get the final report only, not carriage-return noise.
 */
export function progressBarFor(context: CliContext, format: string): SingleBar | undefined {
  if (context.isInteractive !== true) {
    return undefined;
  }
  // cli-progress draws on a stream; this one forwards to the context's standard error.
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        context.stderr(String(chunk));
        callback();
      },
    }),
    { isTTY: true },
  );
  return new SingleBar({ stream, format, hideCursor: true, etaBuffer: 50 });
}

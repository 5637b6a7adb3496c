import { availableParallelism, cpus } from 'node:os';

/** What every benchmark result records about the machine it was measured on. */
export function describeMachine(): {
  node: string;
  platform: string;
  cpu: string;
  parallelism: number;
} {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    parallelism: availableParallelism(),
  };
}

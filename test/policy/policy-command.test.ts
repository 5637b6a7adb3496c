import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { registerPolicyCommands } from '../../src/cli/commands/policy.js';
import { examplePath } from './support.js';

async function run(
  args: string[],
): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  const context: CliContext = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: () => Promise.resolve(''),
    env: {},
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command().exitOverride();
  registerPolicyCommands(program, context);
  await program.parseAsync(['node', 'custodia', ...args]);
  return { stdout, stderr, exitCode };
}

describe('custodia policy', () => {
  it('check prints "FILE: ok" and exits 0 for every example', async () => {
    const files = ['kexara', 'kajuyali'].map(examplePath);
    const result = await run(['policy', 'check', ...files]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(files.map((file) => `${file}: ok`));
  });

  it('check prints FILE:LINE:COL problems and exits 1', async () => {
    const file = new URL('./fixtures/broken.yaml', import.meta.url).pathname;
    const result = await run(['policy', 'check', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${file}:\\d+:\\d+: `, 'm'));
  });

  it('check exits 2 when a file cannot be read', async () => {
    const result = await run(['policy', 'check', '/nonexistent/policy.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('/nonexistent/policy.yaml: cannot read the file (ENOENT)');
  });

  it('schema prints a JSON Schema that forbids unknown keys', async () => {
    const result = await run(['policy', 'schema']);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
    };
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('organisation');
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { PolicyDiff } from '../../src/policy/diff.js';
import { Ropa } from '../../src/policy/ropa.js';
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

  it('render prints the notice in the language and format asked for', async () => {
    const html = await run([
      'policy',
      'render',
      examplePath('kajuyali'),
      '--format',
      'html',
      '--lang',
      'fr',
    ]);
    expect(html.exitCode).toBe(0);
    expect(html.stdout.startsWith('<!DOCTYPE html>\n<html lang="fr">')).toBe(true);
    const markdown = await run(['policy', 'render', examplePath('kajuyali')]);
    expect(markdown.exitCode).toBe(0);
    // Without --lang, the policy's default language: Spanish for Kajuyalí.
    expect(markdown.stdout.startsWith('# Aviso de privacidad: Kajuyalí')).toBe(true);
  });

  it('render refuses an unknown language or format with exit 2, naming the flag', async () => {
    const result = await run(['policy', 'render', examplePath('kexara'), '--lang', 'de']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--lang');
    const format = await run(['policy', 'render', examplePath('kexara'), '--format', 'pdf']);
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain('--format');
  });

  it('render exits 2 on a policy that fails its check, printing its problems', async () => {
    const file = new URL('./fixtures/broken.yaml', import.meta.url).pathname;
    const result = await run(['policy', 'render', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^${file}:\\d+:\\d+: `, 'm'));
  });

  it('ropa prints JSON of the documented shape, or RFC 4180 CSV', async () => {
    const json = await run(['policy', 'ropa', examplePath('kexara')]);
    expect(json.exitCode).toBe(0);
    expect(Ropa.parse(JSON.parse(json.stdout)).activities.length).toBeGreaterThan(0);
    const csv = await run(['policy', 'ropa', examplePath('kexara'), '--format', 'csv']);
    expect(csv.exitCode).toBe(0);
    expect(csv.stdout.startsWith('activity_id,purpose,controller,')).toBe(true);
    expect(csv.stdout).toContain('\r\n');
  });

  it('diff exits 0 with nothing significant, 1 with something significant, 2 on a missing file', async () => {
    const kexara = examplePath('kexara');
    const same = await run(['policy', 'diff', kexara, kexara]);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('no material changes');

    const directory = mkdtempSync(join(tmpdir(), 'custodia-diff-'));
    const longer = join(directory, 'kexara.yaml');
    writeFileSync(
      longer,
      readFileSync(kexara, 'utf8').replace('      period: P7Y\n', '      period: P8Y\n'),
    );
    const changed = await run(['policy', 'diff', kexara, longer, '--format', 'json']);
    expect(changed.exitCode).toBe(1);
    const diff = PolicyDiff.parse(JSON.parse(changed.stdout));
    expect(diff.changes.map((change) => change.kind)).toEqual(['retention-longer']);

    const text = await run(['policy', 'diff', kexara, longer]);
    expect(text.stdout).toMatch(
      /^significant +retention-longer +retention\.rules\[payment-records-7-years\]\.period/m,
    );

    const missing = await run(['policy', 'diff', kexara, '/nonexistent/new.yaml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/new.yaml: cannot read the file (ENOENT)');
  });
});

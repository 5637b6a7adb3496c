import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** `UPDATE_GOLDEN=1 npx vitest run test/policy` rewrites every golden file from the output. */
const isUpdating = process.env.UPDATE_GOLDEN === '1';

export function goldenPath(name: string): string {
  return fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
}

/** Compares `actual` with the golden file `name`, or writes it when updating. */
export function expectGolden(name: string, actual: string): void {
  const path = goldenPath(name);
  if (isUpdating) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 to create it`);
  }
  expect(
    actual,
    `rendered output differs from golden/${name}; if intended, rerun with UPDATE_GOLDEN=1 and review the diff`,
  ).toBe(readFileSync(path, 'utf8'));
}

import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints which tests ran on which database, and a plain closing line. In CI (CI=true) a run in
 * which no PostgreSQL test passed fails: the matrix must be proven on both databases.
 */
export default class DatabaseMatrixReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const counts = new Map<string, { passed: number; failed: number; skipped: number }>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const dialect = /\[(sqlite|postgres)\]/.exec(test.fullName)?.[1] ?? 'no database';
        const entry = counts.get(dialect) ?? { passed: 0, failed: 0, skipped: 0 };
        const state = test.result().state;
        if (state === 'passed') {
          entry.passed += 1;
        } else if (state === 'failed') {
          entry.failed += 1;
        } else {
          entry.skipped += 1;
        }
        counts.set(dialect, entry);
      }
    }
    const lines = ['', 'Database matrix:'];
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const [dialect, entry] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(
        `  ${dialect.padEnd(12)} ${entry.passed} passed, ${entry.failed} failed, ${entry.skipped} skipped`,
      );
      passed += entry.passed;
      failed += entry.failed;
      skipped += entry.skipped;
    }
    const postgresPassed = counts.get('postgres')?.passed ?? 0;
    if (process.env.CI === 'true' && postgresPassed === 0) {
      lines.push(
        '  FAIL: no test ran on PostgreSQL; CI requires the PostgreSQL half of the matrix.',
      );
      process.exitCode = 1;
      failed += 1;
    }
    lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`, '');
    process.stdout.write(lines.join('\n') + '\n');
  }
}

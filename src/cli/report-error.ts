import { isAppError, toFieldIssues } from '../errors.js';
import { EXIT, type CliContext } from './context.js';

/** Prints an expected failure as plain sentences (never a stack trace) and sets the exit code. */
export function reportCliError(context: CliContext, error: unknown): void {
  if (!isAppError(error)) {
    throw error;
  }
  context.stderr(`custodia: ${error.message}\n`);
  for (const issue of error.details?.issues ?? []) {
    context.stderr(`  ${issue.path}: ${issue.message}\n`);
  }
  context.setExitCode(
    error.code === 'VALIDATION_FAILED' || error.code === 'CONFIG_INVALID'
      ? EXIT.usage
      : EXIT.problemsFound,
  );
}

/** Reports zod issues of CLI input the same way, naming the flag at fault. */
export function reportInvalidInput(
  context: CliContext,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  flagOf: (field: string) => string,
): void {
  context.stderr('custodia: invalid input:\n');
  for (const issue of toFieldIssues(issues)) {
    context.stderr(`  ${flagOf(issue.path)}: ${issue.message}\n`);
  }
  context.setExitCode(EXIT.usage);
}

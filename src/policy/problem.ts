/**
 * A problem found in a policy file: plain data, so the CLI prints it, the API returns it and tests
 * compare it without any formatting in between.
 */
import type { PathSegment } from './source-positions.js';

/** Every kind of problem the checker reports. Tests cover each one. */
export const PROBLEM_CODES = [
  // The YAML itself, and the shape of the document.
  'yaml-syntax',
  'unknown-key',
  'missing-key',
  'invalid-type',
  'invalid-value',
  'invalid-format',
  'too-small',
  'bad-duration',
  'bad-date',
  // References and ids.
  'duplicate-id',
  'unknown-subject',
  'unknown-category',
  'unknown-purpose',
  'unknown-consent',
  'unknown-role',
  'unknown-third-party',
  'undeclared-jurisdiction',
  // Lawful basis and consent.
  'missing-lawful-basis',
  'consent-missing',
  'no-withdrawal-method',
  'missing-special-category-condition',
  'explicit-consent-missing',
  'special-kind-mismatch',
  'objection-denied',
  'objection-right-missing',
  // Security.
  'unencrypted-sensitive-category',
  'mfa-claim-contradicted',
  'role-inheritance-cycle',
  // Children and marketing.
  'children-without-guardian-rule',
  'children-in-marketing',
  'marketing-section-missing',
  'marketing-without-opt-in',
  'minor-ages-inconsistent',
  'cookie-consent-missing',
  // Sharing.
  'unsafeguarded-transfer',
  'recipient-category-outside-purpose',
  // Retention.
  'impossible-trigger',
  'no-retention-rule',
  'unused-category',
  'retention-purpose-mismatch',
  'review-incomplete',
  'review-unexpected',
  'anonymise-keeps-identifier',
  'anonymise-mismatch',
  'anonymise-keeps-nothing',
  // Rights, breach, notice.
  'missing-supervisory-authority',
  'missing-rights-deadline',
  'ambiguous-rights-deadline',
  'breach-deadline-exceeds-law',
  'missing-translation',
  'default-language-not-listed',
  'bad-date-range',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A finding before it is placed in the source: what and where in the document tree. */
export interface Finding {
  readonly code: ProblemCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Set when the finding is about a key itself (an unknown key), not its value. */
  readonly key?: string;
}

export interface PolicyProblem {
  readonly file: string;
  /** One-based. */
  readonly line: number;
  /** One-based. */
  readonly column: number;
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly code: ProblemCode;
}

/** `FILE:LINE:COL: message`, the form compilers use, so editors and CI annotate the line. */
export function formatProblem(problem: PolicyProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Writes a path the way a reader finds it in the file: purposes[3].lawful_basis.uk-gdpr. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(document)' : text;
}

/** Orders problems by position, then code and message, so every run prints the same list. */
export function compareProblems(left: PolicyProblem, right: PolicyProblem): number {
  return (
    left.line - right.line ||
    left.column - right.column ||
    left.code.localeCompare(right.code) ||
    left.message.localeCompare(right.message)
  );
}

/**
 * `checkPolicySource`: every problem of a policy file, each at its line and column. YAML syntax
 * first (a broken file has no structure to check), then the shape against the schema, then the
 * semantic checks. Pure: the caller reads the file.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import {
  compareProblems,
  formatPath,
  type Finding,
  type PolicyProblem,
  type ProblemCode,
} from './problem.js';
import { PolicyDocument } from './schema.js';
import { checkSemantics } from './semantic-checks.js';
import { createSourceLocator, type PathSegment } from './source-positions.js';

export type PolicyCheckResult =
  | { readonly ok: true; readonly policy: CompiledPolicy; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

/** Known problem codes a schema refinement may carry in its params (see schema.ts). */
const REFINEMENT_CODES: ReadonlySet<string> = new Set<ProblemCode>(['bad-duration', 'bad-date']);

function valueAt(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !(segment in current)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return { found: true, value: current };
}

function describeValue(value: unknown): string {
  if (value === null) {
    return 'an empty value';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns one zod issue into findings in the policy's own words. */
function findingsFromIssue(issue: z.core.$ZodIssue, root: unknown): Finding[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const where = formatPath(path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        code: 'unknown-key',
        path,
        key,
        message: `${where}: unknown key "${key}"`,
      }));
    case 'invalid_type': {
      const parentPath = path.slice(0, -1);
      const { found, value } = valueAt(root, path);
      if (!found) {
        const key = path[path.length - 1];
        return [
          {
            code: 'missing-key',
            path: parentPath,
            message: `${formatPath(parentPath)}: missing required key "${String(key)}"`,
          },
        ];
      }
      return [
        {
          code: 'invalid-type',
          path,
          message: `${where}: expected ${issue.expected}, found ${describeValue(value)}`,
        },
      ];
    }
    case 'invalid_value':
      return [
        {
          code: 'invalid-value',
          path,
          message: `${where}: must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((value) => JSON.stringify(value)).join(', ')}`,
        },
      ];
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options: unknown[] =
          'options' in issue && Array.isArray(issue.options) ? issue.options : [];
        return [
          {
            code: 'invalid-value',
            path,
            message: `${where}: must be one of ${options.map((option) => JSON.stringify(option)).join(', ')}`,
          },
        ];
      }
      return [{ code: 'invalid-type', path, message: `${where}: ${issue.message}` }];
    }
    case 'invalid_format':
      return [{ code: 'invalid-format', path, message: `${where}: not a valid ${issue.format}` }];
    case 'too_small':
      return [
        {
          code: 'too-small',
          path,
          message:
            issue.origin === 'array'
              ? `${where}: must list at least ${issue.minimum.toString()}`
              : `${where}: ${issue.message}`,
        },
      ];
    case 'custom': {
      const params: unknown = issue.params;
      const code =
        typeof params === 'object' && params !== null && 'code' in params ? params.code : undefined;
      if (typeof code === 'string' && REFINEMENT_CODES.has(code)) {
        return [{ code: code as ProblemCode, path, message: `${where}: ${issue.message}` }];
      }
      return [{ code: 'invalid-value', path, message: `${where}: ${issue.message}` }];
    }
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      return [{ code: 'invalid-value', path, message: `${where}: ${issue.message}` }];
  }
}

function syntaxProblems(
  fileName: string,
  documents: readonly Document.Parsed[],
  lineCounter: LineCounter,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  documents.forEach((document, index) => {
    for (const error of document.errors) {
      const start = lineCounter.linePos(error.pos[0]);
      problems.push({
        file: fileName,
        line: start.line,
        column: start.col,
        path: [],
        code: 'yaml-syntax',
        message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`,
      });
    }
    if (index > 0) {
      const start = lineCounter.linePos(document.range[0]);
      problems.push({
        file: fileName,
        line: start.line,
        column: start.col,
        path: [],
        code: 'yaml-syntax',
        message: 'a policy file holds one YAML document; remove this second one',
      });
    }
  });
  return problems;
}

/**
 * Checks a policy file's text. On success the compiled policy comes back too, so callers never
 * compile an unchecked document.
 */
export function checkPolicySource(fileName: string, yamlText: string): PolicyCheckResult {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(yamlText, { lineCounter, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [];
  const syntax = syntaxProblems(fileName, list, lineCounter);
  const document = list[0];
  if (syntax.length > 0 || document === undefined) {
    const empty: PolicyProblem = {
      file: fileName,
      line: 1,
      column: 1,
      path: [],
      code: 'yaml-syntax',
      message: 'the file holds no YAML document',
    };
    return { ok: false, problems: syntax.length > 0 ? syntax.sort(compareProblems) : [empty] };
  }

  const locator = createSourceLocator(document, lineCounter);
  const place = (finding: Finding): PolicyProblem => {
    const position =
      finding.key === undefined
        ? locator.positionOf(finding.path)
        : locator.positionOfKey(finding.path, finding.key);
    return {
      file: fileName,
      line: position.line,
      column: position.column,
      path: finding.key === undefined ? finding.path : [...finding.path, finding.key],
      message: finding.message,
      code: finding.code,
    };
  };

  const raw: unknown = document.toJS({ maxAliasCount: 1_000 });
  const parsed = PolicyDocument.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      findingsFromIssue(issue, raw).map(place),
    );
    return { ok: false, problems: problems.sort(compareProblems) };
  }
  const findings = checkSemantics(parsed.data);
  if (findings.length > 0) {
    return { ok: false, problems: findings.map(place).sort(compareProblems) };
  }
  return { ok: true, policy: compilePolicy(parsed.data), problems: [] };
}

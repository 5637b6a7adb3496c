import type { FieldIssue } from '../errors.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { normaliseFieldValue } from './field-values.js';

/** Submitted personal data: category id → field name → value. */
export type PersonalDataInput = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface ValidatedCategory {
  categoryId: string;
  isEncrypted: boolean;
  values: { field: string; text: string }[];
}

/**
 * Checks submitted data against the policy (data minimisation, GDPR Art. 5(1)(c)): only categories
 * the policy declares, for a kind of person the category is about, with fields it declares, each
 * of the declared type. With `requireComplete`, a category given must carry all its required
 * fields. Returns every problem at once, each naming `data.<category>.<field>`.
 */
export function validatePersonalData(
  policy: CompiledPolicy,
  subjectKind: string,
  data: PersonalDataInput,
  options: { requireComplete: boolean },
): { categories: ValidatedCategory[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const categories: ValidatedCategory[] = [];
  for (const [categoryId, fields] of Object.entries(data)) {
    const path = `data.${categoryId}`;
    const category = policy.categories.get(categoryId);
    if (category === undefined) {
      issues.push({
        path,
        message: 'is not a category the policy declares, so it may not be stored',
      });
      continue;
    }
    if (!category.definition.subjects.includes(subjectKind)) {
      issues.push({
        path,
        message: `is not kept about a ${subjectKind} under the policy (only ${category.definition.subjects.join(', ')})`,
      });
      continue;
    }
    const values: { field: string; text: string }[] = [];
    for (const [field, value] of Object.entries(fields)) {
      const definition = category.definition.fields.find((candidate) => candidate.name === field);
      if (definition === undefined) {
        issues.push({
          path: `${path}.${field}`,
          message: `is not a field of "${categoryId}" in the policy, so it may not be stored`,
        });
        continue;
      }
      const result = normaliseFieldValue(definition.type, value);
      if (result.ok) {
        values.push({ field, text: result.text });
      } else {
        issues.push({ path: `${path}.${field}`, message: result.reason });
      }
    }
    if (options.requireComplete) {
      for (const definition of category.definition.fields) {
        if (definition.required && !(definition.name in fields)) {
          issues.push({ path: `${path}.${definition.name}`, message: 'is required' });
        }
      }
    }
    categories.push({ categoryId, isEncrypted: category.isEncrypted, values });
  }
  return { categories, issues };
}

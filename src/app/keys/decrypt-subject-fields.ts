import { decryptValue } from '../../crypto/envelope.js';
import type { Executor } from '../../store/db.js';
import type { OrganizationScope } from '../../store/scope.js';
import { keyCategoryOf, withFieldKey, type SubjectFields } from './encrypt-subject-fields.js';
import { readSubjectDataKey, type KeyDeps } from './key-hierarchy.js';

/**
 * Decrypts one person's encrypted fields of one category (field → ciphertext in, field →
 * plaintext out). Never creates a key. Throws KeyUnavailableError after the person, or that
 * category of theirs, was shredded (or the keys are otherwise gone), and DecryptionError for a
 * ciphertext that was altered or belongs to another person, category or field. The access decision and its audit entry are the
 * caller's: this only turns bytes back into text.
 */
export async function decryptSubjectFields(
  deps: Pick<KeyDeps, 'masterKeys' | 'dialect'>,
  db: Executor,
  scope: OrganizationScope,
  input: SubjectFields,
): Promise<Record<string, string>> {
  const dataKey = await readSubjectDataKey(deps, db, scope, input.subjectId, keyCategoryOf(input));
  return withFieldKey(dataKey, scope, input, decryptValue);
}

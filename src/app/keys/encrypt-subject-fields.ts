import { encryptValue, fieldAssociatedData } from '../../crypto/envelope.js';
import type { Executor } from '../../store/db.js';
import type { OrganizationScope } from '../../store/scope.js';
import { obtainSubjectDataKey, type KeyDeps } from './key-hierarchy.js';

/** One person's values of one category, field name → plaintext (or → ciphertext when encrypted). */
export interface SubjectFields {
  subjectId: string;
  /** The category the values belong to: bound into every ciphertext. */
  category: string;
  /**
   * The category whose data key encrypts them, when not `category` itself: a reserved id for
   * data outside the policy's categories, e.g. `CONSENT_EVIDENCE_KEY` (key-hierarchy.ts). Kept
   * apart from `category` so that choosing a key never changes what ciphertexts are bound to.
   */
  keyCategory?: string;
  fields: Readonly<Record<string, string>>;
}

/** The category whose data key serves these fields. */
export function keyCategoryOf(input: SubjectFields): string {
  return input.keyCategory ?? input.category;
}

/**
 * Encrypts the fields of a category marked encrypted under the data key of that person and
 * category (or their person-wide key, for a person who predates per-category keys), in the
 * caller's transaction (which also stores the ciphertexts): the key is created there on first
 * use, so a rolled-back write leaves no key behind. Each ciphertext is bound to (organisation,
 * person, category, field). Throws KeyUnavailableError for a person who was shredded.
 */
export async function encryptSubjectFields(
  deps: KeyDeps,
  trx: Executor,
  scope: OrganizationScope,
  input: SubjectFields,
): Promise<Record<string, string>> {
  const dataKey = await obtainSubjectDataKey(
    deps,
    trx,
    scope,
    input.subjectId,
    keyCategoryOf(input),
  );
  return withFieldKey(dataKey, scope, input, encryptValue);
}

/**
 * Applies `transform` (encrypt or decrypt) to every field with the data key, binding each
 * value to its organisation, person, category and field, and zeroes the key afterwards.
 */
export function withFieldKey(
  dataKey: Buffer,
  scope: OrganizationScope,
  input: SubjectFields,
  transform: (key: Uint8Array, value: string, associatedData: string) => string,
): Record<string, string> {
  try {
    return Object.fromEntries(
      Object.entries(input.fields).map(([field, value]) => [
        field,
        transform(
          dataKey,
          value,
          fieldAssociatedData({
            organizationId: scope.organizationId,
            subjectId: input.subjectId,
            category: input.category,
            field,
          }),
        ),
      ]),
    );
  } finally {
    dataKey.fill(0);
  }
}

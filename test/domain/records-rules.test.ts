import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideDataAccess } from '../../src/domain/access-decision.js';
import {
  MAX_VALUE_LENGTH,
  normaliseFieldValue,
  type FieldType,
} from '../../src/domain/field-values.js';
import { validatePersonalData } from '../../src/domain/personal-data-validation.js';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';

function examplePolicy(name: string): CompiledPolicy {
  const path = new URL(`../../examples/policies/${name}.yaml`, import.meta.url);
  const result = checkPolicySource(`${name}.yaml`, readFileSync(path, 'utf8'));
  if (!result.ok) {
    throw new Error(`${name} does not check`);
  }
  return result.policy;
}

const kajuyali = examplePolicy('kajuyali');

describe('the access decision', () => {
  it.each([
    { role: 'level-c', category: 'medical-data', action: 'read', allowed: true },
    { role: 'level-c', category: 'medical-data', action: 'write', allowed: true },
    { role: 'level-c', category: 'medical-data', action: 'delete', allowed: false },
    { role: 'level-b', category: 'medical-data', action: 'read', allowed: true },
    { role: 'level-b', category: 'medical-data', action: 'delete', allowed: false },
    { role: 'level-a', category: 'medical-data', action: 'delete', allowed: true },
    { role: 'administrator', category: 'medical-data', action: 'read', allowed: false },
    { role: 'level-a', category: 'no-such-category', action: 'read', allowed: false },
  ] as const)(
    'kajuyali §2: $role may $action $category → $allowed',
    ({ role, category, action, allowed }) => {
      expect(decideDataAccess(kajuyali, role, category, action).allowed).toBe(allowed);
    },
  );

  it('refuses a purpose the policy does not declare, or one that does not use the category', () => {
    expect(
      decideDataAccess(kajuyali, 'level-a', 'medical-data', 'read', 'no-such-purpose'),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not a purpose') as unknown,
    });
  });

  it('denies by default: any role, category or action not granted is refused (property)', () => {
    const roles = [...kajuyali.roles.keys(), 'stranger'];
    const categories = [...kajuyali.categories.keys(), 'invented'];
    const actions = ['read', 'write', 'delete', 'export', 'bulk-export', 'approve-export'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...roles),
        fc.constantFrom(...categories),
        fc.constantFrom(...actions),
        (role, category, action) => {
          const decision = decideDataAccess(kajuyali, role, category, action);
          // The decision never grants more than the compiled policy does.
          return decision.allowed === kajuyali.can(role, category, action);
        },
      ),
    );
  });
});

describe('field values', () => {
  it.each([
    { type: 'email', value: 'ana@example.co', ok: true },
    { type: 'email', value: 'ana@', ok: false },
    { type: 'date', value: '2015-02-28', ok: true },
    { type: 'date', value: '2015-02-30', ok: false },
    { type: 'integer', value: 7, ok: true },
    { type: 'integer', value: 7.5, ok: false },
    { type: 'boolean', value: 'yes', ok: false },
    { type: 'country', value: 'CO', ok: true },
    { type: 'country', value: 'Colombia', ok: false },
    { type: 'phone', value: '+57 601 587 0000', ok: true },
    { type: 'url', value: 'javascript:alert(1)', ok: false },
    { type: 'ip-address', value: '203.0.113.9', ok: true },
    { type: 'string', value: "'; DROP TABLE people; --", ok: true },
    { type: 'string', value: '', ok: false },
    { type: 'string', value: 42, ok: false },
  ] as { type: FieldType; value: unknown; ok: boolean }[])(
    '$type $value → $ok',
    ({ type, value, ok }) => {
      expect(normaliseFieldValue(type, value).ok).toBe(ok);
    },
  );

  it('refuses values over the size limit', () => {
    expect(normaliseFieldValue('text', 'x'.repeat(MAX_VALUE_LENGTH + 1)).ok).toBe(false);
    expect(normaliseFieldValue('string', 'x'.repeat(501)).ok).toBe(false);
  });

  it('keeps any accepted string verbatim apart from surrounding white space (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), (text) => {
        const result = normaliseFieldValue('string', text);
        return result.ok ? result.text === text.trim() : text.trim() === '';
      }),
    );
  });
});

describe('data minimisation', () => {
  it('names every undeclared category, undeclared field, wrong type and missing required field', () => {
    const { issues } = validatePersonalData(
      kajuyali,
      'participant',
      {
        'shoe-sizes': { left: '38' },
        'contact-data': { full_name: 'Ana', favourite_colour: 'blue', email: 'nope' },
      },
      { requireComplete: true },
    );
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'data.shoe-sizes',
        'data.contact-data.favourite_colour',
        'data.contact-data.email',
        'data.contact-data.phone',
      ]),
    );
  });
});

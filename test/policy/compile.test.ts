import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { readMinimalPolicy } from './support.js';

function compileMinimal(): CompiledPolicy {
  const result = checkPolicySource('minimal.yaml', readMinimalPolicy());
  if (!result.ok) {
    throw new Error('the minimal fixture must pass');
  }
  return result.policy;
}

describe('compilePolicy', () => {
  const policy = compileMinimal();

  it('resolves inherited permissions: admin has everything staff has, plus its own', () => {
    expect(policy.can('admin', 'account', 'read')).toBe(true);
    expect(policy.can('admin', 'health', 'delete')).toBe(true);
    expect(policy.can('staff', 'account', 'delete')).toBe(false);
    expect([...(policy.roles.get('admin')?.inheritedRoleIds ?? [])]).toEqual(['staff']);
  });

  it('honours purpose restrictions and denies when no purpose is given', () => {
    expect(policy.can('staff', 'health', 'read', 'safety')).toBe(true);
    expect(policy.can('staff', 'health', 'read', 'service')).toBe(false);
    expect(policy.can('staff', 'health', 'read')).toBe(false);
  });

  it('denies by default for unknown roles, categories and actions', () => {
    expect(policy.can('nobody', 'account', 'read')).toBe(false);
    expect(policy.can('staff', 'nothing', 'read')).toBe(false);
    expect(policy.can('staff', 'account', 'bulk-export')).toBe(false);
    expect(policy.canSystem('staff', 'manage-users')).toBe(false);
    expect(policy.canSystem('admin', 'manage-users')).toBe(true);
  });

  it('turns encryption on by default for special-category data only', () => {
    expect(policy.categories.get('health')?.isEncrypted).toBe(true);
    expect(policy.categories.get('account')?.isEncrypted).toBe(false);
  });

  it('indexes purposes, consents, retention and recipients by category', () => {
    expect(policy.purposesByCategory.get('health')?.map((purpose) => purpose.id)).toEqual([
      'safety',
    ]);
    expect(policy.purposes.get('safety')?.requiresConsent).toBe(true);
    expect(policy.consentsByPurpose.get('safety')?.map((consent) => consent.id)).toEqual([
      'health-consent',
    ]);
    expect(policy.retentionByCategory.get('account')?.[0]?.period.years).toBe(1);
    expect(policy.thirdPartiesByCategory.get('account')?.map((party) => party.id)).toEqual([
      'host',
    ]);
  });

  it('answers the rights clock per jurisdiction', () => {
    expect(policy.rightsDeadline('uk-gdpr', 'access')?.respondWithin).toEqual({
      amount: 1,
      unit: 'calendar-months',
    });
    expect(policy.rightsDeadline('pipeda', 'access')).toBeUndefined();
  });

  it('is deeply immutable: objects are frozen and maps and sets refuse changes', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.document.purposes[0])).toBe(true);
    expect(Object.isFrozen(policy.categories.get('health')?.definition.fields[0])).toBe(true);
    expect(() => {
      (policy.categories as Map<string, unknown>).set('x', {});
    }).toThrow(TypeError);
    expect(() => {
      (policy.roles.get('admin')?.systemActions as Set<string>).add('manage-keys');
    }).toThrow(TypeError);
    expect(policy.canSystem('admin', 'manage-keys')).toBe(false);
  });
});

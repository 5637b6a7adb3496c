import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dueActions,
  scheduleCategory,
  schedulePerson,
} from '../../src/domain/retention-schedule.js';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';

function examplePolicy(name: string): CompiledPolicy {
  const source = readFileSync(
    new URL(`../../examples/policies/${name}.yaml`, import.meta.url),
    'utf8',
  );
  const checked = checkPolicySource(`${name}.yaml`, source);
  if (!checked.ok) {
    throw new Error(`${name} does not check`);
  }
  return checked.policy;
}

const policies = {
  kexara: examplePolicy('kexara'),
  kajuyali: examplePolicy('kajuyali'),
  masterclass: examplePolicy('career-masterclass'),
  explorer: examplePolicy('careerexplorer'),
  kindergarten: examplePolicy('kindergarten-platform'),
};

const at = (day: string) => `${day}T00:00:00.000Z`;

describe('retention schedule: each seed’s table, as the policy files express it', () => {
  it.each([
    // seed, category, trigger instants, action, due
    ['kexara', 'account', { 'account-closed': at('2026-01-01') }, 'delete', at('2027-01-01')],
    [
      'kexara',
      'learning-progress',
      { 'account-closed': at('2026-01-01') },
      'delete',
      at('2026-01-01'),
    ],
    [
      'kexara',
      'payment-records',
      { 'transaction-date': at('2026-01-15') },
      'delete',
      at('2033-01-15'),
    ],
    [
      'kexara',
      'marketing-preferences',
      { unsubscribed: at('2026-02-01') },
      'delete',
      at('2028-02-01'),
    ],
    ['kexara', 'support-interactions', { collected: at('2026-01-01') }, 'delete', at('2029-01-01')],
    [
      'kajuyali',
      'medical-data',
      { 'last-enrollment': at('2026-07-08') },
      'delete',
      at('2031-07-08'),
    ],
    // Never enrolled: counted from registration (fallback_trigger).
    ['kajuyali', 'participant-data', { collected: at('2026-03-02') }, 'delete', at('2031-03-02')],
    [
      'kajuyali',
      'contact-data',
      { 'last-enrollment': at('2026-07-08') },
      'review',
      at('2036-07-08'),
    ],
    [
      'masterclass',
      'research-data',
      { collected: at('2026-01-01') },
      'anonymise',
      at('2029-01-01'),
    ],
    [
      'kindergarten',
      'child-health',
      { 'last-enrollment': at('2026-06-30') },
      'delete',
      at('2027-06-30'),
    ],
  ] as const)('%s %s from %j: %s on %s', (seed, category, triggers, action, due) => {
    const schedule = scheduleCategory(policies[seed], category, triggers);
    expect(schedule).toMatchObject({ status: 'scheduled', action: { action, dueAt: due } });
  });

  it('kexara accessibility needs: the first end wins — 90 days after the tour, or at once on withdrawal', () => {
    const afterTour = scheduleCategory(policies.kexara, 'accessibility-needs', {
      collected: at('2026-03-01'),
      'program-ended': at('2026-06-30'),
    });
    expect(afterTour).toMatchObject({
      status: 'scheduled',
      action: { ruleId: 'accessibility-after-tour', dueAt: at('2026-09-28') },
    });
    const withdrawn = scheduleCategory(policies.kexara, 'accessibility-needs', {
      collected: at('2026-03-01'),
      'program-ended': at('2026-06-30'),
      'consent-withdrawn': at('2026-05-01'),
    });
    expect(withdrawn).toMatchObject({
      action: { ruleId: 'accessibility-on-withdrawal', dueAt: at('2026-05-01') },
    });
  });

  it('career-masterclass: withdrawing research consent deletes at once instead of anonymising in 3 years', () => {
    expect(
      scheduleCategory(policies.masterclass, 'research-data', {
        collected: at('2026-01-01'),
        'consent-withdrawn': at('2026-02-01'),
      }),
    ).toMatchObject({ action: { action: 'delete', dueAt: at('2026-02-01') } });
  });

  it('careerexplorer: a deletion request ends the account at once, before the 3-year review', () => {
    expect(
      scheduleCategory(policies.explorer, 'account', {
        'last-activity': at('2026-01-01'),
        'deletion-requested': at('2026-03-01'),
      }),
    ).toMatchObject({ action: { ruleId: 'account-deleted-on-request', dueAt: at('2026-03-01') } });
  });

  it('kindergarten: institution data is kept for the longest need — statutory records 10 years', () => {
    expect(
      scheduleCategory(policies.kindergarten, 'institution', {
        'contract-terminated': at('2026-06-30'),
      }),
    ).toMatchObject({ action: { ruleId: 'institution-statutory', dueAt: at('2036-06-30') } });
  });

  it('waits while a rule’s trigger has not happened (kexara: the account is kept until closed)', () => {
    expect(scheduleCategory(policies.kexara, 'account', { collected: at('2026-01-01') })).toEqual({
      status: 'waiting',
      categoryId: 'account',
      waitingFor: ['account-closed'],
    });
  });

  it('career-masterclass: contact details follow an open account; the collected fallback is for prospects', () => {
    const triggers = { collected: at('2026-01-01') };
    expect(
      scheduleCategory(
        policies.masterclass,
        'contact-details',
        triggers,
        new Set(['account-closed']),
      ),
    ).toEqual({ status: 'waiting', categoryId: 'contact-details', waitingFor: ['account-closed'] });
    expect(scheduleCategory(policies.masterclass, 'contact-details', triggers)).toMatchObject({
      status: 'scheduled',
      action: { countedFrom: 'collected', dueAt: at('2027-01-01') },
    });
  });

  it('lists what is due at an instant, earliest first, and nothing before its time', () => {
    const schedule = schedulePerson(
      policies.kexara,
      ['support-interactions', 'account', 'payment-records'],
      {
        collected: at('2026-01-01'),
        'account-closed': at('2026-02-01'),
        'transaction-date': at('2026-01-15'),
      },
    );
    expect(dueActions(schedule, new Date(at('2027-01-31')))).toEqual([]);
    expect(dueActions(schedule, new Date(at('2029-06-01'))).map((a) => a.categoryId)).toEqual([
      'account',
      'support-interactions',
    ]);
    expect(dueActions(schedule, new Date(at('2033-02-01'))).map((a) => a.categoryId)).toEqual([
      'account',
      'support-interactions',
      'payment-records',
    ]);
  });
});

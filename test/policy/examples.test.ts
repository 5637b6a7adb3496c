import { describe, expect, it } from 'vitest';
import type { CompiledPolicy, CompiledRetentionRule } from '../../src/policy/compile.js';
import { compileExample, EXAMPLE_NAMES } from './support.js';

function rules(policy: CompiledPolicy, categoryId: string): readonly CompiledRetentionRule[] {
  return policy.retentionByCategory.get(categoryId) ?? [];
}

function ruleSummary(policy: CompiledPolicy, categoryId: string): string[] {
  return rules(policy, categoryId).map(
    (rule) =>
      `${rule.definition.period} after ${rule.definition.trigger}: ${rule.definition.action}`,
  );
}

describe.each(EXAMPLE_NAMES)('examples/policies/%s.yaml', (name) => {
  it('passes policy check and compiles', () => {
    expect(() => compileExample(name)).not.toThrow();
  });

  it('labels every category and purpose in en, es and fr', () => {
    const policy = compileExample(name);
    expect(policy.document.organisation.notice_languages).toEqual(
      expect.arrayContaining(['en', 'es', 'fr']),
    );
    for (const item of [...policy.document.categories, ...policy.document.purposes]) {
      expect(Object.keys(item.labels).sort()).toEqual(['en', 'es', 'fr']);
    }
  });
});

describe('kexara', () => {
  const policy = compileExample('kexara');

  it('kexara: account information is kept until account deletion + 1 year', () => {
    expect(ruleSummary(policy, 'account')).toEqual(['P1Y after account-closed: delete']);
  });
  it('kexara: learning progress is kept until account deletion', () => {
    expect(ruleSummary(policy, 'learning-progress')).toEqual(['P0D after account-closed: delete']);
  });
  it('kexara: payment records are kept 7 years from the transaction date', () => {
    expect(ruleSummary(policy, 'payment-records')).toEqual(['P7Y after transaction-date: delete']);
  });
  it('kexara: marketing data is kept until unsubscribed + 2 years', () => {
    expect(ruleSummary(policy, 'marketing-preferences')).toEqual([
      'P2Y after unsubscribed: delete',
    ]);
  });
  it('kexara: support interactions are kept 3 years', () => {
    expect(ruleSummary(policy, 'support-interactions')).toEqual(['P3Y after collected: delete']);
  });
  it('kexara: access and deletion requests are answered within 30 days under PIPEDA', () => {
    for (const right of ['access', 'portability', 'erasure'] as const) {
      expect(policy.rightsDeadline('pipeda', right)?.respondWithin).toEqual({
        amount: 30,
        unit: 'calendar-days',
      });
    }
  });
  it('kexara: affected users are told of a breach within 72 hours', () => {
    expect(policy.document.breach.notify_people_within).toBe('PT72H');
  });
  it('kexara: under-13s get no account and their data is deleted immediately; 13–18 guardians may review, modify, delete', () => {
    const minors = policy.document.minors;
    expect(minors?.minimum_account_age).toBe(13);
    expect(minors?.on_underage_data_found).toEqual({ action: 'delete', within: 'P0D' });
    expect(minors?.guardian_may_act_below_age).toBe(18);
    expect(minors?.guardian_may).toEqual(['review', 'modify', 'delete']);
  });
  it('kexara: marketing is consent-based and withdrawable at any time', () => {
    expect(policy.purposes.get('marketing')?.requiresConsent).toBe(true);
    expect(policy.consents.get('marketing-communications')?.withdrawal).toContain(
      'unsubscribe-link',
    );
    expect(policy.document.marketing?.sells_personal_data).toBe(false);
  });
  it('kexara: data is stored in Canada and every category is encrypted at rest', () => {
    expect(
      policy.document.organisation.storage_locations.map((location) => location.territory),
    ).toEqual(['CA']);
    expect([...policy.categories.values()].every((category) => category.isEncrypted)).toBe(true);
  });
  it('kexara: continued use after an update means acceptance', () => {
    expect(policy.document.changes.continued_use_means_acceptance).toBe(true);
    expect(policy.document.changes.channels).toEqual(['email', 'website-notice']);
  });
  it('kexara: essential cookies need no consent, analytics and personalisation do', () => {
    const cookies = Object.fromEntries(
      policy.document.cookies.map((cookie) => [cookie.id, cookie.consent_required]),
    );
    expect(cookies).toEqual({ essential: false, analytics: true, personalisation: true });
  });
});

describe('careerexplorer', () => {
  const policy = compileExample('careerexplorer');

  it('careerexplorer: account deletion irreversibly deletes personal information at once', () => {
    expect(ruleSummary(policy, 'account')).toContain('P0D after deletion-requested: delete');
  });
  it('careerexplorer: anonymised assessment responses and career history are kept', () => {
    expect(ruleSummary(policy, 'assessment-and-career-history')).toEqual([
      'P0D after deletion-requested: anonymise',
    ]);
  });
  it('careerexplorer: people are told of a breach within 48 hours', () => {
    expect(policy.document.breach.notify_people_within).toBe('PT48H');
    expect(policy.document.breach.notice_contents).toEqual([
      'what-happened',
      'data-involved',
      'remedial-steps',
      'precautions',
    ]);
  });
  it('careerexplorer: users must be at least 13', () => {
    expect(policy.document.minors?.minimum_account_age).toBe(13);
  });
  it('careerexplorer: HTTPS only and data layers encrypted at rest', () => {
    expect(policy.document.security.encryption_in_transit).toBe(true);
    expect(policy.document.security.encryption_at_rest).toBe(true);
  });
  it('careerexplorer: the policy may change without prior notice; continued use is agreement', () => {
    expect(policy.document.changes.notice_lead_time).toBe('P0D');
    expect(policy.document.changes.continued_use_means_acceptance).toBe(true);
  });
});

describe('kindergarten-platform', () => {
  const policy = compileExample('kindergarten-platform');

  it("kindergarten-platform §5: children's data is never used for marketing nor sold", () => {
    const childCategories = [...policy.categories.values()].filter(
      (category) => category.definition.children,
    );
    expect(childCategories.length).toBeGreaterThan(0);
    for (const category of childCategories) {
      expect(
        policy.purposesByCategory.get(category.id)?.some((purpose) => purpose.isMarketing),
      ).toBe(false);
    }
    expect(policy.document.marketing?.children).toBe('forbidden');
    expect(policy.document.marketing?.sells_personal_data).toBe(false);
  });
  it('kindergarten-platform §8: child data needs parental consent the institution attests', () => {
    const consent = policy.consents.get('parental-consent');
    expect(consent?.given_by).toContain('institution-attestation');
    expect(policy.purposes.get('administration')?.requiresConsent).toBe(true);
  });
  it('kindergarten-platform §6: photos and videos need their own separate consent', () => {
    expect(policy.consentsByPurpose.get('media-sharing')?.map((consent) => consent.id)).toEqual([
      'photo-consent',
    ]);
    expect(policy.consents.get('photo-consent')?.separate).toBe(true);
  });
  it('kindergarten-platform §4: health reports are readable only by the health officer and institution administrator', () => {
    const readers = [...policy.roles.keys()].filter((role) =>
      policy.can(role, 'child-health', 'read', 'development-reports'),
    );
    expect(readers.sort()).toEqual(['health-officer', 'institution-administrator']);
    expect(policy.can('educator', 'child-health', 'read', 'development-reports')).toBe(false);
    expect(
      policy.can('platform-administrator', 'child-health', 'read', 'development-reports'),
    ).toBe(false);
  });
  it('kindergarten-platform §6: data is deleted on contract termination, subject to legal retention', () => {
    for (const category of [
      'child-profile',
      'child-health',
      'child-photos',
      'communications',
      'staff',
    ]) {
      expect(ruleSummary(policy, category)).toContain('P30D after contract-terminated: delete');
    }
    expect(ruleSummary(policy, 'institution')).toContain('P10Y after contract-terminated: delete');
    expect(policy.purposes.get('statutory-records')?.isProtected).toBe(true);
  });
  it('kindergarten-platform §4: encryption at rest, tenant isolation and encrypted health data', () => {
    expect(policy.document.security.tenant_isolation).toBe(true);
    expect(policy.categories.get('child-health')?.isEncrypted).toBe(true);
  });
  it('kindergarten-platform §7: significant changes are notified in the platform or by e-mail before they apply', () => {
    expect(policy.document.changes.channels).toEqual(['in-app', 'email']);
  });
});

describe('career-masterclass', () => {
  const policy = compileExample('career-masterclass');

  it('career-masterclass: account, learning, communication and payment data last the life of the account + 12 months', () => {
    for (const category of ['account', 'learning-activity', 'communications', 'payment-details']) {
      expect(ruleSummary(policy, category)[0]).toBe('P12M after account-closed: delete');
    }
  });
  it('career-masterclass: usage data is anonymised at 24 months', () => {
    expect(ruleSummary(policy, 'website-usage')).toEqual(['P24M after collected: anonymise']);
  });
  it('career-masterclass: rights requests are answered within one calendar month, extendable by two', () => {
    const deadline = policy.rightsDeadline('uk-gdpr', 'access');
    expect(deadline?.respondWithin).toEqual({ amount: 1, unit: 'calendar-months' });
    expect(deadline?.extension).toMatchObject({
      amount: 2,
      unit: 'calendar-months',
      reason_required: true,
    });
  });
  it('career-masterclass: racial or ethnic origin is processed for research only with explicit consent', () => {
    expect(policy.categories.get('ethnic-origin')?.definition.special_kind).toBe(
      'racial-or-ethnic-origin',
    );
    expect(policy.purposesByCategory.get('ethnic-origin')?.map((purpose) => purpose.id)).toEqual([
      'research-ethnic-origin',
    ]);
    expect(
      policy.purposes.get('research-ethnic-origin')?.definition.special_category_condition?.[
        'uk-gdpr'
      ]?.condition,
    ).toBe('explicit-consent');
    expect(policy.consents.get('research-ethnic-origin')?.form).toBe('explicit');
    expect(ruleSummary(policy, 'ethnic-origin')).toContain('P0D after consent-withdrawn: delete');
  });
  it('career-masterclass: Digital Ocean, Google Workspace and Circle are processors with safeguards for transfers', () => {
    expect(policy.thirdParties.get('digital-ocean')?.safeguards).toEqual(
      expect.arrayContaining(['dpa', 'scc']),
    );
    expect(policy.thirdParties.get('google-workspace')?.safeguards).toEqual(
      expect.arrayContaining(['dpa', 'scc']),
    );
    expect(policy.thirdParties.get('circle')?.relationship).toBe('processor');
    expect(policy.categories.get('community-profile')?.definition.sources).toEqual([
      { third_party: 'circle' },
    ]);
  });
  it('career-masterclass: complaints go to the ICO', () => {
    expect(policy.document.organisation.supervisory_authorities['uk-gdpr']?.name).toBe(
      "Information Commissioner's Office",
    );
    expect(policy.document.organisation.supervisory_authorities['uk-gdpr']?.contact.phone).toBe(
      '0303 123 1113',
    );
  });
  it('career-masterclass: legitimate-interest purposes carry the right to object', () => {
    expect(policy.document.rights.available).toContain('objection');
    const basis = policy.lawfulBasis('personalisation', 'uk-gdpr');
    expect(basis?.basis === 'legitimate-interest' && basis.right_to_object).toBe(true);
  });
  it('career-masterclass: criminal conviction checks rely on DPA 2018 authority, not consent', () => {
    expect(
      policy.purposes.get('pre-employment-checks')?.definition.special_category_condition?.[
        'uk-gdpr'
      ]?.condition,
    ).toBe('authorised-by-law');
    expect(policy.can('recruiter', 'criminal-convictions', 'read', 'pre-employment-checks')).toBe(
      true,
    );
    expect(
      policy.can('support-agent', 'criminal-convictions', 'read', 'pre-employment-checks'),
    ).toBe(false);
  });
});

describe('kajuyali', () => {
  const policy = compileExample('kajuyali');

  it('kajuyali §2: level A ⊃ B ⊃ C', () => {
    expect([...(policy.roles.get('level-a')?.inheritedRoleIds ?? [])].sort()).toEqual([
      'level-b',
      'level-c',
    ]);
    expect([...(policy.roles.get('level-b')?.inheritedRoleIds ?? [])]).toEqual(['level-c']);
  });
  it('kajuyali §2: level C may read and write client data but not delete it', () => {
    for (const category of ['contact-data', 'medical-data', 'enrollments', 'invoices']) {
      expect(policy.can('level-c', category, 'read')).toBe(true);
      expect(policy.can('level-c', category, 'write')).toBe(true);
      expect(policy.can('level-c', category, 'delete')).toBe(false);
    }
    expect(policy.canSystem('level-c', 'manage-program-scripts')).toBe(false);
  });
  it('kajuyali §2: level B manages clients, invoices and reservations and runs campaigns, but deletes nothing', () => {
    expect(policy.can('level-b', 'invoices', 'write')).toBe(true);
    expect(policy.can('level-b', 'enrollments', 'export')).toBe(true);
    expect(policy.canSystem('level-b', 'send-marketing')).toBe(true);
    expect(policy.can('level-b', 'contact-data', 'delete')).toBe(false);
  });
  it('kajuyali §2 and §4.1: only level A deletes data, creates users and restores backups', () => {
    const holders = (check: (role: string) => boolean) => [...policy.roles.keys()].filter(check);
    expect(holders((role) => policy.can(role, 'medical-data', 'delete'))).toEqual(['level-a']);
    expect(holders((role) => policy.canSystem(role, 'manage-users'))).toEqual(['level-a']);
    expect(holders((role) => policy.canSystem(role, 'restore-backup'))).toEqual(['level-a']);
  });
  it('kajuyali §3: physical server access for A and B; OneDrive backups for A only', () => {
    expect(policy.canSystem('level-b', 'physical-server-access')).toBe(true);
    expect(policy.canSystem('level-c', 'physical-server-access')).toBe(false);
    expect(policy.canSystem('level-b', 'access-backups')).toBe(false);
    expect(policy.canSystem('level-a', 'access-backups')).toBe(true);
  });
  it('kajuyali §4.4: bulk marketing exports need level A or B supervision', () => {
    expect(policy.document.marketing?.bulk_export?.supervisor_roles).toEqual(['level-b']);
    expect(policy.can('level-b', 'contact-data', 'approve-export')).toBe(true);
    expect(policy.can('level-c', 'contact-data', 'approve-export')).toBe(false);
  });
  it('kajuyali §5: accepting the Terms and Conditions is required to enroll', () => {
    expect(policy.document.changes.terms_acceptance_required_to_enroll).toBe(true);
  });
  it('kajuyali §5.2: staff may enter consent from the paper form KCTGMPDATAFORM22', () => {
    const consent = policy.consents.get('terms-and-data-authorisation');
    expect(consent?.given_by).toContain('staff-paper-form');
    expect(consent?.paper_form_reference).toBe('KCTGMPDATAFORM22');
  });
  it('kajuyali §5.3: medical data is kept 5 years after the last enrollment', () => {
    expect(ruleSummary(policy, 'medical-data')).toEqual(['P5Y after last-enrollment: delete']);
  });
  it('kajuyali §5.5: after 10 years the user is asked, and "no" deletes', () => {
    const [rule] = rules(policy, 'contact-data');
    expect(rule?.definition.period).toBe('P10Y');
    expect(rule?.definition.action).toBe('review');
    expect(rule?.definition.review?.on_no).toBe('delete');
    expect(rule?.definition.review?.on_no_answer).toBe('delete');
  });
  it('kajuyali §5.6: promotions stop 12 months after the last enrollment or on unsubscribing, for a person or a family', () => {
    const marketing = policy.document.marketing;
    expect(marketing?.audience?.last_enrollment_within).toBe('P12M');
    expect(marketing?.stop_on).toContain('unsubscribed');
    expect(marketing?.unsubscribe_scopes).toEqual(['person', 'family']);
  });
  it('kajuyali §6.1.2: levels B and C are cut for 6 hours after a breach is declared', () => {
    expect(policy.document.breach.lockdown).toContainEqual({
      action: 'suspend-roles',
      roles: ['level-b', 'level-c'],
      for: 'PT6H',
    });
  });
  it('kajuyali §6.1.1 and §6.1.3: the server goes offline 6 hours; the Technology Coordinator reports with an action plan', () => {
    expect(
      policy.document.breach.lockdown.some(
        (action) => action.action === 'take-offline' && action.for === 'PT6H',
      ),
    ).toBe(true);
    expect(policy.document.breach.investigation).toMatchObject({
      lead_role: 'level-a',
      report_required: true,
      action_plan_required: true,
    });
  });
  it('kajuyali: Law 1581 consultations take 10 business days (+5) and claims 15 (+8)', () => {
    expect(policy.rightsDeadline('colombia-1581', 'access', 'consultation')).toMatchObject({
      respondWithin: { amount: 10, unit: 'business-days' },
      extension: { amount: 5, unit: 'business-days' },
    });
    expect(policy.rightsDeadline('colombia-1581', 'erasure', 'claim')).toMatchObject({
      respondWithin: { amount: 15, unit: 'business-days' },
      extension: { amount: 8, unit: 'business-days' },
    });
  });
  it('kajuyali: the policy is valid for 24 months from 1 September 2022', () => {
    expect(policy.document.organisation.effective_date).toBe('2022-09-01');
    expect(policy.document.organisation.valid_until).toBe('2024-09-01');
  });
  it('kajuyali §4.3: every access is logged', () => {
    expect(policy.document.security.access_logging).toBe(true);
  });
});

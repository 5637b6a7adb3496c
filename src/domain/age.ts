import type { PolicyDocument } from '../policy/schema.js';

/**
 * A person's age in whole years at an instant, from an ISO date of birth (YYYY-MM-DD), counted in
 * UTC. Someone born on 29 February turns a year older on 1 March in common years, as most laws
 * count it. Undefined for an unparseable date.
 */
export function ageOn(dateOfBirth: string, at: Date): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (match === null) {
    return undefined;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = at.getUTCFullYear() - year;
  const monthNow = at.getUTCMonth() + 1;
  if (monthNow < month || (monthNow === month && at.getUTCDate() < day)) {
    age -= 1;
  }
  return age;
}

/** Where a person stands under the policy's `minors` rules at one instant. */
export interface MinorStatus {
  /** Under `minimum_account_age`. */
  isBelowMinimumAge: boolean;
  /** Under `guardian_consent_below_age`: a guardian consents on their behalf (GDPR Art. 8). */
  needsGuardianConsent: boolean;
  /** Under `guardian_may_act_below_age`: a linked guardian may act for them. */
  guardianMayAct: boolean;
}

const ADULT: MinorStatus = {
  isBelowMinimumAge: false,
  needsGuardianConsent: false,
  guardianMayAct: false,
};

/**
 * The status of a person of known age, or of unknown age whose kind the policy says may be a
 * minor: such a person is treated as a child (the careful reading — a kindergarten's children
 * have no date of birth on record, and are all minors). Unknown age of any other kind: an adult.
 */
export function minorStatus(
  minors: PolicyDocument['minors'],
  age: number | undefined,
  kindMayBeMinor: boolean,
): MinorStatus {
  if (minors === undefined) {
    return ADULT;
  }
  if (age === undefined) {
    return kindMayBeMinor
      ? { isBelowMinimumAge: true, needsGuardianConsent: true, guardianMayAct: true }
      : ADULT;
  }
  return {
    isBelowMinimumAge: age < minors.minimum_account_age,
    needsGuardianConsent: age < minors.guardian_consent_below_age,
    guardianMayAct: age < minors.guardian_may_act_below_age,
  };
}

import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 TOTP: 30-second steps, six digits, one step of clock drift accepted either way. */
export interface TotpVerification {
  valid: boolean;
  /** The time step the code belongs to; a step may be used once (ASVS 2.8.4). */
  timeStep: number;
}

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret });
}

export async function verifyTotp(
  secret: string,
  code: string,
  now: Date,
): Promise<TotpVerification> {
  if (!/^\d{6}$/.test(code)) {
    return { valid: false, timeStep: 0 };
  }
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
  });
  // The functional API types its result as TOTP-or-HOTP; only a TOTP result carries the step.
  return result.valid && 'timeStep' in result
    ? { valid: true, timeStep: result.timeStep }
    : { valid: false, timeStep: 0 };
}

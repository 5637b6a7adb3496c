import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the package's const enum cannot be imported under verbatimModuleSyntax.
const ARGON2ID = 2;

/**
 * Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, so a stolen
 * hash list is expensive to attack on GPUs.
 */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /** Spends the time of one verification, so an unknown account answers as slowly as a known one. */
  verifyDummy(password: string): Promise<void>;
}

let dummyHash: Promise<string> | undefined;

export const argon2Passwords: PasswordHasher = {
  hash: (password) => hash(password, OPTIONS),
  verify: async (hashed, password) => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  },
  verifyDummy: async (password) => {
    dummyHash ??= hash('custodia-timing-equaliser', OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
  },
};

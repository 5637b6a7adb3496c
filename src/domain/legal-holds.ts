/**
 * Whether a legal hold covers a person's category at an instant. A hold suspends every retention
 * action on what it covers (the policy's `retention.legal_holds`): a whole organisation, one
 * person, or one person's category; it ends when released or at its expiry.
 */
export interface LegalHold {
  id: string;
  personId: string | null;
  categoryId: string | null;
  placedAt: string;
  expiresAt: string | null;
  releasedAt: string | null;
}

export function isHoldInForce(hold: LegalHold, at: string): boolean {
  return (
    hold.placedAt <= at &&
    (hold.releasedAt === null || hold.releasedAt > at) &&
    (hold.expiresAt === null || hold.expiresAt > at)
  );
}

export function holdCovering(
  holds: readonly LegalHold[],
  personId: string,
  categoryId: string,
  at: string,
): LegalHold | undefined {
  return holds.find(
    (hold) =>
      isHoldInForce(hold, at) &&
      (hold.personId === null || hold.personId === personId) &&
      (hold.categoryId === null || hold.categoryId === categoryId),
  );
}

/**
 * Which acceptances of a policy's terms still count. Every acceptance is of one version; a later
 * version whose changes need acceptance again (the policy's `changes.reacceptance_required_for`)
 * starts a new baseline, and only acceptances of that version or a later one count. Versions
 * whose changes need no re-acceptance keep earlier acceptances valid.
 */
export interface ActivatedVersion {
  id: string;
  activatedAt: string;
  requiresReacceptance: boolean;
}

/** The version from which acceptances count: the last one needing re-acceptance, else the first. */
export function termsBaseline(history: readonly ActivatedVersion[]): ActivatedVersion | undefined {
  const needing = history.filter((version) => version.requiresReacceptance);
  return needing.at(-1) ?? history[0];
}

export function hasAcceptedCurrentTerms(
  history: readonly ActivatedVersion[],
  acceptedVersionIds: ReadonlySet<string>,
): boolean {
  const baseline = termsBaseline(history);
  if (baseline === undefined) {
    return false;
  }
  return history.some(
    (version) => version.activatedAt >= baseline.activatedAt && acceptedVersionIds.has(version.id),
  );
}

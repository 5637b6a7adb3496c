import { checkPolicySource } from '../../policy/check.js';
import type { CompiledPolicy } from '../../policy/compile.js';
import type { Executor } from '../../store/db.js';
import { createPolicyVersionStore } from '../../store/policy-version-store.js';
import type { OrganizationScope } from '../../store/scope.js';

export interface ActivePolicy {
  versionId: string;
  version: string;
  policy: CompiledPolicy;
}

/**
 * Finds an organisation's active policy, compiled. Which version is active is read from the
 * database on every call (one indexed lookup), so an activation takes effect on every instance at
 * once; the compiled policy of a version is cached, since a version never changes once uploaded.
 */
export function createPolicyRegistry(options: { maxCompiled?: number } = {}) {
  const maxCompiled = options.maxCompiled ?? 200;
  const compiled = new Map<string, { version: string; policy: CompiledPolicy }>();

  function remember(key: string, entry: { version: string; policy: CompiledPolicy }): void {
    if (compiled.size >= maxCompiled) {
      const oldest = compiled.keys().next();
      if (oldest.done !== true) {
        compiled.delete(oldest.value);
      }
    }
    compiled.set(key, entry);
  }

  async function compiledVersion(
    db: Executor,
    scope: OrganizationScope,
    versionId: string,
  ): Promise<ActivePolicy | undefined> {
    const key = `${scope.organizationId}/${versionId}`;
    const cached = compiled.get(key);
    if (cached !== undefined) {
      return { versionId, ...cached };
    }
    const row = await createPolicyVersionStore(db).findById(scope, versionId);
    if (row === undefined) {
      return undefined;
    }
    const result = checkPolicySource(`policy ${row.version}`, row.source);
    if (!result.ok) {
      // Only checked policies are stored; one that no longer checks (a stricter checker after an
      // upgrade) must not be enforced half-understood.
      throw new Error(`stored policy version ${versionId} no longer passes its check`);
    }
    const entry = { version: row.version, policy: result.policy };
    remember(key, entry);
    return { versionId, ...entry };
  }

  return {
    async active(db: Executor, scope: OrganizationScope): Promise<ActivePolicy | undefined> {
      const versionId = await createPolicyVersionStore(db).activeId(scope);
      return versionId === undefined ? undefined : compiledVersion(db, scope, versionId);
    },
    version: compiledVersion,
  };
}

export type PolicyRegistry = ReturnType<typeof createPolicyRegistry>;

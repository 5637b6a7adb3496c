import type { Command } from 'commander';
import { rotateMasterKey, type RotateMasterKeyResult } from '../../app/keys/rotate-master-key.js';
import { rotateOrganizationKey } from '../../app/keys/rotate-organization-key.js';
import type { KeyChangeActor } from '../../app/keys/shred-subject-key.js';
import type { AppDeps } from '../../app/context.js';
import { AppError } from '../../errors.js';
import { createRuntime, type Runtime } from '../../runtime.js';
import { migrateToLatest } from '../../store/migrate.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import type { CliContext } from '../context.js';
import { loadCommandConfig } from '../load-config.js';
import { reportCliError } from '../report-error.js';

/** The operator at the console: audited as the system, like `custodia init`. */
const CLI_ACTOR: KeyChangeActor = { actorType: 'system', actorId: null };

/** `custodia keys rotate-master` and `custodia keys rotate-organization --org SLUG`. */
export function registerKeyCommands(program: Command, context: CliContext): void {
  const keys = program
    .command('keys')
    .description('Encryption keys: rotate the master key or an organisation key');

  keys
    .command('rotate-master')
    .description(
      'Re-wrap every organisation key under the current master key (the first in the key file)',
    )
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { db?: string }) => {
      await withKeys(context, options.db, async (deps) => {
        const result = await rotateMasterKey(deps, { actor: CLI_ACTOR });
        context.stdout(describeMasterRotation(result));
      });
    });

  keys
    .command('rotate-organization')
    .description('Replace an organisation key: re-wrap every person’s key, destroy the old one')
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kajuyali')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { org: string; db?: string }) => {
      await withKeys(context, options.db, async (deps) => {
        const organization = await createOrganizationStore(deps.store.db).findBySlug(options.org);
        if (organization === undefined) {
          throw new AppError('NOT_FOUND', `No organisation has the slug "${options.org}".`);
        }
        const result = await rotateOrganizationKey(deps, scopeOf(organization.id), {
          actor: CLI_ACTOR,
        });
        context.stdout(
          result.outcome === 'no-key'
            ? `Organisation ${options.org} has no key yet: nothing was encrypted, nothing to rotate.\n`
            : `Rotated the key of organisation ${options.org}: ${result.rewrappedSubjectKeys} personal data key(s) re-wrapped under ${result.organizationKeyId}; ${result.retiredOrganizationKeyId} destroyed.\n` +
                `Database copies taken before stay readable with master key ${result.retiredKeyMasterKeyId} until it is rotated out (custodia keys rotate-master) and removed.\n`,
        );
      });
    });
}

/** Config, master keys and a migrated store for one command; expected failures become messages. */
async function withKeys(
  context: CliContext,
  databaseUrl: string | undefined,
  work: (deps: AppDeps) => Promise<void>,
): Promise<void> {
  const config = loadCommandConfig(context, { 'database.url': databaseUrl });
  if (config === undefined) {
    return;
  }
  let runtime: Runtime;
  try {
    // Fails with CONFIG_INVALID, naming the key, when the master key is missing or malformed.
    runtime = await createRuntime(config);
  } catch (error) {
    reportCliError(context, error);
    return;
  }
  try {
    await migrateToLatest(runtime.deps.store);
    await work(runtime.deps);
  } catch (error) {
    reportCliError(context, error);
  } finally {
    await runtime.close();
  }
}

function describeMasterRotation(result: RotateMasterKeyResult): string {
  const lines = [
    `Master key ${result.masterKeyId} now wraps every live organisation key (${result.rewrappedOrganizationKeys} re-wrapped in ${result.organizationsChanged} organisation(s)).`,
  ];
  if (result.retirableMasterKeyIds.length > 0) {
    lines.push(
      `No longer needed: ${result.retirableMasterKeyIds.join(', ')} — remove from the key file and from every copy of it.`,
    );
  }
  const pending = Object.entries(result.destroyedKeysStillRecoverable);
  if (pending.length > 0) {
    lines.push(
      `Not yet final in copies taken before them: destroyed organisation keys still wrapped by configured master keys (${pending
        .map(([id, count]) => `${id}: ${count}`)
        .join(
          ', ',
        )}). To finish, put a new key first in the key file, run this command again, then remove those keys.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

import type { Command } from 'commander';
import { migrateToLatest } from '../../store/migrate.js';
import { openStore } from '../../store/db.js';
import type { CliContext } from '../context.js';
import { loadCommandConfig } from '../load-config.js';

export function registerMigrateCommand(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date (serve does this on start too)')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { db?: string }) => {
      const config = loadCommandConfig(context, { 'database.url': options.db });
      if (config === undefined) {
        return;
      }
      const store = openStore({ url: config.database.url, poolSize: 1 });
      try {
        const outcome = await migrateToLatest(store);
        context.stdout(
          outcome.applied.length === 0
            ? `Schema is up to date (version ${outcome.schemaVersion}).\n`
            : `Applied ${outcome.applied.join(', ')}; schema version ${outcome.schemaVersion}.\n`,
        );
      } finally {
        await store.close();
      }
    });
}

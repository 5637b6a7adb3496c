import type { Command } from 'commander';
import type { LongRunningContext } from '../context.js';
import { createCommandRuntime, loadCommandConfig } from '../load-config.js';
import { runServer } from '../run-server.js';

export function registerServeCommand(program: Command, context: LongRunningContext): void {
  program
    .command('serve')
    .description('Run the HTTP API (migrates the database first)')
    .option('--port <port>', 'TCP port (0 picks a free one)')
    .option('--host <host>', 'interface to listen on')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { port?: string; host?: string; db?: string }) => {
      const config = loadCommandConfig(context, {
        'http.port': options.port,
        'http.host': options.host,
        'database.url': options.db,
      });
      if (config === undefined) {
        return;
      }
      const runtime = await createCommandRuntime(context, config);
      if (runtime !== undefined) {
        await runServer(context, runtime);
      }
    });
}

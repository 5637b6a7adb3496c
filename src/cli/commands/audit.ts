import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { sealAllAuditLogs } from '../../app/audit/seal-audit-log.js';
import { verifyAuditLog } from '../../app/audit/verify-audit-log.js';
import { EXIT, type CliContext } from '../context.js';
import { createCommandRuntime, loadCommandConfig } from '../load-config.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('The tamper-evident audit log');

  audit
    .command('verify')
    .description(
      'Check the hash chain and signed checkpoints; exit 1 and say where if anything was altered',
    )
    .option('--org <id-or-slug>', 'one organisation (default: all)')
    .option('--public-key <file>', 'also trust this PEM public key (repeatable)', collect, [])
    .option('--db <url>', 'database URL')
    .action(async (options: { org?: string; publicKey: string[]; db?: string }) => {
      const config = loadCommandConfig(context, { 'database.url': options.db });
      if (config === undefined) {
        return;
      }
      const runtime = await createCommandRuntime(context, config);
      if (runtime === undefined) {
        return;
      }
      try {
        const extraPublicKeysPem = await Promise.all(
          options.publicKey.map((file) => readFile(file, 'utf8')),
        );
        const results = await verifyAuditLog(runtime.deps, {
          ...(options.org === undefined ? {} : { organization: options.org }),
          extraPublicKeysPem,
        });
        if (results.length === 0) {
          context.stderr(`custodia: no organisation matches "${options.org ?? ''}"\n`);
          context.setExitCode(EXIT.usage);
          return;
        }
        let isBroken = false;
        for (const result of results) {
          if (result.problems.length === 0) {
            context.stdout(
              `${result.slug}: ok (${result.entriesChecked} entries, ${result.checkpointsChecked} signed checkpoints)\n`,
            );
            continue;
          }
          isBroken = true;
          context.stdout(`${result.slug}: TAMPERED (${result.problems.length} problems)\n`);
          for (const problem of result.problems) {
            context.stdout(`  #${problem.sequence} ${problem.kind}: ${problem.message}\n`);
          }
        }
        context.setExitCode(isBroken ? EXIT.problemsFound : EXIT.ok);
      } finally {
        await runtime.close();
      }
    });

  audit
    .command('seal')
    .description('Seal every organisation’s audit chain now with a signed checkpoint')
    .option('--db <url>', 'database URL')
    .action(async (options: { db?: string }) => {
      const config = loadCommandConfig(context, { 'database.url': options.db });
      if (config === undefined) {
        return;
      }
      const runtime = await createCommandRuntime(context, config);
      if (runtime === undefined) {
        return;
      }
      try {
        const sealed = await sealAllAuditLogs(runtime.deps);
        context.stdout(`Sealed ${sealed} audit ${sealed === 1 ? 'log' : 'logs'}.\n`);
      } finally {
        await runtime.close();
      }
    });
}

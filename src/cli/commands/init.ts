import type { Command } from 'commander';
import {
  initializeOrganization,
  InitializeOrganizationRequest,
} from '../../app/organizations/initialize-organization.js';
import { migrateToLatest } from '../../store/migrate.js';
import type { CliContext } from '../context.js';
import { createCommandRuntime, loadCommandConfig } from '../load-config.js';
import { reportCliError, reportInvalidInput } from '../report-error.js';

interface InitOptions {
  db?: string;
  orgName: string;
  slug: string;
  adminEmail: string;
  adminName?: string;
  passwordStdin?: boolean;
}

const FLAGS: Record<string, string> = {
  name: '--org-name',
  slug: '--slug',
  adminEmail: '--admin-email',
  adminName: '--admin-name',
  adminPassword: 'password (stdin)',
};

export function registerInitCommand(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('Create an organisation and its first administrator')
    .requiredOption('--org-name <name>', 'the organisation’s name')
    .requiredOption('--slug <slug>', 'short name used to log in, e.g. kajuyali')
    .requiredOption('--admin-email <email>', 'the first administrator’s e-mail address')
    .option('--admin-name <name>', 'the first administrator’s display name')
    .option('--password-stdin', 'read the administrator’s password from standard input')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: InitOptions) => {
      const config = loadCommandConfig(context, { 'database.url': options.db });
      if (config === undefined) {
        return;
      }
      const password =
        options.passwordStdin === true
          ? (await context.readStdin()).replace(/\r?\n$/, '')
          : undefined;
      const parsed = InitializeOrganizationRequest.safeParse({
        name: options.orgName,
        slug: options.slug,
        adminEmail: options.adminEmail,
        adminName: options.adminName,
        adminPassword: password,
      });
      if (!parsed.success) {
        reportInvalidInput(context, parsed.error.issues, (field) => FLAGS[field] ?? field);
        return;
      }
      const runtime = await createCommandRuntime(context, config);
      if (runtime === undefined) {
        return;
      }
      try {
        await migrateToLatest(runtime.deps.store);
        const created = await initializeOrganization(runtime.deps, parsed.data);
        context.stdout(
          `Created organisation ${created.slug} (${created.organizationId}) with administrator ${created.adminEmail}.\n`,
        );
        if (created.generatedPassword !== undefined) {
          context.stdout(
            `Administrator password (shown once, store it now): ${created.generatedPassword}\n`,
          );
        }
      } catch (error) {
        reportCliError(context, error);
      } finally {
        await runtime.close();
      }
    });
}

import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { seedDemoOrganization } from '../../app/organizations/seed-demo-organization.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { migrateToLatest } from '../../store/migrate.js';
import { ensureDemoMasterKeyFile } from '../../crypto/master-key.js';
import type { LongRunningContext } from '../context.js';
import { createCommandRuntime, loadCommandConfig } from '../load-config.js';
import { runServer } from '../run-server.js';

export const DEMO_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.example';

// The example policy and participants ship with the package (two levels up from src/ or dist/).
const EXAMPLES = new URL('../../../examples/', import.meta.url);

/** `npm start`: the embedded database with a demo organisation, served on http://localhost:8080. */
export function registerDemoCommand(program: Command, context: LongRunningContext): void {
  program
    .command('demo')
    .description('Serve with a demo organisation on the embedded SQLite database')
    .option('--port <port>', 'TCP port')
    .option('--db <url>', 'database URL', 'sqlite:./data/custodia.db')
    .option('--master-key-file <path>', 'master key file, created if missing', './data/master.key')
    .action(async (options: { port?: string; db: string; masterKeyFile: string }) => {
      // The demo makes its own master key beside its database. Never do that in production: a
      // key stored with the data is copied into every backup of it (docs/ARCHITECTURE.md).
      const hasOwnKey =
        (context.env.CUSTODIA_CRYPTO_MASTER_KEY ?? '') !== '' ||
        (context.env.CUSTODIA_CRYPTO_MASTER_KEY_FILE ?? '') !== '';
      if (!hasOwnKey && (await ensureDemoMasterKeyFile(options.masterKeyFile)).created) {
        context.stdout(`Created a demo master key in ${options.masterKeyFile}.\n`);
      }
      const config = loadCommandConfig(context, {
        'http.port': options.port,
        'database.url': options.db,
        'crypto.masterKeyFile': hasOwnKey ? undefined : options.masterKeyFile,
        // The demo runs on plain http://localhost, where browsers keep Secure cookies anyway;
        // stating it keeps the demo working behind a LAN address too.
        'auth.cookieSecure': 'false',
      });
      if (config === undefined) {
        return;
      }
      const runtime = await createCommandRuntime(context, config);
      if (runtime === undefined) {
        return;
      }
      await migrateToLatest(runtime.deps.store);
      const existing = await createOrganizationStore(runtime.deps.store.db).findBySlug(DEMO_SLUG);
      if (existing === undefined) {
        const created = await seedDemoOrganization(runtime.deps, {
          slug: DEMO_SLUG,
          name: 'Demo Programs (Kajuyalí policy)',
          adminEmail: DEMO_ADMIN_EMAIL,
          policy: {
            fileName: 'kajuyali.yaml',
            source: await readFile(new URL('policies/kajuyali.yaml', EXAMPLES), 'utf8'),
            adminRole: 'level-a',
          },
          participantsCsv: await readFile(
            new URL('demo/kajuyali-participants.csv', EXAMPLES),
            'utf8',
          ),
        });
        context.stdout(
          [
            `Created the demo organisation under the Kajuyalí example policy (version ${created.policyVersion}), with ${created.importedPeople} fictional participants.`,
            `  organisation: ${DEMO_SLUG}`,
            `  e-mail:       ${DEMO_ADMIN_EMAIL}   (role level-a)`,
            `  password:     ${created.generatedPassword ?? '(given)'}   (shown once)`,
            '  The policy makes level A use a second factor: after logging in, enrol TOTP at',
            '  POST /api/v1/auth/mfa/enrollment and confirm it before anything else.',
            `  Published notice: /api/v1/privacy-notices/${DEMO_SLUG}?lang=es&format=html`,
            '',
          ].join('\n'),
        );
      } else {
        context.stdout(
          `Demo organisation "${DEMO_SLUG}" exists; its password was printed when it was created (delete ./data to start afresh).\n`,
        );
      }
      await runServer(context, runtime);
    });
}

/**
 * `custodia policy upload FILE --org SLUG`, `custodia policy announce --org SLUG --version ID
 * --effective-at DATE`, `custodia policy activate VERSION_ID --org SLUG [--assign EMAIL=ROLE …]`
 * and `custodia policy activate-due`: the operator's way to put a policy into force, over the same
 * use cases as the API. The operator at the console acts as the organisation's system actor (`SystemActor`
 * in src/app/context.ts): no staff role is needed, every rule of the use cases still applies, and
 * the audit entry is written with actor type `system`.
 *
 * Exit codes: 0 done; 1 the database refused (an already active version, an unknown version id);
 * 2 the command could not run: an unreadable file, a policy that fails its check (printed as
 * FILE:LINE:COL: message, like `policy check`), an unknown organisation or e-mail address, a
 * policy that would leave an account without a role it declares or nobody able to administer, an
 * effective date sooner than the policy's notice lead time. `activate-due` exits 1 when a due
 * version was refused.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { activateDuePolicyVersions } from '../../app/policy/activate-due-policy-versions.js';
import { activatePolicyVersion } from '../../app/policy/activate-policy-version.js';
import {
  announcePolicyVersion,
  AnnouncePolicyVersionRequest,
  sendPolicyChangeNotices,
} from '../../app/policy/announce-policy-version.js';
import { checkPolicyFile } from '../../app/policy/check-policy-file.js';
import { uploadPolicyVersion } from '../../app/policy/upload-policy-version.js';
import { systemActor, type AppDeps } from '../../app/context.js';
import type { Config } from '../../config.js';
import { isAppError } from '../../errors.js';
import { formatProblem } from '../../policy/problem.js';
import { migrateToLatest } from '../../store/migrate.js';
import { createOrganizationStore, type OrganizationRow } from '../../store/organization-store.js';
import { scopeOf } from '../../store/scope.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { EXIT, type CliContext } from '../context.js';
import { createCommandRuntime, loadCommandConfig } from '../load-config.js';
import { reportCliError, reportInvalidInput } from '../report-error.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Runs `work` with a migrated runtime; expected failures become messages and exit codes.
 */
export async function withRuntime(
  context: CliContext,
  options: { db?: string },
  work: (deps: AppDeps, config: Readonly<Config>) => Promise<void>,
): Promise<void> {
  const config = loadCommandConfig(context, { 'database.url': options.db });
  if (config === undefined) {
    return;
  }
  const runtime = await createCommandRuntime(context, config);
  if (runtime === undefined) {
    return;
  }
  try {
    await migrateToLatest(runtime.deps.store);
    await work(runtime.deps, config);
  } catch (error) {
    reportCliError(context, error);
  } finally {
    await runtime.close();
  }
}

/**
 * Runs `work` with a migrated runtime and the organisation named by `--org`; expected failures
 * become messages and exit codes.
 */
export async function withOrganization(
  context: CliContext,
  options: { org: string; db?: string },
  work: (deps: AppDeps, organization: OrganizationRow, config: Readonly<Config>) => Promise<void>,
): Promise<void> {
  await withRuntime(context, options, async (deps, config) => {
    const organization = await createOrganizationStore(deps.store.db).findBySlug(options.org);
    if (organization === undefined) {
      context.stderr(`custodia: --org: no organisation has the slug "${options.org}"\n`);
      context.setExitCode(EXIT.usage);
      return;
    }
    await work(deps, organization, config);
  });
}

/**
 * Adds `upload`, `announce`, `activate` and `activate-due` to the `policy` command that
 * registerPolicyCommands returns.
 */
export function registerPolicyVersionCommands(policy: Command, context: CliContext): void {
  policy
    .command('upload')
    .description(
      'Store a policy file as a draft version of an organisation’s policy, after it passes its check. Exit 2 with FILE:LINE:COL problems when it does not.',
    )
    .argument('<file>', 'policy file (YAML)')
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kajuyali')
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (path: string, options: { org: string; db?: string }) => {
      // Checked here first so problems print as FILE:LINE:COL, like `policy check`; the use case
      // checks again, and is the gate that counts.
      const checked = await checkPolicyFile(
        { readTextFile: (file) => readFile(file, 'utf8') },
        {
          path,
        },
      );
      if (checked.kind === 'unreadable') {
        context.stderr(`${path}: cannot read the file (${checked.reason})\n`);
        context.setExitCode(EXIT.usage);
        return;
      }
      if (!checked.result.ok) {
        context.stderr(`${path}: the policy does not pass its check; nothing was uploaded:\n`);
        for (const problem of checked.result.problems) {
          context.stderr(`${formatProblem(problem)}\n`);
        }
        context.setExitCode(EXIT.usage);
        return;
      }
      const source = await readFile(path, 'utf8');
      await withOrganization(context, options, async (deps, organization) => {
        const uploaded = await uploadPolicyVersion(
          deps,
          systemActor(organization.id),
          organization.id,
          { source, fileName: path },
          undefined,
        );
        context.stdout(
          `Uploaded ${path} as draft ${uploaded.id} (policy version ${uploaded.version}, sha256 ${uploaded.sourceSha256}) for ${organization.slug}.\n` +
            `Activate it with: custodia policy activate ${uploaded.id} --org ${organization.slug}\n`,
        );
        context.setExitCode(EXIT.ok);
      });
    });

  policy
    .command('activate')
    .description(
      'Make an uploaded version the organisation’s enforced policy, archiving the previous one. Every active account must hold a role the new policy declares: give them one with --assign.',
    )
    .argument('<version-id>', 'the id `policy upload` printed')
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kajuyali')
    .option(
      '--assign <email=role>',
      'give a staff account a role of the new policy, in the same transaction (repeatable)',
      collect,
      [],
    )
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (versionId: string, options: { org: string; assign: string[]; db?: string }) => {
      const assignments: { email: string; role: string }[] = [];
      for (const text of options.assign) {
        const separator = text.lastIndexOf('=');
        const email = text.slice(0, separator).trim().toLowerCase();
        const role = text.slice(separator + 1).trim();
        if (separator <= 0 || email === '' || role === '') {
          context.stderr(`custodia: --assign ${text}: write it as EMAIL=ROLE\n`);
          context.setExitCode(EXIT.usage);
          return;
        }
        assignments.push({ email, role });
      }
      await withOrganization(context, options, async (deps, organization) => {
        const staff = createStaffUserStore(deps.store.db);
        const scope = scopeOf(organization.id);
        const assignRoles: Record<string, string> = {};
        const emailOf = new Map<string, string>();
        for (const { email, role } of assignments) {
          const user = await staff.findByEmail(scope, email);
          if (user === undefined) {
            context.stderr(
              `custodia: --assign ${email}: no staff account of ${organization.slug} has this e-mail address\n`,
            );
            context.setExitCode(EXIT.usage);
            return;
          }
          assignRoles[user.id] = role;
          emailOf.set(user.id, user.email);
        }
        try {
          const activated = await activatePolicyVersion(
            deps,
            systemActor(organization.id),
            organization.id,
            versionId,
            { assignRoles },
            undefined,
          );
          context.stdout(
            `Activated policy version ${activated.version} (${activated.id}) for ${organization.slug}` +
              (activated.previousVersionId === null
                ? ': its first active policy.\n'
                : `, archiving ${activated.previousVersionId}: ${activated.significantChanges} significant change(s)${activated.requiresReacceptance ? '; everyone must accept it again' : ''}.\n`) +
              (activated.rolesAssigned > 0 ? `Assigned ${activated.rolesAssigned} role(s).\n` : ''),
          );
          context.setExitCode(EXIT.ok);
        } catch (error) {
          if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') {
            throw error;
          }
          // The use case names accounts by id; the operator typed e-mail addresses.
          context.stderr(`custodia: ${error.message}\n`);
          for (const issue of error.details?.issues ?? []) {
            const email = emailOf.get(issue.path.replace(/^assignRoles\./, ''));
            const flag = email === undefined ? '--assign' : `--assign ${email}`;
            context.stderr(`  ${flag}: ${issue.message}\n`);
          }
          context.setExitCode(EXIT.usage);
        }
      });
    });

  policy
    .command('announce')
    .description(
      'Announce a draft whose changes are significant: it takes effect on --effective-at, at least the policy’s notice lead time ahead, and everyone affected is emailed now (a minor’s guardians instead of the child). Announcing again with the same date retries failed notices and sends nobody a second one.',
    )
    .requiredOption('--org <slug>', 'the organisation’s short name, e.g. kajuyali')
    .requiredOption('--version <id>', 'the draft’s id, as `policy upload` printed it')
    .requiredOption(
      '--effective-at <date>',
      'when it takes effect: 2026-05-01 (midnight UTC) or 2026-05-01T09:00:00+02:00',
    )
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { org: string; version: string; effectiveAt: string; db?: string }) => {
      const request = AnnouncePolicyVersionRequest.safeParse({ effectiveAt: options.effectiveAt });
      if (!request.success) {
        reportInvalidInput(context, request.error.issues, () => '--effective-at');
        return;
      }
      await withOrganization(context, options, async (deps, organization, config) => {
        let announced;
        try {
          announced = await announcePolicyVersion(
            deps,
            systemActor(organization.id),
            organization.id,
            options.version,
            request.data,
            undefined,
          );
        } catch (error) {
          if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') {
            throw error;
          }
          context.stderr(`custodia: ${error.message}\n`);
          for (const issue of error.details?.issues ?? []) {
            const flag = issue.path === 'effectiveAt' ? '--effective-at' : issue.path;
            context.stderr(`  ${flag}: ${issue.message}\n`);
          }
          context.setExitCode(EXIT.usage);
          return;
        }
        if (announced.notices === 'not-needed') {
          context.stdout(
            `Policy version ${announced.version} (${announced.id}) changes nothing significant: nobody needs notice. Activate it at once with: custodia policy activate ${announced.id} --org ${organization.slug}\n`,
          );
          context.setExitCode(EXIT.ok);
          return;
        }
        const action = announced.requiresReacceptance
          ? 'everyone must accept it again'
          : announced.continuedUseMeansAcceptance
            ? 'continued use after that date means acceptance'
            : 'no acceptance is needed';
        context.stdout(
          `Announced policy version ${announced.version} (${announced.id}) for ${organization.slug}: it takes effect on ${announced.effectiveAt ?? ''}; ${action}.\n` +
            announced.significantChanges.map((change) => `  - ${change.summary}\n`).join(''),
        );
        const delivery = await sendPolicyChangeNotices(
          { ...deps, publicBaseUrl: config.mail.publicBaseUrl },
          scopeOf(organization.id),
          announced.id,
        );
        context.stdout(
          `Emailed ${delivery.emailsSent} notice(s), reaching ${delivery.peopleNotified} person(s); people told before were not emailed again.\n`,
        );
        if (delivery.peopleFailed > 0) {
          context.stderr(
            `custodia: ${delivery.peopleFailed} person(s) could not be notified (no address, no guardian, or the mail server refused): see GET /api/v1/organizations/${organization.id}/policy-versions/${announced.id}/acceptance, then announce again to retry.\n`,
          );
        }
        context.setExitCode(EXIT.ok);
      });
    });

  policy
    .command('activate-due')
    .description(
      'Activate every announced version whose effective date has come, in every organisation (serve does this every minute). Exit 1 when a due version was refused, e.g. an account without a role of the new policy: resolve it with `policy activate --assign`.',
    )
    .option('--db <url>', 'database URL (sqlite:<file> or postgres://…)')
    .action(async (options: { db?: string }) => {
      await withRuntime(context, options, async (deps) => {
        const results = await activateDuePolicyVersions(deps);
        if (results.length === 0) {
          context.stdout('No announced policy version is due.\n');
        }
        for (const result of results) {
          if (result.outcome === 'activated') {
            context.stdout(
              `Activated ${result.versionId} (organisation ${result.organizationId}), effective ${result.effectiveAt}.\n`,
            );
          } else {
            context.stderr(
              `custodia: ${result.versionId} (organisation ${result.organizationId}) is due but was not activated: ${result.reason ?? ''}\n`,
            );
          }
        }
        context.setExitCode(
          results.some((result) => result.outcome === 'refused') ? EXIT.problemsFound : EXIT.ok,
        );
      });
    });
}

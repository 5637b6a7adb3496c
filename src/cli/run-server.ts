import { sealAllAuditLogs } from '../app/audit/seal-audit-log.js';
import { activateDuePolicyVersions } from '../app/policy/activate-due-policy-versions.js';
import { sendPendingPolicyChangeNotices } from '../app/policy/announce-policy-version.js';
import { createServer } from '../http/create-server.js';
import type { Runtime } from '../runtime.js';
import { migrateToLatest } from '../store/migrate.js';
import { systemActor } from '../app/context.js';
import { completePendingShredsEverywhere } from '../app/keys/complete-pending-shreds-everywhere.js';
import { remindRightsDeadlines } from '../app/rights/remind-rights-deadlines.js';
import { runRetention } from '../app/retention/run-retention.js';
import { isAppError } from '../errors.js';
import { createOrganizationStore } from '../store/organization-store.js';
import { rowSecurityBypassed } from '../store/tenant.js';
import type { LongRunningContext } from './context.js';

/** How often `serve` activates due policy versions and sends outstanding policy-change notices. */
const POLICY_TICK_MILLISECONDS = 60_000;

/**
 * Serves until SIGTERM/SIGINT, then shuts down gracefully: the server stops accepting, in-flight
 * requests finish (their transactions commit before the answer is sent), and only then does the
 * database close, so no acknowledged write is lost.
 */
export async function runServer(context: LongRunningContext, runtime: Runtime): Promise<void> {
  const outcome = await migrateToLatest(runtime.deps.store);
  if (outcome.applied.length > 0) {
    runtime.logger.info({ applied: outcome.applied }, 'database migrated');
  }
  if (await rowSecurityBypassed(runtime.deps.store)) {
    runtime.logger.warn(
      'the database role is a superuser or has BYPASSRLS: row-level security does not hold it, ' +
        'so only the application keeps organisations apart. Connect as a role that owns the ' +
        'tables but is neither (README, "Running on PostgreSQL").',
    );
  }
  const server = await createServer({
    app: runtime.deps,
    http: runtime.config.http,
    logger: runtime.logger,
  });
  const address = await server.listen({
    host: runtime.config.http.host,
    port: runtime.config.http.port,
  });
  context.stdout(`Custodia listening on ${address} (${runtime.deps.store.dialect})\n`);
  const seal = async (): Promise<void> => {
    try {
      const sealed = await sealAllAuditLogs(runtime.deps);
      runtime.logger.debug({ sealed }, 'audit logs sealed');
    } catch (error) {
      runtime.logger.error({ err: error }, 'sealing the audit logs failed');
    }
  };
  const timer = setInterval(() => {
    void seal();
  }, runtime.config.audit.sealIntervalMinutes * 60_000);
  timer.unref();
  // Policy changes: announced versions take effect on their date, and everyone affected (people
  // recorded since the announcement too) is emailed their notice. One tick at a time.
  let policyTick: Promise<void> | undefined;
  const tickPolicyChanges = async (): Promise<void> => {
    try {
      const activations = await activateDuePolicyVersions(runtime.deps);
      for (const activation of activations) {
        if (activation.outcome === 'activated') {
          runtime.logger.info(activation, 'announced policy version activated');
        } else {
          runtime.logger.warn(activation, 'announced policy version is due but was refused');
        }
      }
      const deliveries = await sendPendingPolicyChangeNotices({
        ...runtime.deps,
        publicBaseUrl: runtime.config.mail.publicBaseUrl,
      });
      for (const delivery of deliveries) {
        runtime.logger.info(delivery, 'policy change notices sent');
      }
      // Keys destroyed by erasures since the last tick: one organisation-key rotation for them all.
      for (const rotation of await completePendingShredsEverywhere(runtime.deps)) {
        runtime.logger.info(
          rotation,
          'organisation key rotated for the keys shredded since the last tick',
        );
      }
      // Rights requests near their legal deadline: the staff who handle them are emailed once.
      for (const reminder of await remindRightsDeadlines(runtime.deps)) {
        runtime.logger.info(reminder, 'rights request deadline reminders sent');
      }
    } catch (error) {
      runtime.logger.error({ err: error }, 'the policy-change tick failed');
    }
  };
  const policyTimer = setInterval(() => {
    policyTick ??= tickPolicyChanges().finally(() => {
      policyTick = undefined;
    });
  }, POLICY_TICK_MILLISECONDS);
  policyTimer.unref();
  // Retention runs by itself (issue 7): every organisation with an active policy, in turn.
  let retentionTick: Promise<void> | undefined;
  const sweepRetention = async (): Promise<void> => {
    for (const organization of await createOrganizationStore(runtime.deps.store.db).list()) {
      try {
        const report = await runRetention(
          runtime.deps,
          systemActor(organization.id),
          organization.id,
        );
        runtime.logger.info({ organization: organization.slug, ...report }, 'retention run');
      } catch (error) {
        if (isAppError(error) && error.code === 'CONFLICT') {
          continue; // No active policy: nothing to enforce yet.
        }
        runtime.logger.error(
          { err: error, organization: organization.slug },
          'retention run failed',
        );
      }
    }
  };
  const retentionMinutes = runtime.config.retention.runIntervalMinutes;
  const retentionTimer =
    retentionMinutes === 0
      ? undefined
      : setInterval(() => {
          retentionTick ??= sweepRetention().finally(() => {
            retentionTick = undefined;
          });
        }, retentionMinutes * 60_000);
  retentionTimer?.unref();
  const signal = await context.untilShutdown();
  runtime.logger.info({ signal }, 'shutting down');
  clearInterval(timer);
  clearInterval(policyTimer);
  if (retentionTimer !== undefined) {
    clearInterval(retentionTimer);
  }
  await server.close();
  await policyTick;
  await retentionTick;
  // The last entries written before the stop are sealed too, so nothing is left unpinned.
  await seal();
  await runtime.close();
  context.stdout('Custodia stopped.\n');
}

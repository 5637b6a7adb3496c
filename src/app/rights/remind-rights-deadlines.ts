import { legalCalendarOf, reminderAt } from '../../domain/rights-deadline.js';
import { canPerformSystemAction } from '../../domain/staff-permissions.js';
import type { Jurisdiction } from '../../policy/schema.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createRightsStore } from '../../store/rights-store.js';
import { scopeOf } from '../../store/scope.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps } from '../context.js';

/** Business days before a deadline that staff are reminded: time to act, or to extend. */
export const REMINDER_BUSINESS_DAYS = 3;

/**
 * Reminds the staff who handle rights requests, by email, of each open request whose deadline is
 * `REMINDER_BUSINESS_DAYS` working days away (or already passed), once per request. The server's
 * tick runs it for every organisation.
 */
export async function remindRightsDeadlines(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer'>,
): Promise<{ organizationId: string; reminded: number }[]> {
  const results: { organizationId: string; reminded: number }[] = [];
  const now = deps.clock.now();
  for (const organization of await createOrganizationStore(deps.store.db).list()) {
    const scope = scopeOf(organization.id);
    const active = await deps.policies.active(deps.store.db, scope);
    if (active === undefined) {
      continue;
    }
    const rights = createRightsStore(deps.store.db);
    const open = await rights.listRequests(scope, {
      statuses: ['verified', 'in-progress'],
      limit: 10_000,
    });
    const due = open.filter((row) => {
      const deadline = row.extendedDueAt ?? row.dueAt;
      return (
        row.remindedAt === null &&
        deadline !== null &&
        reminderAt(
          deadline,
          legalCalendarOf(row.jurisdiction as Jurisdiction),
          REMINDER_BUSINESS_DAYS,
        ) <= now.toISOString()
      );
    });
    if (due.length === 0) {
      continue;
    }
    const handlers = (await createStaffUserStore(deps.store.db).list(scope)).filter((user) =>
      canPerformSystemAction(active.policy, user.role, 'handle-rights-requests'),
    );
    for (const row of due) {
      const deadline = row.extendedDueAt ?? row.dueAt ?? '';
      for (const user of handlers) {
        await deps.mailer.send({
          to: user.email,
          subject: `Rights request due ${deadline}`,
          text:
            `The ${row.kind} request ${row.id} (received ${row.receivedAt}) must be answered by ` +
            `${deadline}.${row.extendedDueAt === null ? ' It can still be extended, with a reason.' : ''}\n`,
        });
      }
      await inTransaction(deps.store, async (trx) => {
        await createRightsStore(trx).updateRequest(scope, row.id, ['verified', 'in-progress'], {
          remindedAt: now.toISOString(),
        });
        await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, undefined, {
          actorType: 'system',
          actorId: null,
          action: 'rights.deadline-reminder',
          outcome: 'success',
          subjectId: row.personId,
          details: { requestId: row.id, dueAt: deadline, staffReminded: handlers.length },
        });
      });
    }
    results.push({ organizationId: organization.id, reminded: due.length });
  }
  return results;
}

import type { Clock, IdGenerator } from '../../clock.js';
import { createAuditStore, type AuditEventInput } from '../../store/audit-store.js';
import type { Dialect, Executor } from '../../store/db.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { RequestOrigin } from '../context.js';

export type AuditEventFields = Omit<
  AuditEventInput,
  'id' | 'occurredAt' | 'ip' | 'userAgent' | 'requestId'
>;

/** Appends one audit entry in the caller's transaction, so the entry and the change commit together. */
export async function writeAuditEvent(
  deps: { clock: Clock; ids: IdGenerator; dialect: Dialect },
  trx: Executor,
  scope: OrganizationScope,
  origin: RequestOrigin | undefined,
  fields: AuditEventFields,
): Promise<void> {
  await createAuditStore(trx, deps.dialect).append(scope, {
    ...fields,
    id: deps.ids.next(),
    occurredAt: deps.clock.now().toISOString(),
    ip: origin?.ip ?? null,
    userAgent: origin?.userAgent ?? null,
    requestId: origin?.requestId ?? null,
  });
}

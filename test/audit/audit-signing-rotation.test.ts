import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { sealAuditLog } from '../../src/app/audit/seal-audit-log.js';
import { verifyAuditLog } from '../../src/app/audit/verify-audit-log.js';
import { writeAuditEvent } from '../../src/app/audit/write-audit-event.js';
import { rotateMasterKey } from '../../src/app/keys/rotate-master-key.js';
import { createManualClock, randomIds } from '../../src/clock.js';
import { createLocalMasterKeyProvider } from '../../src/crypto/master-key.js';
import { inTransaction } from '../../src/store/db.js';
import { createOrganizationStore } from '../../src/store/organization-store.js';
import { scopeOf } from '../../src/store/scope.js';
import { describeEachDialect } from '../support/databases.js';

describeEachDialect('audit signing keys across a master key rotation', ({ store }) => {
  it('re-wraps the checkpoint signing seed, so the old master key can be retired and the log still verifies', async () => {
    const clock = createManualClock('2026-06-01T00:00:00.000Z');
    const old = { id: 'm1', key: randomBytes(32) };
    const next = { id: 'm2', key: randomBytes(32) };
    const organizationId = randomIds.next();
    const scope = scopeOf(organizationId);
    await createOrganizationStore(store().db).insert({
      id: organizationId,
      slug: `rot-${organizationId.slice(0, 8)}`,
      name: 'Rotation',
      createdAt: clock.now().toISOString(),
    });
    const write = () =>
      inTransaction(store(), (trx) =>
        writeAuditEvent(
          { clock, ids: randomIds, dialect: store().dialect },
          trx,
          scope,
          undefined,
          {
            actorType: 'system',
            actorId: null,
            action: 'test.event',
            outcome: 'success',
            subjectId: null,
            details: {},
          },
        ),
      );
    await write();
    const before = createLocalMasterKeyProvider([old]);
    await sealAuditLog({ store: store(), clock, masterKeys: before }, scope);

    const during = createLocalMasterKeyProvider([next, old]);
    const rotation = await rotateMasterKey(
      { store: store(), clock, ids: randomIds, masterKeys: during },
      { actor: { actorType: 'system', actorId: null } },
    );
    expect(rotation.retirableMasterKeyIds).toContain('m1');

    const after = createLocalMasterKeyProvider([next]);
    await write();
    expect(await sealAuditLog({ store: store(), clock, masterKeys: after }, scope)).toBeDefined();
    const [result] = await verifyAuditLog(
      { store: store(), masterKeys: after },
      { organization: organizationId },
    );
    expect(result).toMatchObject({ checkpointsChecked: 2, problems: [] });
  });
});

import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/app/context.js';
import { runRetention } from '../../src/app/retention/run-retention.js';
import { createAuditStore } from '../../src/store/audit-store.js';
import { createPersonStore } from '../../src/store/person-store.js';
import { scopeOf } from '../../src/store/scope.js';
import {
  createTestApp,
  logInAdmin,
  newOrganization,
  type TestApp,
  type TestOrganization,
} from '../support/app.js';
import { describeEachDialect } from '../support/databases.js';
import {
  activateExamplePolicy,
  organizationUrl,
  type StaffSession,
} from '../support/policy-app.js';

const AS_OF = new Date('2029-06-01T00:00:00.000Z');

describeEachDialect('retention run: kexara’s rules executed', ({ store, database, dialect }) => {
  let app: TestApp;
  let organization: TestOrganization;
  let officer: StaffSession;
  const url = (path: string) => `${organizationUrl(organization)}${path}`;
  const scope = () => scopeOf(organization.organizationId);
  const support = { channel: 'email', messages: 'Where is my certificate? CANARY-SUPPORT' };

  async function customer(data: object): Promise<string> {
    const created = await officer.request('POST', url('/people'), {
      payload: { subjectKind: 'customer', data },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<{ id: string }>().id;
  }

  async function actions(name: string): Promise<number> {
    const events = await createAuditStore(store().db, store().dialect).list(scope(), {
      limit: 10_000,
    });
    return events.filter((event) => event.action === name).length;
  }

  beforeAll(async () => {
    app = await createTestApp(store());
    organization = await newOrganization(app);
    ({ admin: officer } = await activateExamplePolicy(
      app,
      organization,
      await logInAdmin(app, organization),
      'kexara',
      'administrator',
    ));
  });

  it('kexara: support messages go 3 years after collection; the account stays until closed; a person with nothing left is erased whole; a second run does nothing', async () => {
    const kept = await customer({
      account: { full_name: 'Kept Account', email: 'kept@example.org' },
      'support-interactions': support,
    });
    const gone = await customer({ 'support-interactions': support });
    const people = createPersonStore(store().db);
    const report = await runRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: AS_OF },
    );
    expect(report).toMatchObject({ categoriesDeleted: 2, peopleErased: 1, held: 0 });
    const keptCategories = new Set(
      (await people.values(scope(), kept)).map((row) => row.categoryId),
    );
    expect([...keptCategories]).toEqual(['account']);
    expect(await people.findById(scope(), gone)).toBeUndefined();
    expect(await actions('retention.category-deleted')).toBe(1);
    expect(await actions('retention.person-erased')).toBe(1);
    const again = await runRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: AS_OF },
    );
    expect(again).toMatchObject({ categoriesDeleted: 0, peopleErased: 0 });
  });

  it('kexara: nothing under a legal hold is touched', async () => {
    const held = await customer({
      account: { full_name: 'Held Account', email: 'held@example.org' },
      'support-interactions': support,
    });
    const placed = await officer.request('POST', url('/legal-holds'), {
      payload: { reason: 'dispute', personId: held },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const report = await runRetention(
      app.deps,
      systemActor(organization.organizationId),
      organization.organizationId,
      { asOf: AS_OF },
    );
    expect(report).toMatchObject({ categoriesDeleted: 0, held: 1 });
    const categories = new Set(
      (await createPersonStore(store().db).values(scope(), held)).map((row) => row.categoryId),
    );
    expect([...categories].sort()).toEqual(['account', 'support-interactions']);
  });

  it.runIf(dialect === 'postgres')(
    'two instances sweeping at once never act on the same person twice',
    async () => {
      const ids: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        ids.push(
          await customer({
            account: { full_name: `Many ${index}`, email: `many${index}@example.org` },
            'support-interactions': support,
          }),
        );
      }
      const before = await actions('retention.category-deleted');
      const other = database().open();
      try {
        const [first, second] = await Promise.all([
          runRetention(
            app.deps,
            systemActor(organization.organizationId),
            organization.organizationId,
            { asOf: AS_OF },
          ),
          runRetention(
            { ...app.deps, store: other },
            systemActor(organization.organizationId),
            organization.organizationId,
            { asOf: AS_OF },
          ),
        ]);
        expect(first.categoriesDeleted + second.categoriesDeleted).toBe(12);
        expect((await actions('retention.category-deleted')) - before).toBe(12);
      } finally {
        await other.close();
      }
    },
  );
});

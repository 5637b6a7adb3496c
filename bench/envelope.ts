/**
 * Benchmark: envelope encryption. Run with `npx tsx bench/envelope.ts [--people 10000]`.
 *
 * Reports, in one process on a fresh SQLite file:
 * - encrypt + decrypt of a 200-byte field per second (AES-256-GCM, pure crypto);
 * - per-person key unwrap cost: organisation key from the master key plus the person's data key
 *   from the organisation key (what every decryption pays), beside the database read that fetches
 *   the wrapped keys — the ratio is why unwrapped organisation keys are not cached;
 * - a full `decryptSubjectFields` of one field (read, two unwraps, one decryption);
 * - a shred in an organisation of `--people` people: the organisation key rotation re-wraps
 *   every other person's key in the same transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decryptSubjectFields } from '../src/app/keys/decrypt-subject-fields.js';
import { encryptSubjectFields } from '../src/app/keys/encrypt-subject-fields.js';
import { openSubjectDataKey } from '../src/app/keys/key-hierarchy.js';
import { shredSubjectKey } from '../src/app/keys/shred-subject-key.js';
import { randomIds, systemClock } from '../src/clock.js';
import {
  decryptValue,
  encryptValue,
  fieldAssociatedData,
  generateKey,
} from '../src/crypto/envelope.js';
import { createLocalMasterKeyProvider } from '../src/crypto/master-key.js';
import { inTransaction, openStore } from '../src/store/db.js';
import { createKeyStore } from '../src/store/key-store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createOrganizationStore } from '../src/store/organization-store.js';
import { scopeOf } from '../src/store/scope.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '10000' } } });
const PEOPLE = Number(values.people);

/** Runs `work` repeatedly for about `milliseconds` after a warm-up; returns microseconds per call. */
async function measure(milliseconds: number, work: () => unknown): Promise<number> {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) {
    await work();
  }
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < milliseconds) {
    await work();
    calls += 1;
  }
  return ((performance.now() - start) * 1000) / calls;
}

function format(microseconds: number): string {
  return `${microseconds.toFixed(2)} µs (${Math.round(1_000_000 / microseconds).toLocaleString('en')}/s)`;
}

const directory = mkdtempSync(join(tmpdir(), 'custodia-bench-envelope-'));
const store = openStore({ url: `sqlite:${join(directory, 'bench.db')}` });
try {
  await migrateToLatest(store);
  const masterKeys = createLocalMasterKeyProvider([{ id: 'bench', key: generateKey() }]);
  const deps = { store, masterKeys, clock: systemClock, ids: randomIds, dialect: store.dialect };
  const scope = scopeOf(randomIds.next());
  await createOrganizationStore(store.db).insert({
    id: scope.organizationId,
    slug: 'bench',
    name: 'Bench',
    createdAt: new Date().toISOString(),
  });

  // 1. A 200-byte field, encrypted and decrypted.
  const field = 'é'.repeat(100); // 200 bytes of UTF-8
  const binding = fieldAssociatedData({
    organizationId: scope.organizationId,
    subjectId: 'p',
    category: 'health',
    field: 'report',
  });
  const dataKey = generateKey();
  const roundTrip = await measure(1500, () =>
    decryptValue(dataKey, encryptValue(dataKey, field, binding), binding),
  );

  // People, each with one encrypted field, written in batches.
  const sealedBySubject = new Map<string, Record<string, string>>();
  for (let start = 0; start < PEOPLE; start += 500) {
    await inTransaction(store, async (trx) => {
      for (let index = start; index < Math.min(start + 500, PEOPLE); index += 1) {
        const subjectId = `person-${index}`;
        const sealed = await encryptSubjectFields(deps, trx, scope, {
          subjectId,
          category: 'health',
          fields: { report: field },
        });
        if (index < 1000) {
          sealedBySubject.set(subjectId, sealed);
        }
      }
    });
  }
  const keys = createKeyStore(store.db, store.dialect);
  const row = await keys.findSubjectKey(scope, 'person-1', 'health');
  if (row === undefined) {
    throw new Error('no key row');
  }

  // 2. Per-person unwrap (master → organisation key → data key), and the read that precedes it.
  const unwrap = await measure(1500, async () => {
    const key = await openSubjectDataKey(masterKeys, scope, row);
    key.fill(0);
  });
  let next = 0;
  const read = await measure(1500, () =>
    keys.findSubjectKey(scope, `person-${next++ % 1000}`, 'health'),
  );

  // 3. The full decryption use case, one field.
  next = 0;
  const full = await measure(1500, () => {
    const subjectId = `person-${next++ % 1000}`;
    return decryptSubjectFields(deps, store.db, scope, {
      subjectId,
      category: 'health',
      fields: sealedBySubject.get(subjectId) ?? {},
    });
  });

  // 4. One shred among PEOPLE people (rotation re-wraps PEOPLE - 1 keys).
  const shredStart = performance.now();
  const shred = await shredSubjectKey(deps, scope, {
    subjectId: 'person-0',
    actor: { actorType: 'system', actorId: null },
  });
  const shredMilliseconds = performance.now() - shredStart;

  const lines = [
    `envelope encryption benchmark (SQLite, node ${process.version})`,
    `  encrypt + decrypt, 200-byte field:       ${format(roundTrip)}`,
    `  per-person key unwrap (2 × AES-GCM):     ${format(unwrap)}`,
    `  read of the wrapped key rows (SQLite):   ${format(read)}`,
    `  unwrap / read:                           ${(unwrap / read).toFixed(2)}`,
    `  decryptSubjectFields, one field:         ${format(full)}`,
    `  shred among ${PEOPLE.toLocaleString('en')} people:             ${shredMilliseconds.toFixed(0)} ms (${shred.rewrappedSubjectKeys.toLocaleString('en')} keys re-wrapped, ${((shredMilliseconds * 1000) / Math.max(1, shred.rewrappedSubjectKeys)).toFixed(1)} µs each)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}

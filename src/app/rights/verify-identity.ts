import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { createRightsStore, type RightsRequestRow } from '../../store/rights-store.js';
import { scopeOf, type OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { loadOrCreateLinkKey } from '../links/link-keys.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { requireActivePolicy } from '../people/people-support.js';
import {
  clockFor,
  requireRequest,
  tellRequester,
  viewOf,
  type RightsRequestView,
} from './rights-support.js';

/** A code lives a day: long enough to find the email, short enough to be worth little if leaked. */
const CODE_LIFETIME_MS = 24 * 3_600_000;
/** Wrong guesses before the code is burnt (a fresh one must be sent): 5 in 10^6. */
const MAX_ATTEMPTS = 5;

export const VerifyRequest = z.strictObject({
  organizationId: z.string().min(1).max(64),
  requestId: z.string().min(1).max(64),
  code: z.string().regex(/^\d{6}$/, 'must be the 6 digits from the email'),
});

type VerifyDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
>;

/** The code's MAC under the organisation's link secret, bound to the request. */
function codeMac(secret: Uint8Array, requestId: string, code: string): string {
  return createHmac('sha256', secret)
    .update(`custodia.rights-code.v1.${requestId}.${code}`)
    .digest('base64url');
}

/**
 * Emails a one-time six-digit code to the address on record (never to an address the caller
 * gives: whoever asked by phone must also hold the mailbox). The code is stored only as an HMAC.
 */
export async function sendVerificationCode(
  deps: VerifyDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
): Promise<'sent' | 'no-address' | 'failed'> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = deps.clock.now();
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  await inTransaction(deps.store, async (trx) => {
    const key = await loadOrCreateLinkKey(keyDeps, trx, scope);
    await createRightsStore(trx).insertCode(scope, {
      id: deps.ids.next(),
      requestId: row.id,
      codeMac: codeMac(key.secret, row.id, code),
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS).toISOString(),
      attempts: 0,
      usedAt: null,
    });
  });
  const delivery = await tellRequester(deps, scope, active, row, {
    subject: 'confirm your request',
    text:
      `We received a ${row.kind} request about your data. If you made it, confirm it with this ` +
      `code within 24 hours:\n\n    ${code}\n\nat ${deps.publicBaseUrl}/api/v1/rights-requests/verify ` +
      `(organisation ${scope.organizationId}, request ${row.id}). If you did not, ignore this ` +
      'email: nothing happens without the code.',
  });
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(keyDeps, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'rights.verification-sent',
      outcome: delivery === 'sent' ? 'success' : 'failure',
      subjectId: row.personId,
      details: { requestId: row.id, method: 'email-code', delivery },
    }),
  );
  return delivery;
}

async function markVerified(
  deps: VerifyDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
  audit: {
    actor: { actorType: 'person' | 'staff' | 'api_token' | 'system'; actorId: string | null };
    method: string;
    note?: string;
    origin: RequestOrigin | undefined;
  },
): Promise<RightsRequestRow> {
  const now = deps.clock.now();
  // The clock starts now: it was paused while identity was checked.
  const { dueAt } = clockFor(active, row.kind as Parameters<typeof clockFor>[1], now);
  const verified = await inTransaction(deps.store, async (trx) => {
    const moved = await createRightsStore(trx).updateRequest(scope, row.id, ['received'], {
      status: 'verified',
      verifiedAt: now.toISOString(),
      dueAt,
    });
    if (!moved) {
      throw new AppError('CONFLICT', 'This request is not waiting for verification.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, audit.origin, {
      ...audit.actor,
      action: 'rights.request-verified',
      outcome: 'success',
      subjectId: row.personId,
      details: {
        requestId: row.id,
        method: audit.method,
        dueAt,
        ...(audit.note === undefined ? {} : { note: audit.note }),
      },
    });
    return { ...row, status: 'verified' as const, verifiedAt: now.toISOString(), dueAt };
  });
  await tellRequester(deps, scope, active, verified, {
    subject: 'your request is confirmed',
    text: `Your ${verified.kind} request is confirmed. We will answer by ${dueAt}.`,
  });
  return verified;
}

/**
 * The person confirms a request with the emailed code (public). A wrong code counts an attempt
 * and is refused; after five the code is burnt. A code works once: replaying it is refused and
 * logged, and nothing is disclosed either way (no data, no hint of who the request is about).
 */
export async function verifyRightsRequest(
  deps: VerifyDeps,
  input: z.output<typeof VerifyRequest>,
  origin: RequestOrigin | undefined,
): Promise<{ status: 'verified'; dueAt: string }> {
  const invalid = new AppError('LINK_INVALID', 'This code is not valid for this request.');
  const organization = await createOrganizationStore(deps.store.db).findById(input.organizationId);
  if (organization === undefined) {
    throw invalid;
  }
  const scope = scopeOf(organization.id);
  const rights = createRightsStore(deps.store.db);
  const row = await rights.findRequest(scope, input.requestId);
  const refuse = async (reason: string, codeId?: string): Promise<never> => {
    await inTransaction(deps.store, async (trx) => {
      if (codeId !== undefined) {
        await createRightsStore(trx).countAttempt(scope, codeId);
      }
      await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
        actorType: 'anonymous',
        actorId: null,
        action: 'rights.verification-refused',
        outcome: 'denied',
        subjectId: row?.personId ?? null,
        details: { requestId: input.requestId, reason },
      });
    });
    throw reason === 'expired'
      ? new AppError('LINK_EXPIRED', 'This code has expired: ask for a new one.')
      : invalid;
  };
  if (row === undefined) {
    return refuse('unknown-request');
  }
  const [latest] = await rights.codesFor(scope, row.id);
  if (latest === undefined) {
    return refuse('no-code');
  }
  if (latest.usedAt !== null || row.status !== 'received') {
    return refuse('replayed');
  }
  if (latest.attempts >= MAX_ATTEMPTS) {
    return refuse('too-many-attempts');
  }
  if (latest.expiresAt <= deps.clock.now().toISOString()) {
    return refuse('expired');
  }
  const key = await inTransaction(deps.store, (trx) => loadOrCreateLinkKey(deps, trx, scope));
  const expected = Buffer.from(latest.codeMac);
  const given = Buffer.from(codeMac(key.secret, row.id, input.code));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return refuse('wrong-code', latest.id);
  }
  if (!(await rights.useCode(scope, latest.id, deps.clock.now().toISOString()))) {
    return refuse('replayed');
  }
  const active = await requireActivePolicy(deps, scope);
  const verified = await markVerified(deps, scope, active, row, {
    actor: { actorType: 'person', actorId: row.personId },
    method: 'email-code',
    origin,
  });
  return { status: 'verified', dueAt: verified.dueAt ?? '' };
}

export const DocumentCheck = z.strictObject({
  note: z.string().min(5).max(2000).describe('Which document was seen, by whom (not its number)'),
});

/**
 * Staff record identity checked against a document (kajuyali: `document-check`), where the
 * policy allows it: for a person without an email address, or who came in person.
 */
export async function verifyByDocumentCheck(
  deps: VerifyDeps,
  actor: Actor,
  organizationId: string,
  requestId: string,
  input: z.output<typeof DocumentCheck>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'handle-rights-requests',
    'handling requests',
  );
  if (!active.policy.document.rights.identity_verification.methods.includes('document-check')) {
    throw new AppError('FORBIDDEN', 'The policy does not accept a document check as verification.');
  }
  const row = await requireRequest(deps.store.db, scope, requestId);
  const verified = await markVerified(deps, scope, active, row, {
    actor: actorOf(actor),
    method: 'document-check',
    note: input.note,
    origin,
  });
  return viewOf(active, verified, deps.clock.now());
}

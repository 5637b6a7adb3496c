import { z } from 'zod';
import { validatePersonalData } from '../../domain/personal-data-validation.js';
import { statusesBefore } from '../../domain/rights-request.js';
import { AppError } from '../../errors.js';
import type { Jurisdiction } from '../../policy/schema.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { createRightsStore, type RightsRequestRow } from '../../store/rights-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeUnderActivePolicy } from '../authorize.js';
import { actorOf, type Actor, type AppDeps, type RequestOrigin } from '../context.js';
import { withdrawConsentIn } from '../consents/withdraw-consent.js';
import { loadOrCreateLinkKey } from '../links/link-keys.js';
import { EXPORT_LINK_LIFETIME_MS, issueLink } from '../links/signed-link-urls.js';
import { storeCategories, throwIfInvalid } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { eraseForRequest } from './erase-for-request.js';
import {
  authorityOf,
  requesterAddress,
  requireRequest,
  tellRequester,
  viewOf,
  type RightsRequestView,
} from './rights-support.js';

export const CompleteRequest = z.strictObject({
  answer: z
    .string()
    .max(5000)
    .optional()
    .describe('A word to the person with the answer (a complaint’s response, a correction note)'),
});

type CompleteDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
>;

interface Executed {
  outcome: Record<string, unknown>;
  /** What the email to the person says was done. */
  summary: string;
}

/**
 * Answers a verified request by doing what it asks (`handle-rights-requests`):
 * - access, portability: a download link to the full export (JSON and CSV in a zip, with an HTML
 *   summary), emailed to the person's own address, valid 7 days;
 * - rectification: the corrections written, and every recipient that received the category told
 *   (GDPR Art. 19, PIPEDA 4.9.5);
 * - erasure: everything without a legal duty or hold deleted or crypto-shredded; the answer says
 *   what was kept, why, and until when;
 * - restriction, objection: flags the access decision honours from this instant;
 * - withdraw-consent: the consents withdrawn;
 * - complaint: answered, naming the supervisory authority.
 * The request moves to completed only if it was still open: two staff completing at once cannot
 * both act.
 */
export async function completeRightsRequest(
  deps: CompleteDeps,
  actor: Actor,
  organizationId: string,
  requestId: string,
  input: z.output<typeof CompleteRequest>,
  origin: RequestOrigin | undefined,
): Promise<RightsRequestView> {
  const { scope, active } = await authorizeUnderActivePolicy(
    deps,
    actor,
    organizationId,
    'handle-rights-requests',
    'handling requests',
  );
  const row = await requireRequest(deps.store.db, scope, requestId);
  if (row.status === 'received') {
    throw new AppError('CONFLICT', 'Verify the requester’s identity before acting on the request.');
  }
  if (row.status === 'completed' || row.status === 'refused') {
    throw new AppError('CONFLICT', `This request is already ${row.status}.`);
  }
  // Claimed first, so a second completion at the same time is refused before it acts.
  const claimed = await createRightsStore(deps.store.db).updateRequest(
    scope,
    row.id,
    ['verified'],
    { status: 'in-progress' },
  );
  if (!claimed && row.status !== 'in-progress') {
    throw new AppError('CONFLICT', 'This request was taken up meanwhile.');
  }
  // Read first: an erasure deletes the address its own answer must go to.
  const email = await requesterAddress(deps, scope, active, row);
  const executed = await execute(deps, actor, scope, active, row, input);
  const now = deps.clock.now().toISOString();
  const outcome = {
    ...executed.outcome,
    ...(input.answer === undefined ? {} : { answer: input.answer }),
    supervisoryAuthority: authorityOf(active, row.jurisdiction as Jurisdiction),
  };
  await inTransaction(deps.store, async (trx) => {
    const moved = await createRightsStore(trx).updateRequest(
      scope,
      row.id,
      statusesBefore('completed'),
      { status: 'completed', closedAt: now, outcome },
    );
    if (!moved) {
      throw new AppError('CONFLICT', 'This request was closed meanwhile.');
    }
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(actor),
      action: 'rights.request-completed',
      outcome: 'success',
      subjectId: row.personId,
      details: { requestId: row.id, kind: row.kind, outcome: { ...outcome, download: undefined } },
    });
  });
  const completed: RightsRequestRow = { ...row, status: 'completed', closedAt: now, outcome };
  await tellRequester(
    deps,
    scope,
    active,
    completed,
    {
      subject: 'your request is answered',
      text: `${executed.summary}${input.answer === undefined ? '' : `\n\n${input.answer}`}`,
    },
    { email },
  );
  return viewOf(active, completed, deps.clock.now());
}

async function execute(
  deps: CompleteDeps,
  actor: Actor,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
  input: z.output<typeof CompleteRequest>,
): Promise<Executed> {
  const details = row.details as {
    changes?: Record<string, Record<string, string>>;
    categories?: string[];
    purposes?: string[];
    consents?: string[];
  };
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const at = deps.clock.now().toISOString();
  switch (row.kind) {
    case 'access':
    case 'portability': {
      const link = await inTransaction(deps.store, async (trx) =>
        issueLink(deps, await loadOrCreateLinkKey(deps, trx, scope), scope, {
          purpose: 'data-export',
          personId: row.personId,
          expiresAt: new Date(deps.clock.now().getTime() + EXPORT_LINK_LIFETIME_MS),
        }),
      );
      // The link goes only into the email to the person's own address, never into the API answer.
      return {
        outcome: { download: { expiresAt: link.expiresAt, emailed: true } },
        summary:
          'A copy of everything we hold about you — in JSON and CSV, with a readable summary — is ' +
          `ready to download until ${link.expiresAt}:\n\n${link.url}\n\nDo not forward this link.`,
      };
    }
    case 'rectification': {
      const person = await createPersonStore(deps.store.db).findById(scope, row.personId);
      if (person === undefined) {
        throw new AppError('CONFLICT', 'The person is no longer on record.');
      }
      const { categories, issues } = validatePersonalData(
        active.policy,
        person.subjectKind,
        details.changes ?? {},
        { requireComplete: false },
      );
      throwIfInvalid(issues);
      await inTransaction(deps.store, async (trx) => {
        await storeCategories(keyDeps, trx, scope, row.personId, categories, {
          policyVersionId: active.versionId,
          at,
        });
        await writeAuditEvent(keyDeps, trx, scope, undefined, {
          ...actorOf(actor),
          action: 'person.write',
          outcome: 'success',
          subjectId: row.personId,
          details: {
            requestId: row.id,
            fields: Object.fromEntries(
              categories.map((category) => [
                category.categoryId,
                category.values.map((value) => value.field),
              ]),
            ),
          },
        });
      });
      const recipients = await notifyRecipients(
        deps,
        scope,
        active,
        row,
        Object.keys(details.changes ?? {}),
      );
      return {
        outcome: {
          corrected: details.changes === undefined ? {} : fieldsOf(details.changes),
          ...recipients,
        },
        summary:
          'Your data is corrected. ' +
          (recipients.notified.length > 0
            ? `We told ${recipients.notified.join(', ')}, who had received it, to correct it too.`
            : ''),
      };
    }
    case 'erasure': {
      const erased = await eraseForRequest(deps, scope, active, row.personId, row.id);
      const keptText = erased.kept
        .map(
          (entry) =>
            `${entry.category} (${entry.why}${entry.until === null ? '' : `, until ${entry.until}`})`,
        )
        .join('; ');
      return {
        outcome: { erasure: erased },
        summary:
          (erased.erasedWhole
            ? 'Everything we held about you is deleted.'
            : 'Your data is deleted, except what the law makes us keep: ' + keptText + '.') +
          (erased.anonymised.length > 0
            ? ` We keep anonymised ${erased.anonymised.join(', ')}, which no longer identifies you.`
            : ''),
      };
    }
    case 'restriction':
    case 'objection': {
      const flags =
        row.kind === 'restriction'
          ? (details.categories?.length ?? 0) > 0
            ? (details.categories ?? []).map((categoryId) => ({ categoryId, purposeId: null }))
            : [{ categoryId: null, purposeId: null }]
          : (details.purposes ?? []).map((purposeId) => ({ categoryId: null, purposeId }));
      const ids: string[] = [];
      await inTransaction(deps.store, async (trx) => {
        for (const flag of flags) {
          const id = deps.ids.next();
          ids.push(id);
          await createRightsStore(trx).insertRestriction(scope, {
            id,
            personId: row.personId,
            kind: row.kind as 'restriction' | 'objection',
            categoryId: flag.categoryId,
            purposeId: flag.purposeId,
            requestId: row.id,
            since: at,
            liftedAt: null,
            overridingGrounds: null,
          });
        }
      });
      return {
        outcome: {
          restrictionIds: ids,
          [row.kind === 'restriction' ? 'restricted' : 'objectedTo']: flags.map(
            (flag) => flag.purposeId ?? flag.categoryId ?? 'all',
          ),
        },
        summary:
          row.kind === 'restriction'
            ? 'From now on we only store the data you named; we do not otherwise use it until the restriction is lifted, and we will tell you before it is.'
            : `We stopped using your data for ${(details.purposes ?? []).join(', ')}.`,
      };
    }
    case 'withdraw-consent': {
      const person = await createPersonStore(deps.store.db).findById(scope, row.personId);
      if (person === undefined) {
        throw new AppError('CONFLICT', 'The person is no longer on record.');
      }
      const withdrawn: string[] = [];
      await inTransaction(deps.store, async (trx) => {
        for (const consent of details.consents ?? []) {
          await withdrawConsentIn(
            keyDeps,
            trx,
            scope,
            active,
            person,
            { consent, method: 'staff-on-request' },
            { kind: 'staff', principal: actor },
            undefined,
          );
          withdrawn.push(consent);
        }
      });
      return {
        outcome: { withdrawn },
        summary: `Your consent is withdrawn: ${withdrawn.join(', ')}.`,
      };
    }
    default:
      return {
        outcome: { answered: true },
        summary: input.answer === undefined ? 'We have looked into your request.' : 'Our answer:',
      };
  }
}

function fieldsOf(changes: Record<string, Record<string, string>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(changes).map(([category, fields]) => [category, Object.keys(fields)]),
  );
}

/**
 * Tells every recipient that received a corrected category (recorded disclosures) to correct
 * it too, at the privacy contact the policy names for them; recipients without one are listed
 * for staff to tell another way. The notice names the request and the fields, never the values:
 * the recipient corrects from the organisation, not from an email.
 */
async function notifyRecipients(
  deps: CompleteDeps,
  scope: OrganizationScope,
  active: ActivePolicy,
  row: RightsRequestRow,
  categories: readonly string[],
): Promise<{ notified: string[]; toNotifyOtherwise: string[] }> {
  const disclosures = await createRightsStore(deps.store.db).disclosuresOf(scope, row.personId);
  const recipients = new Set(
    disclosures
      .filter((disclosure) =>
        disclosure.categories.some((category) => categories.includes(category)),
      )
      .map((disclosure) => disclosure.thirdPartyId),
  );
  const notified: string[] = [];
  const toNotifyOtherwise: string[] = [];
  for (const thirdPartyId of recipients) {
    const party = active.policy.thirdParties.get(thirdPartyId);
    const contact = party?.privacy_contact;
    if (party === undefined || contact === undefined) {
      toNotifyOtherwise.push(thirdPartyId);
      continue;
    }
    try {
      await deps.mailer.send({
        to: contact,
        subject: `Correction of personal data (request ${row.id})`,
        text:
          `Personal data we shared with ${party.name} was corrected at the person's request ` +
          `(${categories.join(', ')}; reference ${row.personId}). Please update your copy from ` +
          'us, as our agreement with you requires.\n',
      });
      notified.push(thirdPartyId);
    } catch {
      toNotifyOtherwise.push(thirdPartyId);
    }
  }
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, undefined, {
      actorType: 'system',
      actorId: null,
      action: 'rights.recipients-notified',
      outcome: toNotifyOtherwise.length === 0 ? 'success' : 'failure',
      subjectId: row.personId,
      details: { requestId: row.id, notified, toNotifyOtherwise },
    }),
  );
  return { notified, toNotifyOtherwise };
}

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { loadOrCreateLinkKey } from '../links/link-keys.js';
import {
  issueLink,
  SELF_SERVICE_LINK_LIFETIME_MS,
  type IssuedLink,
} from '../links/signed-link-urls.js';
import { contactAddressesOf } from '../marketing/contact-addresses.js';
import { authorizeConsentWork } from '../people/people-support.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { Executor } from '../../store/db.js';

export const SelfServiceInvitation = z.object({
  sentTo: z.literal('email').describe('The link went to the person’s own email address'),
  expiresAt: z.string(),
});
export type SelfServiceInvitation = z.infer<typeof SelfServiceInvitation>;

type LinkDeps = Pick<AppDeps, 'clock' | 'ids' | 'masterKeys' | 'publicBaseUrl'> & {
  dialect: AppDeps['store']['dialect'];
};

/** Signs a self-service link for one person: what every email to a person may carry. */
export async function issueSelfServiceLink(
  deps: LinkDeps,
  trx: Executor,
  scope: OrganizationScope,
  personId: string,
): Promise<IssuedLink> {
  const key = await loadOrCreateLinkKey(deps, trx, scope);
  return issueLink(deps, key, scope, {
    purpose: 'self-service',
    personId,
    expiresAt: new Date(deps.clock.now().getTime() + SELF_SERVICE_LINK_LIFETIME_MS),
  });
}

/**
 * Emails a person a link to their own privacy page: see and correct their record, give or
 * withdraw consents, accept the terms — and, for a guardian, act for their children as the policy
 * allows. The link goes only to the person's own address and is never shown to the staff member
 * who sends it: holding it is holding the person's mailbox.
 */
export async function inviteSelfService(
  deps: Pick<
    AppDeps,
    'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer' | 'publicBaseUrl'
  >,
  principal: Principal,
  organizationId: string,
  personId: string,
  origin: RequestOrigin | undefined,
): Promise<SelfServiceInvitation> {
  const { scope, active, person } = await authorizeConsentWork(
    deps,
    principal,
    organizationId,
    personId,
    undefined,
    'write',
  );
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const { email } = await contactAddressesOf(keyDeps, deps.store.db, scope, active, person.id);
  if (email === undefined) {
    throw new AppError('CONFLICT', 'The person has no email address to send the link to.');
  }
  const link = await inTransaction(deps.store, (trx) =>
    issueSelfServiceLink(keyDeps, trx, scope, person.id),
  );
  const organization = await createOrganizationStore(deps.store.db).findById(organizationId);
  const name = organization?.name ?? '';
  await deps.mailer.send({
    to: email,
    subject: `Your privacy page at ${name}`,
    text:
      `This link opens your privacy page at ${name}: see what we hold about you, correct it, ` +
      'give or withdraw consent, and accept our terms. Guardians also see their children.\n\n' +
      `${link.url}\n\nIt works until ${link.expiresAt}. Do not forward it: it opens your record.\n` +
      'If you did not ask for this, ignore this email.\n',
  });
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(keyDeps, trx, scope, origin, {
      ...actorOf(principal),
      action: 'self-service.invited',
      outcome: 'success',
      subjectId: person.id,
      details: { channel: 'email', expiresAt: link.expiresAt },
    }),
  );
  return { sentTo: 'email', expiresAt: link.expiresAt };
}

import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createOrganizationStore } from '../../store/organization-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { contactAddressesOf } from '../marketing/contact-addresses.js';
import {
  governingCategoryIds,
  requireActivePolicy,
  requireDataAccess,
  requirePerson,
} from '../people/people-support.js';
import { loadOrCreateLinkKey } from './link-keys.js';
import { issueLink, OPT_IN_LINK_LIFETIME_MS, type LinkSettings } from './signed-link-urls.js';

export const OptInInvitation = z.object({
  sentTo: z.literal('email').describe('The invitation went to the person’s own email address'),
  expiresAt: z.string().describe('When the link in it stops working'),
});
export type OptInInvitation = z.infer<typeof OptInInvitation>;

/**
 * Emails a person a signed link to opt in to marketing again — at their request (a phone call, a
 * form). Only the person may lift their own suppression (an unsubscribed address is refused to
 * staff and imports), so the link goes to the person's own address and never to the staff member
 * who asks: whoever opts in through it has shown they read that mailbox (a confirmed opt-in).
 * The role must be allowed to write the person's record, as for recording a consent.
 */
export async function inviteMarketingOptIn(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys' | 'mailer'> &
    LinkSettings,
  principal: Principal,
  organizationId: string,
  personId: string,
  origin: RequestOrigin | undefined,
): Promise<OptInInvitation> {
  const scope = authorizeInOrganization(principal, organizationId);
  const active = await requireActivePolicy(deps, scope);
  const person = await requirePerson(deps.store.db, scope, personId);
  requireDataAccess(
    active,
    principal.role,
    governingCategoryIds(active, person.subjectKind),
    'write',
    undefined,
  );
  if (active.policy.document.marketing === undefined) {
    throw new AppError('CONFLICT', 'The active policy declares no marketing.');
  }
  const keyDeps = { ...deps, dialect: deps.store.dialect };
  const { email } = await contactAddressesOf(keyDeps, deps.store.db, scope, active, person.id);
  if (email === undefined) {
    throw new AppError('CONFLICT', 'The person has no email address to send the link to.');
  }
  const key = await inTransaction(deps.store, (trx) => loadOrCreateLinkKey(deps, trx, scope));
  const link = issueLink(deps, key, scope, {
    purpose: 'marketing-opt-in',
    personId: person.id,
    expiresAt: new Date(deps.clock.now().getTime() + OPT_IN_LINK_LIFETIME_MS),
  });
  const organization = await createOrganizationStore(deps.store.db).findById(organizationId);
  const name = organization?.name ?? '';
  await deps.mailer.send({
    to: email,
    subject: `Receive news from ${name} again?`,
    text:
      `You asked to receive news and promotions from ${name} again.\n\n` +
      `To choose how, open this link (it works until ${link.expiresAt}):\n${link.url}\n\n` +
      'If you did not ask for this, ignore this email: nothing changes.\n',
  });
  await inTransaction(deps.store, (trx) =>
    writeAuditEvent(keyDeps, trx, scope, origin, {
      ...actorOf(principal),
      action: 'marketing.opt-in-invited',
      outcome: 'success',
      subjectId: person.id,
      details: { channel: 'email', expiresAt: link.expiresAt },
    }),
  );
  return { sentTo: 'email', expiresAt: link.expiresAt };
}

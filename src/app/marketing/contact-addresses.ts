import { createHash } from 'node:crypto';
import type { Dialect, Executor } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import type { MasterKeyProvider } from '../../crypto/master-key.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { categoryValues } from '../people/people-support.js';

/** A person's addresses per marketing channel, from the policy's email and phone fields. */
export interface ContactAddresses {
  email?: string;
  phone?: string;
}

/** The address a channel reaches a person at (email → email; sms and phone → phone). */
export function addressFor(addresses: ContactAddresses, channel: string): string | undefined {
  if (channel === 'email') {
    return addresses.email;
  }
  if (channel === 'sms' || channel === 'phone') {
    return addresses.phone;
  }
  return undefined;
}

/**
 * The suppression list holds hashes, not addresses: it must outlive an erased person without
 * keeping their address readable. Normalised so that case and punctuation do not slip past it.
 */
export function addressHash(channel: string, address: string): string {
  const normalised =
    channel === 'email' ? address.trim().toLowerCase() : address.replace(/[^\d+]/g, '');
  return createHash('sha256').update(`${channel}:${normalised}`).digest('hex');
}

/** Reads the first email and phone field the policy declares for the person (decrypting them). */
export async function contactAddressesOf(
  deps: { masterKeys: MasterKeyProvider; dialect: Dialect },
  db: Executor,
  scope: OrganizationScope,
  active: ActivePolicy,
  personId: string,
): Promise<ContactAddresses> {
  const typeOf = (categoryId: string, field: string): string | undefined =>
    active.policy.categories
      .get(categoryId)
      ?.definition.fields.find((candidate) => candidate.name === field)?.type;
  const rows = await createPersonStore(db).values(scope, personId);
  const addresses: ContactAddresses = {};
  for (const row of rows) {
    const type = typeOf(row.categoryId, row.field);
    if (type !== 'email' && type !== 'phone') {
      continue;
    }
    if (addresses[type] !== undefined) {
      continue;
    }
    const plain = await categoryValues(deps, db, scope, personId, row.categoryId, [row]);
    if (plain === 'erased') {
      continue;
    }
    const value = plain[row.field] ?? '';
    if (value !== '') {
      addresses[type] = value;
    }
  }
  return addresses;
}

import type { Executor } from './db.js';
import { inTenant } from './tenant.js';
import type { OrganizationScope } from './scope.js';

/** One giving of cookie choices by a visitor: the receipt, as stored. */
export interface CookieConsentRow {
  organizationId: string;
  id: string;
  visitorId: string;
  policyVersionId: string;
  /** Cookie id → allowed, for every cookie the policy version declares. */
  choices: Record<string, boolean>;
  /** True when the browser sent Sec-GPC: 1 and the policy honours it. */
  isGpc: boolean;
  givenAt: string;
  ip: string | null;
  userAgent: string | null;
}

const columns = [
  'organization_id as organizationId',
  'id',
  'visitor_id as visitorId',
  'policy_version_id as policyVersionId',
  'choices',
  'gpc',
  'given_at as givenAt',
  'ip',
  'user_agent as userAgent',
] as const;

function rowOf(row: {
  organizationId: string;
  id: string;
  visitorId: string;
  policyVersionId: string;
  choices: string;
  gpc: number;
  givenAt: string;
  ip: string | null;
  userAgent: string | null;
}): CookieConsentRow {
  const { choices, gpc, ...rest } = row;
  return { ...rest, choices: JSON.parse(choices) as Record<string, boolean>, isGpc: gpc === 1 };
}

/**
 * Cookie consent receipts. Append-only by design: a new choice is a new row, so the history of
 * what a visitor agreed to, under which policy version, stays demonstrable (GDPR Art. 7(1)).
 */
export function createCookieConsentStore(db: Executor) {
  return {
    async insert(
      scope: OrganizationScope,
      consent: Omit<CookieConsentRow, 'organizationId'>,
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('cookie_consents')
        .values({
          organization_id: scope.organizationId,
          id: consent.id,
          visitor_id: consent.visitorId,
          policy_version_id: consent.policyVersionId,
          choices: JSON.stringify(consent.choices),
          gpc: consent.isGpc ? 1 : 0,
          given_at: consent.givenAt,
          ip: consent.ip,
          user_agent: consent.userAgent,
        })
        .execute();
    },
    /** The visitor's most recent choices (ties at the same instant broken by id, for stability). */
    async findLatestByVisitor(
      scope: OrganizationScope,
      visitorId: string,
    ): Promise<CookieConsentRow | undefined> {
      const row = await inTenant(db, scope)
        .selectFrom('cookie_consents')
        .select(columns)
        .where('organization_id', '=', scope.organizationId)
        .where('visitor_id', '=', visitorId)
        .orderBy('given_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : rowOf(row);
    },
  };
}

export type CookieConsentStore = ReturnType<typeof createCookieConsentStore>;

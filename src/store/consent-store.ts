import type { Executor } from './db.js';
import type { ConsentRecordsTable } from './schema.js';
import type { OrganizationScope } from './scope.js';
import { inTenant } from './tenant.js';

export interface ConsentRecordRow {
  id: string;
  personId: string;
  consentId: string;
  policyVersionId: string;
  channels: string[] | null;
  givenAt: string;
  givenBy: string;
  givenByReference: string | null;
  recordedBy: string | null;
  method: string;
  evidenceReference: string | null;
  evidenceSha256: string | null;
  evidenceMediaType: string | null;
  ip: string | null;
  userAgent: string | null;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  withdrawalMethod: string | null;
}

export type NewConsentRecord = Omit<
  ConsentRecordRow,
  'withdrawnAt' | 'withdrawnBy' | 'withdrawalMethod'
> & { evidence: string | null };

export interface TermsAcceptanceRow {
  id: string;
  personId: string;
  policyVersionId: string;
  acceptedAt: string;
  acceptedBy: string;
  acceptedByReference: string | null;
  recordedBy: string | null;
  method: 'explicit' | 'continued-use';
  ip: string | null;
  userAgent: string | null;
}

const consentColumns = [
  'id',
  'person_id as personId',
  'consent_id as consentId',
  'policy_version_id as policyVersionId',
  'channels',
  'given_at as givenAt',
  'given_by as givenBy',
  'given_by_reference as givenByReference',
  'recorded_by as recordedBy',
  'method',
  'evidence_reference as evidenceReference',
  'evidence_sha256 as evidenceSha256',
  'evidence_media_type as evidenceMediaType',
  'ip',
  'user_agent as userAgent',
  'withdrawn_at as withdrawnAt',
  'withdrawn_by as withdrawnBy',
  'withdrawal_method as withdrawalMethod',
] as const;

function toConsentRow(
  row: Omit<ConsentRecordRow, 'channels'> & { channels: string | null },
): ConsentRecordRow {
  return {
    ...row,
    channels: row.channels === null ? null : (JSON.parse(row.channels) as string[]),
  };
}

/** Consent records, terms acceptances and the marketing suppression list of an organisation. */
export function createConsentStore(db: Executor) {
  return {
    async insert(scope: OrganizationScope, record: NewConsentRecord): Promise<void> {
      const row: ConsentRecordsTable = {
        organization_id: scope.organizationId,
        id: record.id,
        person_id: record.personId,
        consent_id: record.consentId,
        policy_version_id: record.policyVersionId,
        channels: record.channels === null ? null : JSON.stringify(record.channels),
        given_at: record.givenAt,
        given_by: record.givenBy,
        given_by_reference: record.givenByReference,
        recorded_by: record.recordedBy,
        method: record.method,
        evidence_reference: record.evidenceReference,
        evidence: record.evidence,
        evidence_sha256: record.evidenceSha256,
        evidence_media_type: record.evidenceMediaType,
        ip: record.ip,
        user_agent: record.userAgent,
        withdrawn_at: null,
        withdrawn_by: null,
        withdrawal_method: null,
      };
      await inTenant(db, scope).insertInto('consent_records').values(row).execute();
    },

    /** Every consent record of a person, oldest first: the history a receipt shows. */
    async listForPerson(scope: OrganizationScope, personId: string): Promise<ConsentRecordRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('consent_records')
        .select(consentColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('given_at')
        .orderBy('id')
        .execute();
      return rows.map(toConsentRow);
    },

    /** The records in force (given, not withdrawn) of several people, for audience selection. */
    async listInForce(scope: OrganizationScope, consentId: string): Promise<ConsentRecordRow[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('consent_records')
        .select(consentColumns)
        .where('organization_id', '=', scope.organizationId)
        .where('consent_id', '=', consentId)
        .where('withdrawn_at', 'is', null)
        .orderBy('person_id')
        .execute();
      return rows.map(toConsentRow);
    },

    /** The encrypted scan kept as evidence of one record, if any. */
    async evidence(
      scope: OrganizationScope,
      id: string,
    ): Promise<
      { personId: string; evidence: string | null; mediaType: string | null } | undefined
    > {
      return inTenant(db, scope)
        .selectFrom('consent_records')
        .select(['person_id as personId', 'evidence', 'evidence_media_type as mediaType'])
        .where('organization_id', '=', scope.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** Closes every record of this consent in force for the person; returns how many. */
    async withdraw(
      scope: OrganizationScope,
      personId: string,
      consentId: string,
      withdrawal: { at: string; by: string; method: string },
    ): Promise<number> {
      const result = await inTenant(db, scope)
        .updateTable('consent_records')
        .set({
          withdrawn_at: withdrawal.at,
          withdrawn_by: withdrawal.by,
          withdrawal_method: withdrawal.method,
        })
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .where('consent_id', '=', consentId)
        .where('withdrawn_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async insertTermsAcceptance(
      scope: OrganizationScope,
      acceptance: TermsAcceptanceRow,
    ): Promise<boolean> {
      const result = await inTenant(db, scope)
        .insertInto('terms_acceptances')
        .values({
          organization_id: scope.organizationId,
          id: acceptance.id,
          person_id: acceptance.personId,
          policy_version_id: acceptance.policyVersionId,
          accepted_at: acceptance.acceptedAt,
          accepted_by: acceptance.acceptedBy,
          accepted_by_reference: acceptance.acceptedByReference,
          recorded_by: acceptance.recordedBy,
          method: acceptance.method,
          ip: acceptance.ip,
          user_agent: acceptance.userAgent,
        })
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'person_id', 'policy_version_id']).doNothing(),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async termsAcceptances(
      scope: OrganizationScope,
      personId: string,
    ): Promise<TermsAcceptanceRow[]> {
      return inTenant(db, scope)
        .selectFrom('terms_acceptances')
        .select([
          'id',
          'person_id as personId',
          'policy_version_id as policyVersionId',
          'accepted_at as acceptedAt',
          'accepted_by as acceptedBy',
          'accepted_by_reference as acceptedByReference',
          'recorded_by as recordedBy',
          'method',
          'ip',
          'user_agent as userAgent',
        ])
        .where('organization_id', '=', scope.organizationId)
        .where('person_id', '=', personId)
        .orderBy('accepted_at')
        .$narrowType<{ method: 'explicit' | 'continued-use' }>()
        .execute();
    },

    /** People who accepted this version: for the re-acceptance report of a policy change. */
    async acceptedVersionBy(scope: OrganizationScope, policyVersionId: string): Promise<string[]> {
      const rows = await inTenant(db, scope)
        .selectFrom('terms_acceptances')
        .select('person_id')
        .where('organization_id', '=', scope.organizationId)
        .where('policy_version_id', '=', policyVersionId)
        .execute();
      return rows.map((row) => row.person_id);
    },

    async suppress(
      scope: OrganizationScope,
      entry: { channel: string; addressHash: string; reason: string; at: string },
    ): Promise<void> {
      await inTenant(db, scope)
        .insertInto('marketing_suppressions')
        .values({
          organization_id: scope.organizationId,
          channel: entry.channel,
          address_hash: entry.addressHash,
          reason: entry.reason,
          created_at: entry.at,
        })
        .onConflict((conflict) =>
          conflict.columns(['organization_id', 'channel', 'address_hash']).doNothing(),
        )
        .execute();
    },

    /** A fresh opt-in by the person themselves lifts their own suppression. */
    async unsuppress(
      scope: OrganizationScope,
      channel: string,
      addressHash: string,
    ): Promise<void> {
      await inTenant(db, scope)
        .deleteFrom('marketing_suppressions')
        .where('organization_id', '=', scope.organizationId)
        .where('channel', '=', channel)
        .where('address_hash', '=', addressHash)
        .execute();
    },

    async suppressedHashes(scope: OrganizationScope, channel: string): Promise<Set<string>> {
      const rows = await inTenant(db, scope)
        .selectFrom('marketing_suppressions')
        .select('address_hash')
        .where('organization_id', '=', scope.organizationId)
        .where('channel', '=', channel)
        .execute();
      return new Set(rows.map((row) => row.address_hash));
    },
  };
}

export type ConsentStore = ReturnType<typeof createConsentStore>;

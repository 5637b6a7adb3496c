import type { ColumnType } from 'kysely';

/**
 * Table types. Every tenant table carries organization_id, the distribution column of the
 * PostgreSQL/Citus scale-out plan, and leads its primary key with it. Times are ISO-8601 UTC
 * strings on both dialects (timestamptz in PostgreSQL, text in SQLite, normalised in db.ts).
 * Booleans are avoided in favour of nullable timestamps that also say *when*.
 */
export interface Database {
  organizations: OrganizationsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_signing_keys: AuditSigningKeysTable;
  policy_versions: PolicyVersionsTable;
  people: PeopleTable;
  guardian_links: GuardianLinksTable;
  programs: ProgramsTable;
  enrollments: EnrollmentsTable;
  personal_data: PersonalDataTable;
  organization_keys: OrganizationKeysTable;
  subject_keys: SubjectKeysTable;
  consent_records: ConsentRecordsTable;
  terms_acceptances: TermsAcceptancesTable;
  marketing_suppressions: MarketingSuppressionsTable;
  link_signing_keys: LinkSigningKeysTable;
  policy_change_notices: PolicyChangeNoticesTable;
  cookie_consents: CookieConsentsTable;
  retention_events: RetentionEventsTable;
  legal_holds: LegalHoldsTable;
  anonymised_records: AnonymisedRecordsTable;
  retention_reviews: RetentionReviewsTable;
  rights_requests: RightsRequestsTable;
  verification_codes: VerificationCodesTable;
  processing_restrictions: ProcessingRestrictionsTable;
  disclosures: DisclosuresTable;
}

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface StaffUsersTable {
  organization_id: string;
  id: string;
  email: string;
  display_name: string;
  role: string;
  password_hash: string;
  /** 1 when this user must use a second factor whatever their role. */
  mfa_required: number;
  totp_secret: string | null;
  totp_enabled_at: string | null;
  /** The last TOTP time step accepted: a code is single-use (ASVS 2.8.4). */
  totp_last_step: number | null;
  failed_login_count: number;
  last_failed_login_at: string | null;
  locked_until: string | null;
  created_at: string;
  disabled_at: string | null;
}

export interface SessionsTable {
  organization_id: string;
  /** SHA-256 of the cookie value: a database leak yields no usable session. */
  id: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  mfa_verified_at: string | null;
  revoked_at: string | null;
  ip: string;
  user_agent: string;
}

export interface ApiTokensTable {
  organization_id: string;
  id: string;
  name: string;
  /** SHA-256 of the secret part; the token itself is shown once at creation. */
  secret_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/**
 * The audit trail. Issue 3 writes login attempts here; the tamper-evident chain (hash, previous
 * hash, checkpoints) extends this same table so nothing has to be migrated across.
 */
export interface AuditEventsTable {
  organization_id: string;
  id: string;
  /** Per-organisation sequence number, assigned at insert; the order the chain will follow. */
  sequence: ColumnType<number, number, never>;
  occurred_at: string;
  /** person: someone acting on their own or their child's data through a signed link. */
  actor_type: 'staff' | 'api_token' | 'system' | 'anonymous' | 'person';
  actor_id: string | null;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** JSON text; may later be redacted to the marker, its digest stays in the chain. */
  details: string;
  /** SHA-256 of `details` as written: what the chain covers. */
  details_digest: string | null;
  previous_hash: string | null;
  /** SHA-256 over this entry's fields, its details digest and the previous hash. */
  hash: string | null;
}

export interface AuditCheckpointsTable {
  organization_id: string;
  tree_size: number;
  head_hash: string;
  signed_at: string;
  key_id: string;
  signature: string;
}

/** An organisation key, wrapped by a master key. Shredding and rotation retire and destroy it. */
export interface OrganizationKeysTable {
  organization_id: string;
  id: string;
  /** `v1.…` wrapped by the master key `master_key_id`; NULL once retired (destroyed). */
  wrapped_key: string | null;
  /** Kept after destruction: it says which master key generation must go for old copies to die. */
  master_key_id: string;
  created_at: string;
  retired_at: string | null;
}

/** One person's data key, wrapped by an organisation key. */
export interface SubjectKeysTable {
  organization_id: string;
  subject_id: string;
  /**
   * Which of the person's data the key encrypts: a policy category id (kebab-case); a reserved id
   * starting with `#` for data outside the policy's categories (`#consent-evidence`); `*` for the
   * person-wide key made before per-category keys (it serves every category of its person, and a
   * destroyed `*` row marks a shredded person); or `<id>~<suffix>` for a destroyed key set aside
   * when its category was written again (kept as the record of the destruction).
   */
  category_id: string;
  /**
   * The organisation key that wrapped it; kept after destruction, when a live one means a rotation
   * is still owed. NULL only for the marker of a person shredded before any key was made for them.
   */
  organization_key_id: string | null;
  /** `v1.…` wrapped by the organisation key; NULL once destroyed (crypto-shredded). */
  wrapped_key: string | null;
  created_at: string;
  destroyed_at: string | null;
}

export interface AuditSigningKeysTable {
  organization_id: string;
  key_id: string;
  master_key_id: string;
  /** The Ed25519 seed, wrapped by the master key (never stored in clear). */
  wrapped_seed: string;
  public_key_pem: string;
  created_at: string;
}

export interface PolicyVersionsTable {
  organization_id: string;
  id: string;
  /** The policy's own `policy_version`. */
  version: string;
  /** The YAML exactly as uploaded: what was published is what is enforced. */
  source: string;
  source_sha256: string;
  status: 'draft' | 'active' | 'archived';
  uploaded_by: string | null;
  uploaded_at: string;
  activated_at: string | null;
  archived_at: string | null;
  /** 1 when, on activation, its changes needed everyone's acceptance again. */
  requires_reacceptance: ColumnType<number, number | undefined, number>;
  /** When the version was announced; NULL for a version never announced (migration 0007). */
  announced_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the announced version takes effect (activate-due activates it then). */
  effective_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** The version that was active when it was announced: what the notices compared against. */
  announced_over_version_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PeopleTable {
  organization_id: string;
  id: string;
  /** A subject kind the policy declares (participant, guardian…). */
  subject_kind: string;
  /** The organisation's own reference (an import key), unique per organisation. */
  external_reference: string | null;
  policy_version_id: string;
  created_at: string;
  created_by: string | null;
  /** The last-enrollment retention trigger. */
  last_enrollment_at: string | null;
}

export interface GuardianLinksTable {
  organization_id: string;
  guardian_id: string;
  minor_id: string;
  relationship: string;
  created_at: string;
}

export interface ProgramsTable {
  organization_id: string;
  id: string;
  name: string;
  kind: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
}

export interface EnrollmentsTable {
  organization_id: string;
  id: string;
  person_id: string;
  program_id: string;
  status: 'pending' | 'active' | 'completed' | 'cancelled';
  enrolled_at: string;
  updated_at: string;
  policy_version_id: string;
}

export interface PersonalDataTable {
  organization_id: string;
  person_id: string;
  category_id: string;
  field: string;
  /** The value as text, or its ciphertext (`v1.…`) when the category is encrypted. */
  value: string;
  is_encrypted: number;
  policy_version_id: string;
  collected_at: string;
  updated_at: string;
}

export interface ConsentRecordsTable {
  organization_id: string;
  id: string;
  person_id: string;
  /** A consent the policy declares (`consents[].id`). */
  consent_id: string;
  policy_version_id: string;
  /** JSON array of marketing channels opted in to; NULL when the consent has no channels. */
  channels: string | null;
  given_at: string;
  /** subject | guardian | institution-attestation | staff-paper-form (the policy's `given_by`). */
  given_by: string;
  /** The guardian's person id, or the attesting institution; NULL when the subject gave it. */
  given_by_reference: string | null;
  /** The staff user who entered it (paper forms, attestations), else NULL. */
  recorded_by: string | null;
  /** api | web-form | paper-form | attestation | signed-link | import. */
  method: string;
  /** The paper form's reference (kajuyali §5.2: KCTGMPDATAFORM22) or attestation number. */
  evidence_reference: string | null;
  /** The scan, encrypted under the person's data key. */
  evidence: string | null;
  evidence_sha256: string | null;
  evidence_media_type: string | null;
  ip: string | null;
  user_agent: string | null;
  withdrawn_at: string | null;
  /** subject | guardian | staff:<user id> | gpc. */
  withdrawn_by: string | null;
  /** A withdrawal method the policy declares, or unsubscribe-link / gpc. */
  withdrawal_method: string | null;
}

export interface TermsAcceptancesTable {
  organization_id: string;
  id: string;
  person_id: string;
  policy_version_id: string;
  accepted_at: string;
  accepted_by: string;
  accepted_by_reference: string | null;
  recorded_by: string | null;
  /** explicit | continued-use. */
  method: string;
  ip: string | null;
  user_agent: string | null;
}

export interface MarketingSuppressionsTable {
  organization_id: string;
  channel: string;
  /** SHA-256 of the normalised address (lower-case email, digits of a phone number). */
  address_hash: string;
  /** unsubscribed | consent-withdrawn | gpc | family-unsubscribed. */
  reason: string;
  created_at: string;
}

export interface LinkSigningKeysTable {
  organization_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_secret: string;
  created_at: string;
}

export interface PolicyChangeNoticesTable {
  organization_id: string;
  policy_version_id: string;
  person_id: string;
  effective_at: string;
  /** 1 when the change needs the person's acceptance again (policy `reacceptance_required_for`). */
  reacceptance_required: number;
  sent_at: string | null;
  /** Why the email could not be sent (no address, SMTP refusal); NULL when sent. */
  failure: string | null;
}

export interface CookieConsentsTable {
  organization_id: string;
  id: string;
  /** A random id the banner keeps in the visitor's browser; not a person record. */
  visitor_id: string;
  policy_version_id: string;
  /** JSON object: cookie id → allowed. Strictly necessary cookies are always true. */
  choices: string;
  /** 1 when the browser sent Sec-GPC: 1 and the policy honours it. */
  gpc: number;
  given_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface RetentionEventsTable {
  organization_id: string;
  id: string;
  /** NULL for an event of the whole organisation (contract-terminated). */
  person_id: string | null;
  /** account-closed | deletion-requested | contract-terminated | last-activity. */
  trigger: string;
  occurred_at: string;
  recorded_by: string | null;
  recorded_at: string;
}

export interface LegalHoldsTable {
  organization_id: string;
  id: string;
  /** NULL: the hold covers every person of the organisation. */
  person_id: string | null;
  /** NULL: the hold covers every category. */
  category_id: string | null;
  /** A reason the policy declares (`retention.legal_holds.reasons`). */
  reason: string;
  note: string | null;
  placed_by: string | null;
  placed_at: string;
  /** At most `placed_at + max_period`; NULL when the policy sets no maximum. */
  expires_at: string | null;
  released_at: string | null;
  released_by: string | null;
}

/** What anonymisation kept of one category of one person: nothing leads back to them. */
export interface AnonymisedRecordsTable {
  organization_id: string;
  id: string;
  category_id: string;
  rule_id: string;
  /** JSON object: field → kept or generalised value. */
  fields: string;
  /** YYYY-MM. */
  anonymised_in: string;
}

/** One question of a `review` retention rule: may this data be kept for another period? */
export interface RetentionReviewsTable {
  organization_id: string;
  id: string;
  person_id: string;
  rule_id: string;
  category_id: string;
  cycle_due_at: string;
  asked_at: string;
  asked_via: 'subject' | 'staff' | 'no-address';
  answer_due_at: string | null;
  answer: 'keep' | 'no' | null;
  answered_at: string | null;
  answered_by: string | null;
}

/** A data subject request, from arrival to answer (migration 0011). */
export interface RightsRequestsTable {
  organization_id: string;
  id: string;
  person_id: string;
  kind: string;
  request_kind: 'consultation' | 'claim' | null;
  jurisdiction: string;
  made_by: 'subject' | 'guardian' | 'staff-on-behalf' | 'authorised-agent';
  requester_id: string | null;
  /** JSON: the authorised agent's name and signed authorisation reference. */
  agent: string | null;
  channel: string;
  status: 'received' | 'verified' | 'in-progress' | 'completed' | 'refused';
  /** JSON: what the request asks (rectification changes, categories, purposes, consents). */
  details: string;
  received_at: string;
  verified_at: string | null;
  due_at: string | null;
  extended_due_at: string | null;
  extension_reason: string | null;
  reminded_at: string | null;
  closed_at: string | null;
  refusal_reason: string | null;
  /** JSON: what was done, kept and why. */
  outcome: string | null;
}

export interface VerificationCodesTable {
  organization_id: string;
  id: string;
  request_id: string;
  code_mac: string;
  sent_at: string;
  expires_at: string;
  attempts: ColumnType<number, number | undefined, number>;
  used_at: string | null;
}

export interface ProcessingRestrictionsTable {
  organization_id: string;
  id: string;
  person_id: string;
  kind: 'restriction' | 'objection';
  category_id: string | null;
  purpose_id: string | null;
  request_id: string | null;
  since: string;
  lifted_at: string | null;
  lifted_by: string | null;
  overriding_grounds: string | null;
}

export interface DisclosuresTable {
  organization_id: string;
  id: string;
  person_id: string;
  third_party_id: string;
  categories: string;
  disclosed_at: string;
  recorded_by: string | null;
}

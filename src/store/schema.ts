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
  actor_type: 'staff' | 'api_token' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** JSON text, kept verbatim so a later hash over it is reproducible. */
  details: string;
}

import { z } from 'zod';
import type { StaffUserRow } from '../../store/staff-user-store.js';

/** What the API shows of a staff account: never its password hash or TOTP secret. */
export const StaffUserView = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.string(),
  mfaRequired: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});
export type StaffUserView = z.infer<typeof StaffUserView>;

export function toStaffUserView(row: StaffUserRow): StaffUserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    mfaRequired: row.mfaRequired,
    mfaEnabled: row.totpEnabledAt !== null,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

import { z } from 'zod';
import { CreateStaffUserRequest } from '../../app/staff/create-staff-user.js';
import { StaffUserView } from '../../app/staff/staff-user-view.js';
import { Id } from '../common.schemas.js';

export { CreateStaffUserRequest, StaffUserView };

export const StaffUserParams = z.strictObject({ organizationId: Id, userId: Id });

export const CreateStaffUserResponse = z.object({
  user: StaffUserView,
  generatedPassword: z
    .string()
    .optional()
    .describe('Present only when no password was given: shown this once, never stored in clear'),
});

export const StaffUsersResponse = z.object({ users: z.array(StaffUserView) });

import { z } from 'zod';
import { CreateProgramRequest, ProgramView } from '../../app/programs/create-program.js';
import { EnrollmentView, EnrollPersonRequest } from '../../app/programs/enroll-person.js';
import { SetEnrollmentStatusRequest } from '../../app/programs/set-enrollment-status.js';
import { Id } from '../common.schemas.js';

export {
  CreateProgramRequest,
  EnrollmentView,
  EnrollPersonRequest,
  ProgramView,
  SetEnrollmentStatusRequest,
};

export const ProgramParams = z.strictObject({ organizationId: Id, programId: Id });

export const EnrollmentParams = z.strictObject({ organizationId: Id, enrollmentId: Id });

export const ProgramsResponse = z.object({ programs: z.array(ProgramView) });

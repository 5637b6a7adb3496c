import { z } from 'zod';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createProgramStore } from '../../store/program-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeInOrganization } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';

const IsoDate = z.iso.date();

export const CreateProgramRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['course', 'coaching', 'camp', 'field-trip', 'tour', 'class', 'event', 'other']),
  startsOn: IsoDate.optional(),
  endsOn: IsoDate.optional(),
});
export type CreateProgramRequest = z.input<typeof CreateProgramRequest>;

export const ProgramView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  startsOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  createdAt: z.string(),
});
export type ProgramView = z.infer<typeof ProgramView>;

/** A program people enroll in: a course, a camp, a field trip, a tour, a class… */
export async function createProgram(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids'>,
  principal: Principal,
  organizationId: string,
  request: z.output<typeof CreateProgramRequest>,
  origin: RequestOrigin | undefined,
): Promise<ProgramView> {
  const scope = authorizeInOrganization(principal, organizationId);
  if (
    request.startsOn !== undefined &&
    request.endsOn !== undefined &&
    request.endsOn < request.startsOn
  ) {
    throw new AppError('VALIDATION_FAILED', 'A program cannot end before it starts.', {
      details: { issues: [{ path: 'endsOn', message: 'must not be before startsOn' }] },
    });
  }
  const program = {
    id: deps.ids.next(),
    name: request.name,
    kind: request.kind,
    startsOn: request.startsOn ?? null,
    endsOn: request.endsOn ?? null,
    createdAt: deps.clock.now().toISOString(),
  };
  await inTransaction(deps.store, async (trx) => {
    await createProgramStore(trx).insertProgram(scope, program);
    await writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
      ...actorOf(principal),
      action: 'program.create',
      outcome: 'success',
      subjectId: program.id,
      details: { kind: program.kind },
    });
  });
  return program;
}

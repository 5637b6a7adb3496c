import { z } from 'zod';
import { newSecret } from '../../crypto/tokens.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createStaffUserStore } from '../../store/staff-user-store.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import { authorizeSystemAction } from '../authorize.js';
import { actorOf, type AppDeps, type Principal, type RequestOrigin } from '../context.js';
import { toStaffUserView, type StaffUserView } from './staff-user-view.js';

/** ASVS 2.1.1/2.1.2: at least 12 characters, at most 128, anything printable allowed. */
export const Password = z.string().min(12).max(128);
export const RoleName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes');

export const CreateStaffUserRequest = z.strictObject({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
  role: RoleName,
  /** Omit to have a strong password generated and returned once. */
  password: Password.optional(),
  mfaRequired: z.boolean().default(false),
});
export type CreateStaffUserRequest = z.input<typeof CreateStaffUserRequest>;

export interface CreatedStaffUser {
  user: StaffUserView;
  /** Present only when the password was generated: shown once, never stored in clear. */
  generatedPassword?: string;
}

export async function createStaffUser(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids' | 'passwords' | 'policies'>,
  principal: Principal,
  organizationId: string,
  request: z.output<typeof CreateStaffUserRequest>,
  origin: RequestOrigin,
): Promise<CreatedStaffUser> {
  const { scope, active } = await authorizeSystemAction(
    { db: deps.store.db, policies: deps.policies },
    principal,
    organizationId,
    'manage-users',
  );
  // Under a policy, accounts get the policy's roles only: a role it does not declare has no
  // permissions, and creating one would be a silent way around it.
  if (active !== undefined && !active.policy.roles.has(request.role)) {
    throw new AppError('VALIDATION_FAILED', 'The role is not declared by the active policy.', {
      details: {
        issues: [
          {
            path: 'role',
            message: `must be one of the active policy's roles: ${[...active.policy.roles.keys()].join(', ')}`,
          },
        ],
      },
    });
  }
  const generatedPassword = request.password === undefined ? newSecret() : undefined;
  const passwordHash = await deps.passwords.hash(request.password ?? generatedPassword ?? '');
  const email = request.email.toLowerCase();
  const audit = { clock: deps.clock, ids: deps.ids, dialect: deps.store.dialect };
  const user = await inTransaction(deps.store, async (trx) => {
    const users = createStaffUserStore(trx);
    if ((await users.findByEmail(scope, email)) !== undefined) {
      throw new AppError('CONFLICT', 'A staff account with this e-mail address already exists.', {
        details: { issues: [{ path: 'email', message: 'already in use in this organisation' }] },
      });
    }
    const id = deps.ids.next();
    await users.insert(scope, {
      id,
      email,
      displayName: request.displayName,
      role: request.role,
      passwordHash,
      mfaRequired: request.mfaRequired,
      createdAt: deps.clock.now().toISOString(),
    });
    await writeAuditEvent(audit, trx, scope, origin, {
      ...actorOf(principal),
      action: 'staff.create',
      outcome: 'success',
      subjectId: id,
      details: { role: request.role },
    });
    return users.findById(scope, id);
  });
  if (user === undefined) {
    throw new Error('staff user vanished inside its own transaction');
  }
  return generatedPassword === undefined
    ? { user: toStaffUserView(user) }
    : { user: toStaffUserView(user), generatedPassword };
}

/**
 * A signed-in user creating an org for themself (`POST /api/orgs`). Instance admins always may;
 * anyone else only while the instance's sign-up mode is `open`, and only on the free plan: the
 * plan is the instance admin's decision, never the org owner's.
 */
import type { ActionContext } from '../audit/context.js';
import type { SessionPrincipal } from '../auth/principal.js';
import { isUniqueViolation } from '../credentials/db-errors.js';
import type { OrgPlan } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { forbidden, HttpError } from '../http/errors.js';
import { readSignupMode } from './instance-settings.js';
import { isInstanceAdmin } from './instance.js';
import { createOrganization, findOrganizationId } from './organizations.js';

const nameTaken = () =>
  new HttpError(
    409,
    'invalid_request_error',
    'org_name_taken',
    'An organization with this name already exists (names are case-insensitive). Choose another.',
  );

export async function createOrgForUser(
  db: ScopedDatabase,
  principal: SessionPrincipal,
  input: { name: string; plan: OrgPlan },
  ctx: ActionContext,
): Promise<string> {
  // Read again rather than trusting the principal alone: both are from this request, but the
  // database is the authority on who is an admin and which mode is set.
  const { admin, mode } = await db.withRole(async (tx) => ({
    admin: await isInstanceAdmin(tx, principal.userId),
    mode: await readSignupMode(tx),
  }));
  if (!admin && mode !== 'open')
    throw forbidden(
      'Creating organizations is open to instance administrators only on this instance. Ask one for an invitation.',
      'org_creation_closed',
    );
  if (!admin && input.plan !== 'free')
    throw forbidden('Only an instance administrator may choose a plan other than free.', 'plan_requires_instance_admin');
  if ((await findOrganizationId(db, input.name)) !== undefined) throw nameTaken();
  try {
    return await createOrganization(
      db,
      { name: input.name, plan: input.plan, owner: { userId: principal.userId, email: principal.email } },
      ctx,
    );
  } catch (error) {
    // Two requests raced past the look-up above: the unique index decides.
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

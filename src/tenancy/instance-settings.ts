/** The instance-wide settings row (migration 0016 creates it; only instance admins change it). */
import { eq } from 'drizzle-orm';
import { instanceSettings, SIGNUP_MODES, type SignupMode } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';

/** invite_only when the row is missing or holds an unknown value: closed is the safe reading. */
export async function readSignupMode(tx: DbOrTx): Promise<SignupMode> {
  const [row] = await tx
    .select({ signupMode: instanceSettings.signupMode })
    .from(instanceSettings)
    .where(eq(instanceSettings.id, true))
    .limit(1);
  const mode = row?.signupMode;
  return mode !== undefined && (SIGNUP_MODES as readonly string[]).includes(mode) ? mode : 'invite_only';
}

import type { Principal } from '../auth/principal.js';
import type { AppEnv } from '../http/types.js';

/** Per-request variables of the api: the shared ones plus the authenticated principal (absent on public routes). */
export type ApiEnv = { Variables: AppEnv['Variables'] & { principal: Principal | undefined } };

/** Every rule, in one table. Order does not matter: overlaps are settled by priority. */
import type { SecretRule } from '../rule.js';
import { AI_RULES } from './ai.js';
import { CLOUD_RULES } from './cloud.js';
import { CODE_CREDENTIAL_RULES } from './code-credentials.js';
import { COMMS_RULES } from './comms.js';
import { CONFIG_CREDENTIAL_RULES } from './config-credentials.js';
import { CRYPTO_RULES } from './crypto.js';
import { DEVTOOLS_RULES } from './devtools.js';
import { GENERIC_RULES } from './generic.js';
import { PAYMENTS_RULES } from './payments.js';
import { PROSE_PASSWORD_RULES } from './prose-password.js';

export const SECRET_RULES: readonly SecretRule[] = [
  ...AI_RULES,
  ...CLOUD_RULES,
  ...DEVTOOLS_RULES,
  ...COMMS_RULES,
  ...PAYMENTS_RULES,
  ...CRYPTO_RULES,
  ...GENERIC_RULES,
  ...CONFIG_CREDENTIAL_RULES,
  ...CODE_CREDENTIAL_RULES,
  ...PROSE_PASSWORD_RULES,
];

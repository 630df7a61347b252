import type { VariableName } from '../config/variables.js';
import { registerSecret } from '../logging/secret-registry.js';

/**
 * Tells the log scrubber about a (new) secret value before anything else sees it: the whole value,
 * each entry of a key list, and the password inside a connection URL, which drivers may print alone.
 */
export function registerSecretValue(name: VariableName, value: string): void {
  registerSecret(value);
  if (name === 'MASTER_KEY_PREVIOUS') for (const entry of value.split(',')) registerSecret(entry.trim());
  if ((name === 'DATABASE_URL' || name === 'REDIS_URL') && URL.canParse(value)) {
    const password = new URL(value).password;
    if (password) {
      registerSecret(password);
      registerSecret(decodeURIComponent(password));
    }
  }
}

/**
 * AUTH_SECRET_PREVIOUS: the values AUTH_SECRET had before a rotation, newest first. They only read
 * what was made with them (two-factor secrets, recovery codes, audit checkpoints); nothing is
 * signed or issued with them.
 */
import { registerSecret } from '../logging/secret-registry.js';
import { MIN_AUTH_SECRET_LENGTH } from './secret-strength.js';

export function parsePreviousAuthSecrets(value: string | undefined, current: string | undefined, problems: string[]): string[] {
  const secrets: string[] = [];
  for (const [index, entry] of (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    // Each value alone is a secret too: one of them may show up without its neighbours.
    registerSecret(entry);
    const where = `AUTH_SECRET_PREVIOUS (entry ${index + 1})`;
    if (entry.length < MIN_AUTH_SECRET_LENGTH) problems.push(`${where}: expected at least ${MIN_AUTH_SECRET_LENGTH} characters`);
    else if (entry === current) problems.push(`${where}: this is AUTH_SECRET itself; list only the values it had before`);
    else if (secrets.includes(entry)) problems.push(`${where}: listed twice`);
    else secrets.push(entry);
  }
  return secrets;
}

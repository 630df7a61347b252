/**
 * better-auth's secrets when AUTH_SECRET has been rotated (AUTH_SECRET_PREVIOUS). better-auth
 * encrypts two-factor secrets and backup codes with its secret; given a `secrets` list it writes
 * each payload as `$ba$<version>$…` under the first and reads it under the version it names, so
 * what an earlier secret encrypted still opens. Cookies are signed with the first only.
 *
 * A secret's version is derived from the secret itself: it stays the same however the list is
 * reordered or shortened across rotations. Payloads written before versions existed (bare hex)
 * were encrypted under the secret of their time, the oldest one listed, which better-auth takes
 * as its legacy `secret`.
 */
import { createHmac } from 'node:crypto';

export function secretVersion(secret: string): number {
  return Number.parseInt(createHmac('sha256', secret).update('portcullis:better-auth-secret-version').digest('hex').slice(0, 7), 16);
}

export function betterAuthSecrets(
  current: string,
  previous: readonly string[],
): { secret: string; secrets: { version: number; value: string }[] } {
  const all = [current, ...previous];
  return { secret: all.at(-1)!, secrets: all.map((value) => ({ version: secretVersion(value), value })) };
}

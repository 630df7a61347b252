import { sha256Hex } from '../crypto/hash.js';
import { randomTokenBase64Url } from '../crypto/random.js';
import { issueSetupToken } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { instanceAdmins } from '../db/schema/index.js';

export const SETUP_TOKEN_TTL_MS = 60 * 60 * 1000;

export function hashSetupToken(token: string): string {
  return sha256Hex(`portcullis setup token v1:${token}`);
}

export async function instanceHasAdmin(db: ScopedDatabase): Promise<boolean> {
  const rows = await db.withRole((tx) => tx.select({ userId: instanceAdmins.userId }).from(instanceAdmins).limit(1));
  return rows.length > 0;
}

/**
 * On a start with no instance admin: a fresh single-use token, valid for one hour, whose hash is
 * stored (older unused links stop working). The token travels in the URL fragment, which browsers
 * never send to servers, so it stays out of access logs, proxies and Referer headers.
 */
export async function issueSetupLink(
  db: ScopedDatabase,
  publicUrl: string,
  ctx: ActionContext,
  now = new Date(),
): Promise<{ url: string; expiresAt: Date } | undefined> {
  const token = randomTokenBase64Url(32);
  const expiresAt = new Date(now.getTime() + SETUP_TOKEN_TTL_MS);
  const issued = await db.withRole(async (tx) => {
    const ok = await issueSetupToken(tx, hashSetupToken(token), expiresAt);
    if (ok)
      await recordAudit(tx, {
        orgId: null,
        actor: ctx.actor,
        requestId: ctx.requestId,
        action: 'instance.setup_link_issued',
        target: null,
        diff: { expiresAt: expiresAt.toISOString() },
      });
    return ok;
  });
  return issued ? { url: `${publicUrl}/setup#token=${token}`, expiresAt } : undefined;
}

/**
 * Wraps better-auth's adapter for the `passkey` model, so what the passkey plugin writes is
 * audited and tracked in the same transaction as the write:
 * - a new passkey (verify-registration) records `passkey.added`;
 * - a successful passkey sign-in (the plugin's counter update, which happens only after the
 *   assertion verified) stamps `last_used_at`, a Portcullis column the plugin does not know.
 * Renaming and removal go through `/api/me/passkeys` (passkeys.ts), not the plugin.
 */
import { eq } from 'drizzle-orm';
import type { DBAdapter } from '@better-auth/core/db/adapter';
import { recordAudit } from '../audit/record.js';
import { passkeys } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { identityContext } from './request-context.js';

const PASSKEY = 'passkey';

type PasskeyRow = { id: string; userId: string; name?: string | null; deviceType?: string; backedUp?: boolean };

function isPasskeyRow(value: unknown): value is PasskeyRow {
  return typeof value === 'object' && value !== null && 'id' in value && 'userId' in value && 'credentialID' in value;
}

export function trackPasskeys(
  adapter: DBAdapter,
  options: {
    db: ScopedDatabase;
    now?: () => Date;
    /** Called once the new passkey is committed (the security notice; security-notices.ts). */
    onAdded?: (passkey: { userId: string; name: string | null }) => void;
  },
): DBAdapter {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const tracked: DBAdapter = {
    ...adapter,
    async create(args) {
      if (args.model !== PASSKEY) return adapter.create(args);
      const created = await db.withRole(async (tx) => {
        const row = await adapter.create(args);
        if (!isPasskeyRow(row)) throw new Error('the passkey adapter returned no passkey row');
        const context = identityContext();
        await recordAudit(tx, {
          orgId: null,
          actor: { type: 'user', id: row.userId, ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null },
          requestId: context?.requestId ?? null,
          action: 'passkey.added',
          target: { type: 'passkey', id: row.id },
          diff: { deviceType: row.deviceType ?? null, backedUp: row.backedUp ?? null },
          personal: { name: row.name ?? null },
        });
        return row;
      });
      options.onAdded?.({ userId: created.userId, name: created.name ?? null });
      return created as never;
    },
    async update<T>(args: Parameters<DBAdapter['update']>[0]) {
      if (args.model !== PASSKEY || !('counter' in args.update)) return adapter.update<T>(args);
      const id = args.where.find((w) => w.field === 'id' && (w.operator ?? 'eq') === 'eq')?.value;
      return db.withRole(async (tx) => {
        const row = await adapter.update<T>(args);
        if (typeof id === 'string') await tx.update(passkeys).set({ lastUsedAt: now() }).where(eq(passkeys.id, id));
        return row;
      });
    },
    transaction: (callback) => callback(tracked),
  };
  return tracked;
}

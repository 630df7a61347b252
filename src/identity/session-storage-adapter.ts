/**
 * Wraps better-auth's adapter so the `session` model is stored safely. better-auth 1.7.6 keeps
 * `session.token` in clear and has no option to hash it; here every token written is replaced by
 * its keyed hash, and every `where` on the token is rewritten to the hash, so better-auth works
 * unchanged while the table holds nothing usable as a cookie.
 *
 * Also here, because this is the one place every session read passes through:
 * - absolute expiry: a session older than SESSION_MAX_AGE is not found, however recently it was
 *   used (better-auth only knows the sliding `expiresAt`);
 * - the client address and user agent come from Portcullis's own request context (TRUST_PROXY
 *   aware), not from better-auth's reading of X-Forwarded-For;
 * - sign-in (`auth.login`) and, where the request says so, sign-out (`auth.logout`) are audited
 *   in the same transaction as the session row they create or delete.
 */
import type { DBAdapter, Where } from '@better-auth/core/db/adapter';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import { users } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { identityContext, type IdentityRequestContext } from './request-context.js';
import type { SessionTokenHasher } from './session-token-hash.js';

export type SessionStorageOptions = {
  db: ScopedDatabase;
  hashToken: SessionTokenHasher;
  maxAgeSeconds: number;
  now?: () => Date;
};

type SessionRow = { id: string; token: string; userId: string; createdAt: Date; expiresAt: Date; ipAddress?: string | null };

const SESSION = 'session';

function isSessionRow(value: unknown): value is SessionRow {
  return typeof value === 'object' && value !== null && 'token' in value && 'createdAt' in value && 'userId' in value;
}

/**
 * Whether a new session is a sign-in to audit: not when it replaces the current one (two-factor
 * turned on or off), nor when it is the first factor of a two-factor user (the plugin deletes it
 * and the session granted after the code is the sign-in).
 */
export async function isSignIn(tx: Tx, userId: string, context: IdentityRequestContext | undefined): Promise<boolean> {
  if (context?.sessionRotation === true) return false;
  if (context?.firstFactor !== true) return true;
  const [user] = await tx.select({ twoFactorEnabled: users.twoFactorEnabled }).from(users).where(eq(users.id, userId)).limit(1);
  return user?.twoFactorEnabled !== true;
}

export function protectSessions(adapter: DBAdapter, options: SessionStorageOptions): DBAdapter {
  const { db, hashToken } = options;
  const now = options.now ?? (() => new Date());
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const tooOld = (row: SessionRow) => new Date(row.createdAt).getTime() + maxAgeMs <= now().getTime();

  /** Rewrites conditions on the token to conditions on its hash; refuses anything else on it. */
  function hashedWhere(where: Where[] | undefined): Where[] | undefined {
    return where?.map((clause) => {
      if (clause.field !== 'token') return clause;
      const operator = clause.operator ?? 'eq';
      if ((operator === 'eq' || operator === 'ne') && typeof clause.value === 'string')
        return { ...clause, value: hashToken(clause.value) };
      if ((operator === 'in' || operator === 'not_in') && Array.isArray(clause.value))
        return { ...clause, value: clause.value.map((v) => hashToken(String(v))) };
      // A prefix or pattern match on a hash means nothing: fail loudly rather than match wrongly.
      throw new Error(`session token lookups support eq, ne, in and not_in only (got ${operator})`);
    });
  }

  /** The raw token a lookup named, to hand back in place of the stored hash (better-auth compares them). */
  function namedToken(where: Where[] | undefined): string | undefined {
    const clause = where?.find((w) => w.field === 'token' && (w.operator ?? 'eq') === 'eq');
    return typeof clause?.value === 'string' ? clause.value : undefined;
  }

  function withToken<T>(row: T, token: string | undefined): T {
    return isSessionRow(row) && token !== undefined ? { ...row, token } : row;
  }

  async function deleteAudited(kind: 'delete' | 'deleteMany', where: Where[]): Promise<number> {
    const action = identityContext()?.sessionDeleteAction;
    const hashed = hashedWhere(where)!;
    if (action === undefined) {
      if (kind === 'delete') {
        await adapter.delete({ model: SESSION, where: hashed });
        return 1;
      }
      return adapter.deleteMany({ model: SESSION, where: hashed });
    }
    // One transaction: the rows, their deletion and the audit events commit together.
    return db.withRole(async (tx) => {
      const rows = await adapter.findMany<SessionRow>({ model: SESSION, where: hashed });
      const count = await adapter.deleteMany({ model: SESSION, where: hashed });
      const context = identityContext();
      for (const row of rows)
        await recordAudit(tx, {
          orgId: null,
          actor: { type: 'user', id: row.userId, ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null },
          requestId: context?.requestId ?? null,
          action,
          target: { type: 'session', id: row.id },
        });
      return count;
    });
  }

  const protectedAdapter: DBAdapter = {
    ...adapter,
    async create(args) {
      if (args.model !== SESSION) return adapter.create(args);
      const data = args.data as Record<string, unknown>;
      const token = typeof data.token === 'string' ? data.token : undefined;
      if (token === undefined) throw new Error('a session is being created without a token');
      const context = identityContext();
      const createdAt = data.createdAt instanceof Date ? data.createdAt : now();
      const absoluteEnd = new Date(createdAt.getTime() + maxAgeMs);
      const expiresAt = data.expiresAt instanceof Date && data.expiresAt < absoluteEnd ? data.expiresAt : absoluteEnd;
      const stored = {
        ...data,
        token: hashToken(token),
        expiresAt,
        ...(context ? { ipAddress: context.clientIp ?? '', userAgent: context.userAgent ?? '' } : {}),
      };
      return db.withRole(async (tx) => {
        const row = await adapter.create({ ...args, data: stored });
        if (isSessionRow(row) && (await isSignIn(tx, row.userId, context)))
          await recordAudit(tx, {
            orgId: null,
            actor: { type: 'user', id: row.userId, ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null },
            requestId: context?.requestId ?? null,
            action: 'auth.login',
            target: { type: 'session', id: row.id },
          });
        return withToken(row, token) as never;
      });
    },
    async findOne<T>(args: Parameters<DBAdapter['findOne']>[0]) {
      if (args.model !== SESSION) return adapter.findOne<T>(args);
      const row = await adapter.findOne<T>({ ...args, where: hashedWhere(args.where)! });
      if (isSessionRow(row) && tooOld(row)) return null;
      return withToken(row, namedToken(args.where));
    },
    async findMany<T>(args: Parameters<DBAdapter['findMany']>[0]) {
      if (args.model !== SESSION) return adapter.findMany<T>(args);
      const rows = await adapter.findMany<T>({ ...args, where: hashedWhere(args.where) });
      return rows.filter((row) => !(isSessionRow(row) && tooOld(row)));
    },
    async count(args) {
      return adapter.count(args.model === SESSION ? { ...args, where: hashedWhere(args.where) } : args);
    },
    async update<T>(args: Parameters<DBAdapter['update']>[0]) {
      if (args.model !== SESSION) return adapter.update<T>(args);
      const update = typeof args.update.token === 'string' ? { ...args.update, token: hashToken(args.update.token) } : args.update;
      const row = await adapter.update<T>({ ...args, where: hashedWhere(args.where)!, update });
      return withToken(row, typeof args.update.token === 'string' ? args.update.token : namedToken(args.where));
    },
    async updateMany(args) {
      if (args.model !== SESSION) return adapter.updateMany(args);
      const update = typeof args.update.token === 'string' ? { ...args.update, token: hashToken(args.update.token) } : args.update;
      return adapter.updateMany({ ...args, where: hashedWhere(args.where)!, update });
    },
    async delete(args) {
      if (args.model !== SESSION) return adapter.delete(args);
      await deleteAudited('delete', args.where);
    },
    async deleteMany(args) {
      if (args.model !== SESSION) return adapter.deleteMany(args);
      return deleteAudited('deleteMany', args.where);
    },
    async consumeOne(args) {
      return adapter.consumeOne(args.model === SESSION ? { ...args, where: hashedWhere(args.where)! } : args);
    },
    async incrementOne(args) {
      return adapter.incrementOne(args.model === SESSION ? { ...args, where: hashedWhere(args.where)! } : args);
    },
    transaction: (callback) => callback(protectedAdapter),
  };
  return protectedAdapter;
}

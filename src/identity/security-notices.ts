/**
 * Security notices: mails telling a user that something changed on their account, so that someone
 * whose account was taken over learns about it. Three events:
 *
 * - a passkey was added (passkey-storage-adapter.ts, after the row is stored);
 * - two-factor was turned on or off (two-factor.ts, after the change is audited);
 * - a sign-in from a new location: any successful sign-in (password, passkey, sign-in provider,
 *   recovery code, second factor), from a client network and browser pair the account never
 *   signed in from before (auth.ts: better-auth's session `create.after` hook).
 *
 * "Location" is the client address's network (IPv4 /24, IPv6 /64: a home or office keeps it while
 * single addresses rotate) and the user agent without its version numbers (a browser update is not
 * a new device). Each account's known locations are kept as keyed hashes (no addresses in clear),
 * with the time each was last used, in one row of better-auth's `verifications` table
 * (`sign-in-locations:<user id>`), at most MAX_LOCATIONS, the least recently used dropped first.
 * That row outlives sessions (which are deleted on expiry), and the api role may read it (it may
 * not read the instance audit chain). An account without that row is signing in for the first
 * time since this was deployed: nothing to compare with, so no notice, only the record.
 *
 * Mail goes out in the background: a notice never delays or fails what it reports on, and a
 * failed delivery is logged (without the mail's content). Nothing is sent when no mailer is
 * configured (production without SMTP).
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import { deriveKey } from '../crypto/derive-key.js';
import { randomTokenBase64Url } from '../crypto/random.js';
import { users, verifications } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import type { Mailer } from '../email/mailer.js';
import { newPasskeyMail, newSignInMail, twoFactorChangedMail, type RenderedMail } from '../email/templates.js';
import { identityContext, type IdentityRequestContext } from './request-context.js';
import { isSignIn } from './session-storage-adapter.js';

/** Known locations kept per account; a traveller's 51st network evicts the one unused longest. */
export const MAX_LOCATIONS = 50;
/** The record is kept as long as the account: the expiry only satisfies the table's NOT NULL. */
const RECORD_LIFETIME_MS = 100 * 365 * 24 * 3600 * 1000;
const IDENTIFIER_PREFIX = 'sign-in-locations:';

const locationsRecord = z.object({
  v: z.literal(1),
  seen: z.array(z.object({ h: z.string(), t: z.number() })),
});
type LocationsRecord = z.infer<typeof locationsRecord>;

export type SecurityNoticesDeps = {
  db: ScopedDatabase;
  /** Absent or `disabled`: locations are still recorded, no mail is sent. */
  mailer: Mailer | undefined;
  logger: Logger;
  authSecret: string;
  now?: () => Date;
};

export type SignInInput = {
  userId: string;
  /** How the user signed in, for the mail ("Password", "Passkey", …). */
  method: string;
  /** The request context of the sign-in; the current one when omitted. */
  context?: IdentityRequestContext | undefined;
};

export interface SecurityNotices {
  /** Mails "a passkey was added" in the background. Never throws. */
  passkeyAdded(input: { userId: string; passkeyName: string | null; context?: IdentityRequestContext | undefined }): void;
  /** Mails "two-factor turned on/off" in the background. Never throws. */
  twoFactorChanged(input: { userId: string; enabled: boolean; context?: IdentityRequestContext | undefined }): void;
  /**
   * A session was created. If it is a sign-in, records its location and, when the account signed
   * in before but never from there, mails a notice in the background. Never throws; the record is
   * written before this resolves, so the next sign-in compares with it.
   */
  sessionCreated(input: SignInInput): Promise<void>;
}

/** The network part of an address: IPv4 /24, IPv6 /64 (IPv4-mapped IPv6 as IPv4). */
export function networkOf(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const bare = ip.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare)?.[1];
  const v4 = mapped ?? bare;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(bare)) return 'unknown';
  const [head = '', tail = ''] = bare.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = bare.includes('::') && tail ? tail.split(':') : [];
  // An embedded IPv4 tail (e.g. 64:ff9b::1.2.3.4) lies past the first 64 bits: irrelevant here.
  const groups = bare.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? g.replace(/^0+(?=.)/, '') : '0'))
    .join(':')}::/64`;
}

/** The browser without version numbers: an update does not make it a new device. */
export function browserOf(userAgent: string | null | undefined): string {
  if (!userAgent) return 'unknown';
  return userAgent
    .slice(0, 500)
    .replace(/\d+(?:[._]\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Readable name of the better-auth endpoint that created the session. */
export function signInMethodOf(path: string | undefined, providerId?: string): string {
  if (path === undefined) return 'unknown';
  if (path.includes('passkey')) return 'Passkey';
  if (path.includes('recovery-code')) return 'Recovery code';
  if (path.includes('verify-totp')) return 'Password and authenticator code';
  if (path.includes('verify-backup-code')) return 'Password and backup code';
  if (path.includes('callback')) return providerId ? `Single sign-on (${providerId})` : 'Single sign-on';
  if (path.includes('sign-in/email')) return 'Password';
  return 'unknown';
}

function parseRecord(value: string): LocationsRecord {
  try {
    const parsed = locationsRecord.safeParse(JSON.parse(value));
    if (parsed.success) return parsed.data;
  } catch {
    // A corrupt record is replaced: the worst outcome is one extra notice.
  }
  return { v: 1, seen: [] };
}

/**
 * Records a sign-in location; answers whether to notify: not for the account's first recorded
 * sign-in, not for a known location. Serialised per account (advisory lock), so two concurrent
 * sign-ins cannot drop each other's record.
 */
async function recordLocation(tx: Tx, userId: string, locationHash: string, now: Date): Promise<boolean> {
  const identifier = `${IDENTIFIER_PREFIX}${userId}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${identifier}))`);
  const [row] = await tx
    .select({ id: verifications.id, value: verifications.value })
    .from(verifications)
    .where(eq(verifications.identifier, identifier))
    .limit(1);
  const record = row ? parseRecord(row.value) : { v: 1 as const, seen: [] };
  const known = record.seen.some((entry) => entry.h === locationHash);
  const seen = [{ h: locationHash, t: now.getTime() }, ...record.seen.filter((entry) => entry.h !== locationHash)]
    .sort((a, b) => b.t - a.t)
    .slice(0, MAX_LOCATIONS);
  const value = JSON.stringify({ v: 1, seen } satisfies LocationsRecord);
  const expiresAt = new Date(now.getTime() + RECORD_LIFETIME_MS);
  if (row) await tx.update(verifications).set({ value, expiresAt, updatedAt: now }).where(eq(verifications.id, row.id));
  else
    await tx.insert(verifications).values({ id: randomTokenBase64Url(16), identifier, value, expiresAt, createdAt: now, updatedAt: now });
  return row !== undefined && !known;
}

export function createSecurityNotices(deps: SecurityNoticesDeps): SecurityNotices {
  const now = deps.now ?? (() => new Date());
  const locationKey = deriveKey(deps.authSecret, 'sign-in-location');
  const mailer = deps.mailer !== undefined && deps.mailer.mode !== 'disabled' ? deps.mailer : undefined;

  /** Looks up the address and sends, in the background; logs failures without the mail's content. */
  function mailUser(userId: string, kind: string, render: () => RenderedMail): void {
    if (mailer === undefined) return;
    const send = async () => {
      const [user] = await deps.db.withRole((tx) => tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1));
      if (user === undefined) return;
      await mailer.send({ to: user.email, ...render() });
    };
    send().catch((err: unknown) => deps.logger.error({ err, userId, notice: kind }, 'security notice could not be sent'));
  }

  return {
    passkeyAdded({ userId, passkeyName, context = identityContext() }) {
      const when = now();
      mailUser(userId, 'new_passkey', () =>
        newPasskeyMail({ passkeyName: passkeyName ?? 'unnamed', when, ip: context?.clientIp, userAgent: context?.userAgent }),
      );
    },
    twoFactorChanged({ userId, enabled, context = identityContext() }) {
      const when = now();
      mailUser(userId, enabled ? 'two_factor_enabled' : 'two_factor_disabled', () =>
        twoFactorChangedMail({ enabled, when, ip: context?.clientIp }),
      );
    },
    async sessionCreated({ userId, method, context = identityContext() }) {
      const when = now();
      try {
        const hash = createHmac('sha256', locationKey)
          .update(`${networkOf(context?.clientIp)}\n${browserOf(context?.userAgent)}`, 'utf8')
          .digest('base64url');
        const notify = await deps.db.withRole(async (tx) => {
          // Not a sign-in: a session replaced when two-factor changes, or the first factor of a
          // two-factor sign-in (the session granted after the code is the sign-in).
          if (!(await isSignIn(tx, userId, context))) return false;
          return recordLocation(tx, userId, hash, when);
        });
        if (notify)
          mailUser(userId, 'new_sign_in', () => newSignInMail({ when, method, ip: context?.clientIp, userAgent: context?.userAgent }));
      } catch (err) {
        // The sign-in stands; only the notice is lost.
        deps.logger.error({ err, userId }, 'sign-in location could not be checked');
      }
    },
  };
}

/**
 * Personal data inside audit events, sealed under a key of the person it is about (crypto-
 * shredding). Each user gets one random AES-256 key (`user_data_keys`, wrapped by the master key)
 * the first time an event about them is written; the actor's IP and user agent, and the personal
 * fields of the diff (an email address, a name), are stored as `pd1:<user id>:<AES-GCM sealed
 * value, base64url>`. Erasing the account deletes the key: those values can never be opened
 * again, the events keep their pseudonymous user id, and because the stored bytes do not change
 * the hash chain still verifies.
 *
 * A personal value about nobody with an account (an invitee who has not signed up) has no key
 * to be sealed under: it is stored as a keyed hash `h1:<hex>` instead, so an auditor holding the
 * instance's master key can still check "was this address invited?" without the address being
 * readable in the database.
 */
import { hkdfSync } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { encodeAad } from '../crypto/aad.js';
import { DecryptionError, openAesGcm, sealAesGcm } from '../crypto/aead.js';
import { generateDataKey } from '../crypto/envelope.js';
import { hmacSha256 } from '../crypto/hash.js';
import { activeMasterKeyId, rewrapKey, unwrapKey, wrapKey } from '../crypto/keyring-wrap.js';
import type { WrapContext } from '../crypto/kms/key-wrapper.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { MasterKey } from '../crypto/master-key.js';
import { userDataKeys } from '../db/schema/index.js';
import { keyringOf } from '../db/tx-keyring.js';
import type { Tx } from '../db/types.js';

const SEALED_PREFIX = 'pd1:';
const HASHED_PREFIX = 'h1:';
const USER_KEY_LABEL = 'portcullis/user-data-key/v1';
const VALUE_LABEL = 'portcullis/audit-personal/v1';
// Better-auth ids are url-safe random strings; anything else in a user id would make the sealed
// value's prefix ambiguous.
const USER_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The unwrapped keys of the users whose data one transaction reads or writes. */
export type UserKeys = Map<string, Buffer>;

function userKeyContext(userId: string): WrapContext {
  return [
    ['purpose', USER_KEY_LABEL],
    ['userId', userId],
  ];
}

function userKeyAad(userId: string): Buffer {
  return encodeAad(userKeyContext(userId).map(([, value]) => value));
}

function valueAad(userId: string, field: string): Buffer {
  return encodeAad([VALUE_LABEL, userId, field]);
}

export function wrapUserKey(master: MasterKey, userId: string, key: Buffer): Buffer {
  return sealAesGcm(master.key, key, userKeyAad(userId));
}

export function unwrapUserKey(master: MasterKey, userId: string, wrapped: Buffer): Buffer {
  const key = openAesGcm(master.key, wrapped, userKeyAad(userId));
  if (key.length !== 32) throw new DecryptionError();
  return key;
}

/** Local or KMS, whichever wrapped it; the local format is the one wrapUserKey writes. */
function unwrapRow(keyring: MasterKeyring, row: typeof userDataKeys.$inferSelect): Promise<Buffer> {
  return unwrapKey(keyring, row.masterKeyId, row.wrappedKey, userKeyContext(row.userId));
}

/**
 * The user's key, created on first use; undefined when no such account exists (any more). Two
 * first writes for one user at once both insert: the primary key keeps one, `on conflict do
 * nothing` lets the other read it.
 */
export async function userKeyFor(tx: Tx, keyring: MasterKeyring, userId: string): Promise<Buffer | undefined> {
  if (!USER_ID.test(userId)) return undefined;
  const existing = await userKeyRow(tx, userId);
  if (existing) return unwrapRow(keyring, existing);
  // Only a user without a key gets one wrapped: with a KMS that is a remote call, once per user.
  const fresh = generateDataKey();
  const { masterKeyId, wrapped } = await wrapKey(keyring, fresh, userKeyContext(userId)).finally(() => fresh.fill(0));
  await tx.execute(sql`insert into user_data_keys (user_id, master_key_id, wrapped_key)
    select ${userId}, ${masterKeyId}, ${wrapped} where exists (select 1 from users where id = ${userId})
    on conflict do nothing`);
  const row = await userKeyRow(tx, userId);
  return row ? unwrapRow(keyring, row) : undefined;
}

async function userKeyRow(tx: Tx, userId: string): Promise<typeof userDataKeys.$inferSelect | undefined> {
  const [row] = await tx
    .select()
    .from(userDataKeys)
    .where(sql`${userDataKeys.userId} = ${userId}`);
  return row;
}

/** The keys of these users that still exist; an erased user's is simply absent. */
export async function loadUserKeys(tx: Tx, keyring: MasterKeyring, userIds: Iterable<string>): Promise<UserKeys> {
  const ids = [...new Set(userIds)].filter((id) => USER_ID.test(id));
  const keys: UserKeys = new Map();
  if (ids.length === 0) return keys;
  const rows = await tx.select().from(userDataKeys).where(inArray(userDataKeys.userId, ids));
  for (const row of rows) keys.set(row.userId, await unwrapRow(keyring, row));
  return keys;
}

export function sealPersonal(key: Buffer, userId: string, field: string, value: string): string {
  const sealed = sealAesGcm(key, Buffer.from(value, 'utf8'), valueAad(userId, field));
  return `${SEALED_PREFIX}${userId}:${sealed.toString('base64url')}`;
}

/** A keyed hash for a personal value about no account (see the module comment). */
export function hashUnlinkedPersonal(keyring: MasterKeyring, value: string): string {
  const key = Buffer.from(hkdfSync('sha256', keyring.hashSecret, Buffer.alloc(0), Buffer.from('portcullis:audit-unlinked-personal'), 32));
  return `${HASHED_PREFIX}${hmacSha256(key, value.trim().toLowerCase()).toString('hex')}`;
}

/** The user a sealed value belongs to, or undefined when the value is not sealed. */
export function sealedOwner(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(SEALED_PREFIX)) return undefined;
  const end = value.indexOf(':', SEALED_PREFIX.length);
  return end > SEALED_PREFIX.length ? value.slice(SEALED_PREFIX.length, end) : undefined;
}

export type Revealed = { value: string | null; erased: boolean };

/**
 * Opens a stored value: plain values (events written without personal data, or by system actors)
 * pass through; a sealed one is opened with its owner's key, or reported erased when that key is
 * gone. A value that does not open with its owner's key is tampering, not erasure: it throws.
 */
export function revealPersonal(keys: UserKeys, field: string, value: string | null): Revealed {
  const owner = sealedOwner(value);
  if (owner === undefined || value === null) return { value, erased: false };
  const key = keys.get(owner);
  if (!key) return { value: null, erased: true };
  const sealed = Buffer.from(value.slice(SEALED_PREFIX.length + owner.length + 1), 'base64url');
  return { value: openAesGcm(key, sealed, valueAad(owner, field)).toString('utf8'), erased: false };
}

/** The users whose keys a batch of stored events needs: owners of sealed IPs, user agents and diff values. */
export function sealedOwnersOf(rows: Iterable<{ actorIp: string | null; userAgent: string | null; diff: unknown }>): Set<string> {
  const owners = new Set<string>();
  const add = (value: unknown) => {
    const owner = sealedOwner(value);
    if (owner) owners.add(owner);
  };
  for (const row of rows) {
    add(row.actorIp);
    add(row.userAgent);
    if (row.diff && typeof row.diff === 'object') for (const value of Object.values(row.diff)) add(value);
  }
  return owners;
}

/** The diff with its sealed values opened (null where the owner was erased). */
export function revealDiff(keys: UserKeys, diff: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!diff) return diff;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(diff))
    out[name] = typeof value === 'string' && sealedOwner(value) ? revealPersonal(keys, `diff.${name}`, value).value : value;
  return out;
}

type StoredPersonal = { actorIp: string | null; userAgent: string | null; diff: Record<string, unknown> | null };

/**
 * Stored events as a reader should see them: sealed values opened with their owners' keys (one
 * query per batch), erased ones null. Rows without sealed values come back untouched.
 */
export async function revealEvents<T extends StoredPersonal>(tx: Tx, rows: readonly T[], options: { onlyOf?: string } = {}): Promise<T[]> {
  const owners = sealedOwnersOf(rows);
  // A person's own archive opens only their own values: what an event says about someone else stays closed.
  if (options.onlyOf !== undefined) for (const owner of owners) if (owner !== options.onlyOf) owners.delete(owner);
  if (owners.size === 0 && options.onlyOf === undefined) return [...rows];
  const keyring = keyringOf(tx);
  if (!keyring) throw new Error('audit events with sealed personal data can only be read through a database handle with a master keyring');
  const keys = await loadUserKeys(tx, keyring, owners);
  return rows.map((row) => ({
    ...row,
    actorIp: revealPersonal(keys, 'actor_ip', row.actorIp).value,
    userAgent: revealPersonal(keys, 'user_agent', row.userAgent).value,
    diff: revealDiff(keys, row.diff),
  }));
}

/**
 * `keys rotate-master`: re-wraps every user key not under the active master key, in one
 * transaction (a user key is 60 bytes; even a large instance re-wraps in seconds). The keys
 * themselves do not change, so every sealed value stays readable. Throws UnknownMasterKeyError,
 * changing nothing, when a key is wrapped by a master key this process was not given. With a KMS
 * each key is one remote call inside that transaction. `refresh`: also re-wrap keys already under
 * the active KMS key (to its newest version).
 */
export async function rewrapUserKeys(tx: Tx, keyring: MasterKeyring, options: { refresh?: boolean } = {}): Promise<number> {
  const activeId = activeMasterKeyId(keyring);
  const rows = await tx
    .select()
    .from(userDataKeys)
    .where(options.refresh ? sql`true` : sql`${userDataKeys.masterKeyId} <> ${activeId}`)
    .for('update');
  for (const row of rows) {
    const { masterKeyId, wrapped } = await rewrapKey(keyring, row.masterKeyId, row.wrappedKey, userKeyContext(row.userId));
    await tx
      .update(userDataKeys)
      .set({ masterKeyId, wrappedKey: wrapped })
      .where(sql`${userDataKeys.userId} = ${row.userId}`);
  }
  return rows.length;
}

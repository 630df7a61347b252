/**
 * The embedded data dir belongs to one process at a time (PGlite has no lock of its own, and two
 * writers corrupt it). The holder creates `portcullis.lock` atomically and exclusively (a hard link
 * from a complete temporary file); a lock whose process is gone is stale and taken over, under
 * `portcullis.lock.takeover` so that only one process can take it. CLI commands find the holder
 * here and talk to its loopback admin endpoint instead of opening the database themselves.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { createPrivateFileExclusive } from '../config/private-file.js';

const lockSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  /** Loopback admin endpoint of the holder, once it listens. */
  adminUrl: z.string().nullable(),
});
export type LockInfo = z.infer<typeof lockSchema>;

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The data dir ${dataDir} is in use by another Portcullis process (pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}). ` +
        'Stop it first, or use a different PORTCULLIS_DATA_DIR. CLI commands (bootstrap, migrate, doctor) run through the running server automatically. ' +
        `If that process is gone (a lock from another host cannot be checked from here), delete ${lockPath(dataDir)}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'portcullis.lock');
}

/** Absolute paths of the lock files this process holds. */
const held = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file's text, or undefined when there is no lock file. Other errors (EACCES) are not "no lock". */
function readLockText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    return lockSchema.parse(JSON.parse(text));
  } catch {
    return undefined; // not a lock this version wrote whole: left by a crash or by hand
  }
}

function liveHolder(path: string, info: LockInfo): LockInfo | undefined {
  // On another host (shared volume) the pid means nothing here: assume it is alive.
  if (info.hostname !== hostname()) return info;
  // Our own pid is alive by definition, but the lock is ours only if this process took it: the
  // same pid on the same host is also a crashed earlier run in a restarted container (always pid 1).
  if (info.pid === process.pid) return held.has(resolve(path)) ? info : undefined;
  return processIsAlive(info.pid) ? info : undefined;
}

/** The live holder of the lock, or undefined when there is none or it is stale. */
export function readLockHolder(dataDir: string): LockInfo | undefined {
  const path = lockPath(dataDir);
  const text = readLockText(path);
  const info = text === undefined ? undefined : parseLock(text);
  return info && liveHolder(path, info);
}

const TAKEOVER_TIMEOUT_MS = 5_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a stale lock, holding `<lock>.takeover` (created exclusively) while it checks that the
 * lock is still the one it judged stale. Without it, two processes that both judged the lock stale
 * could each remove "it", the second removing the lock the first had just created, and both would
 * run. Returns false when another process is taking over: look again shortly.
 */
function removeStaleLock(path: string, staleText: string): boolean {
  const mutex = `${path}.takeover`;
  const me: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), adminUrl: null };
  if (!createPrivateFileExclusive(mutex, JSON.stringify(me))) {
    // Left by a process that died in the few instructions between creating and removing it.
    const text = readLockText(mutex);
    const holder = text === undefined ? undefined : parseLock(text);
    if (text !== undefined && !(holder && liveHolder(mutex, holder))) rmSync(mutex, { force: true });
    return false;
  }
  try {
    // Nobody else removes the lock while we hold the mutex, and nobody creates one while it exists.
    if (readLockText(path) === staleText) rmSync(path, { force: true });
  } finally {
    rmSync(mutex, { force: true });
  }
  return true;
}

export type DataDirLock = {
  readonly path: string;
  setAdminUrl(url: string): void;
  release(): void;
};

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = lockPath(dataDir);
  const key = resolve(path);
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), adminUrl: null };
  const ours = (text: string | undefined) => {
    const current = text === undefined ? undefined : parseLock(text);
    return current?.pid === info.pid && current.hostname === info.hostname && current.startedAt === info.startedAt;
  };
  const deadline = Date.now() + TAKEOVER_TIMEOUT_MS;
  for (;;) {
    // Atomic and exclusive: a concurrent reader sees no lock or a whole one, never an empty file.
    if (createPrivateFileExclusive(path, JSON.stringify(info))) {
      held.add(key);
      let released = false;
      return {
        path,
        setAdminUrl(url) {
          if (released) throw new Error(`${path} has been released`);
          info.adminUrl = url;
          // Write-then-rename so a reader never sees a half-written file.
          const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
          writeFileSync(temporary, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
          renameSync(temporary, path);
        },
        release() {
          if (released) return;
          released = true;
          held.delete(key);
          let text: string | undefined;
          try {
            text = readLockText(path);
          } catch {
            return;
          }
          // Only our own lock: never one another process (or host) wrote after ours went away.
          if (ours(text)) rmSync(path, { force: true });
        },
      };
    }
    const text = readLockText(path);
    if (text !== undefined) {
      const existing = parseLock(text);
      const holder = existing && liveHolder(path, existing);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      if (removeStaleLock(path, text)) continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`could not acquire ${path}: another process is taking over its stale lock (if none is, delete ${path}.takeover)`);
    }
    sleepSync(10);
  }
}

/**
 * The embedded data dir belongs to one process at a time (PGlite has no lock of its own, and two
 * writers corrupt it). The holder writes `portcullis.lock` with O_EXCL; a lock whose process is
 * gone is stale and taken over. CLI commands find the holder here and talk to its loopback
 * admin endpoint instead of opening the database themselves.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

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
        'Stop it first, or use a different PORTCULLIS_DATA_DIR. CLI commands (bootstrap, migrate, doctor) run through the running server automatically.',
    );
    this.name = 'DataDirLockedError';
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'portcullis.lock');
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the lock, or undefined when there is none or it is stale. */
export function readLockHolder(dataDir: string): LockInfo | undefined {
  const path = lockPath(dataDir);
  if (!existsSync(path)) return undefined;
  let info: LockInfo;
  try {
    info = lockSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined; // unreadable: written by a crashed process mid-write
  }
  // On another host (shared volume) the pid means nothing here: assume it is alive.
  if (info.hostname !== hostname()) return info;
  if (info.pid === process.pid) return info;
  return processIsAlive(info.pid) ? info : undefined;
}

export type DataDirLock = {
  readonly path: string;
  setAdminUrl(url: string): void;
  release(): void;
};

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), adminUrl: null };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        path,
        setAdminUrl(url) {
          info.adminUrl = url;
          // Write-then-rename so a reader never sees a half-written file.
          writeFileSync(`${path}.tmp`, JSON.stringify(info), { mode: 0o600 });
          renameSync(`${path}.tmp`, path);
        },
        release() {
          if (released) return;
          released = true;
          const holder = readLockHolder(dataDir);
          if (holder?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockHolder(dataDir);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not acquire ${path}`);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, lockPath, readLockHolder, type DataDirLock, type LockInfo } from './data-dir-lock.js';

let root: string;
let dataDir: string;
const locks: DataDirLock[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-lock-test-'));
  dataDir = join(root, 'data');
});

afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function acquire(dir = dataDir): DataDirLock {
  const lock = acquireDataDirLock(dir);
  locks.push(lock);
  return lock;
}

function lockError(dir = dataDir): DataDirLockedError {
  try {
    acquire(dir);
  } catch (error) {
    if (error instanceof DataDirLockedError) return error;
    throw error;
  }
  throw new Error('expected acquireDataDirLock to throw DataDirLockedError');
}

function writeLock(info: Partial<LockInfo> & { pid: number }): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const text = JSON.stringify({ hostname: hostname(), startedAt: new Date(0).toISOString(), adminUrl: null, ...info });
  writeFileSync(lockPath(dataDir), text, { mode: 0o600 });
  return text;
}

const lockFileInfo = () => JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn failed');
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return pid;
}

/** A live process that is not this one. */
function liveChild(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('spawn failed');
  return child.pid;
}

describe('acquireDataDirLock', () => {
  it('creates the data dir (0700) and a 0600 lock file naming this process', () => {
    const lock = acquire();
    expect(lock.path).toBe(join(dataDir, 'portcullis.lock'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    const info = lockFileInfo();
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname(), adminUrl: null });
    expect(Number.isNaN(Date.parse(info.startedAt))).toBe(false);
    expect(readLockHolder(dataDir)).toEqual(info);
    expect(readdirSync(dataDir)).toEqual(['portcullis.lock']); // no temporary files left
  });

  it('refuses a second acquisition in the same process, naming the data dir and the pid', () => {
    acquire();
    const error = lockError();
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error.name).toBe('DataDirLockedError');
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.dataDir).toBe(dataDir);
    expect(error.holder.pid).toBe(process.pid);
    // The first lock is untouched.
    expect(lockFileInfo().pid).toBe(process.pid);
  });

  it('respects a lock held by another live process', () => {
    const pid = liveChild();
    const text = writeLock({ pid });
    expect(readLockHolder(dataDir)?.pid).toBe(pid);
    const error = lockError();
    expect(error.message).toContain(`pid ${pid}`);
    expect(readFileSync(lockPath(dataDir), 'utf8')).toBe(text);
  });

  it('takes over a lock left by a process that has exited', async () => {
    const pid = await deadPid();
    writeLock({ pid, adminUrl: 'http://127.0.0.1:9' });
    expect(readLockHolder(dataDir)).toBeUndefined();
    acquire();
    expect(lockFileInfo()).toMatchObject({ pid: process.pid, adminUrl: null });
    expect(statSync(lockPath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['not JSON', 'garbage \u0000 {'],
    ['JSON of the wrong shape', JSON.stringify({ pid: 'one', hostname: 5 })],
    ['a negative pid', JSON.stringify({ pid: -1, hostname: hostname(), startedAt: '', adminUrl: null })],
  ])('takes over a garbage lock file (%s)', (_label, content) => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockPath(dataDir), content);
    expect(readLockHolder(dataDir)).toBeUndefined();
    acquire();
    expect(lockFileInfo().pid).toBe(process.pid);
  });

  it('takes over a lock with this pid that this process did not take (a restarted container: always pid 1)', () => {
    writeLock({ pid: process.pid, startedAt: '2020-01-01T00:00:00.000Z' });
    expect(readLockHolder(dataDir)).toBeUndefined();
    acquire();
    expect(lockFileInfo().startedAt).not.toBe('2020-01-01T00:00:00.000Z');
  });

  it('respects a lock from another host, whatever its pid', async () => {
    const pid = await deadPid();
    const text = writeLock({ pid, hostname: 'some-other-host' });
    expect(readLockHolder(dataDir)).toMatchObject({ pid, hostname: 'some-other-host' });
    const error = lockError();
    expect(error.message).toContain('some-other-host');
    expect(error.message).toContain(dataDir);
    expect(error.message).toContain(lockPath(dataDir)); // how to recover when that host is gone
    expect(readFileSync(lockPath(dataDir), 'utf8')).toBe(text);
  });

  // Root reads any file, so there is nothing to test as root.
  it.skipIf(process.getuid?.() === 0)('refuses an unreadable lock file rather than treating it as stale', () => {
    writeLock({ pid: 1, hostname: 'h' });
    const path = lockPath(dataDir);
    writeFileSync(path, 'x', { mode: 0o000 });
    expect(() => acquire()).toThrow(/EACCES/);
    expect(existsSync(path)).toBe(true);
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    writeLock({ pid: await deadPid() });
    const script = join(root, 'racer.mts');
    const moduleUrl = new URL('./data-dir-lock.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { acquireDataDirLock } from ${JSON.stringify(moduleUrl)};\n` +
        `const startAt = Number(process.argv[2]);\n` +
        `while (Date.now() < startAt) {}\n` +
        `try { acquireDataDirLock(process.argv[3]); process.stdout.write('won'); } catch (e) { process.stdout.write(e.name); }\n` +
        // Stay alive (holding the lock, if won) until every racer has answered and the test kills them all.
        `setTimeout(() => {}, 60_000);\n`,
    );
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const startAt = Date.now() + 2500;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, String(startAt), dataDir], { cwd: repoRoot });
        children.push(child);
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        return new Promise<string>((resolve) => {
          child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
          child.once('exit', () => resolve(`exited: ${err}`));
        });
      }),
    );
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'DataDirLockedError')).toHaveLength(5);
    expect(readdirSync(dataDir)).toEqual(['portcullis.lock']); // no takeover or temporary files left
  }, 30_000);

  it('clears a takeover file left by a process that died while taking over a stale lock', async () => {
    writeLock({ pid: await deadPid() });
    writeFileSync(
      `${lockPath(dataDir)}.takeover`,
      JSON.stringify({ pid: await deadPid(), hostname: hostname(), startedAt: new Date(0).toISOString(), adminUrl: null }),
    );
    acquire();
    expect(lockFileInfo().pid).toBe(process.pid);
    expect(readdirSync(dataDir)).toEqual(['portcullis.lock']);
  });
});

describe('DataDirLock.release', () => {
  it('removes the lock file, so the data dir can be locked again', () => {
    const lock = acquire();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    expect(readLockHolder(dataDir)).toBeUndefined();
    acquire();
    expect(lockFileInfo().pid).toBe(process.pid);
  });

  it('is idempotent', () => {
    const lock = acquire();
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('leaves alone a lock file that is no longer ours', () => {
    const lock = acquire();
    const other = JSON.stringify({ pid: process.pid, hostname: 'another-host', startedAt: new Date().toISOString(), adminUrl: null });
    writeFileSync(lock.path, other);
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe(other);
  });

  it('leaves alone a lock another process took after ours was removed', () => {
    const lock = acquire();
    rmSync(lock.path);
    const text = writeLock({ pid: liveChild() });
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe(text);
  });

  it('does not fail when the lock file is already gone', () => {
    const lock = acquire();
    rmSync(lock.path);
    expect(() => lock.release()).not.toThrow();
  });
});

describe('DataDirLock.setAdminUrl', () => {
  it('records the admin url for readers, keeps mode 0600 and leaves no temporary file', () => {
    const lock = acquire();
    const startedAt = lockFileInfo().startedAt;
    lock.setAdminUrl('http://127.0.0.1:45678');
    expect(readLockHolder(dataDir)).toEqual({ pid: process.pid, hostname: hostname(), startedAt, adminUrl: 'http://127.0.0.1:45678' });
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toEqual(['portcullis.lock']);
    lock.setAdminUrl('http://127.0.0.1:45679');
    expect(readLockHolder(dataDir)?.adminUrl).toBe('http://127.0.0.1:45679');
  });

  it('still counts as our lock after the update: release removes it', () => {
    const lock = acquire();
    lock.setAdminUrl('http://127.0.0.1:1');
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses after release instead of recreating the lock file', () => {
    const lock = acquire();
    lock.release();
    expect(() => lock.setAdminUrl('http://127.0.0.1:1')).toThrow(/released/);
    expect(existsSync(lock.path)).toBe(false);
  });
});

describe('readLockHolder', () => {
  it('is undefined when there is no data dir or no lock file', () => {
    expect(readLockHolder(join(root, 'nowhere'))).toBeUndefined();
    mkdirSync(dataDir);
    expect(readLockHolder(dataDir)).toBeUndefined();
  });
});

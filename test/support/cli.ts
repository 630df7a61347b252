/**
 * Runs the real `portcullis` CLI as a child process (`node --import tsx src/cli.ts ...` from the
 * repository root), with a minimal environment so the developer's own variables never leak in.
 * Every child is tracked: `stopChildren()` ends them (SIGTERM, then SIGKILL), and every temp dir
 * made here is removed by `removeTempDirs()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Long enough for PGlite's initdb plus migrations on a slow CI machine. */
export const START_TIMEOUT_MS = 90_000;
const COMMAND_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type CliProcess = {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its output streams are closed. */
  readonly exited: Promise<Exit>;
  /** True once exited. */
  done(): boolean;
  /** Resolves with the first match of `pattern` in stderr; rejects if the process exits first or on timeout. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit; rejects (after killing the process) on timeout. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
};

export type CommandResult = Exit & { stdout: string; stderr: string };

type Tracked = { process: CliProcess; keepAcrossTests: boolean };
const children = new Set<Tracked>();
const tempDirs = new Set<string>();

/** PATH and HOME from the test process, LOG_LEVEL=warn, and only what the test adds. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { LOG_LEVEL: 'warn' };
  if (process.env.PATH !== undefined) env.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  return { ...env, ...extra };
}

/** A fresh temp dir, removed by removeTempDirs(). */
export function makeTempDir(prefix = 'portcullis-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * An empty .env file to pass as `--env-file`: without it the CLI would read `./.env` from the
 * repository root, where a developer's own configuration may live.
 */
export function emptyEnvFile(dir: string): string {
  const path = join(dir, 'empty.env');
  writeFileSync(path, '');
  return path;
}

function describeOutput(p: { stdout(): string; stderr(): string }): string {
  return `\n--- stdout ---\n${p.stdout()}\n--- stderr ---\n${p.stderr()}`;
}

export function spawnCli(args: string[], env: Record<string, string>, options: { keepAcrossTests?: boolean } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let finished = false;
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
    for (const listener of listeners) listener();
  });
  const exited = new Promise<Exit>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      finished = true;
      for (const listener of listeners) listener();
      resolvePromise({ code, signal });
    });
  });
  exited.catch(() => undefined); // observed through waitForExit; never an unhandled rejection here
  if (child.pid === undefined) throw new Error('could not spawn the CLI');

  const handle: CliProcess = {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    done: () => finished,
    waitForStderr(pattern, timeoutMs = START_TIMEOUT_MS) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const match = pattern.exec(err);
          if (match) finish(() => resolvePromise(match));
          else if (finished) finish(() => reject(new Error(`CLI exited before printing ${String(pattern)}${describeOutput(handle)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`CLI did not print ${String(pattern)} within ${timeoutMs} ms${describeOutput(handle)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async waitForExit(timeoutMs = COMMAND_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolvePromise) => {
        timer = setTimeout(() => resolvePromise('timeout'), timeoutMs);
      });
      try {
        const result = await Promise.race([exited, timeout]);
        if (result === 'timeout') {
          await stopProcess(handle);
          throw new Error(`CLI did not exit within ${timeoutMs} ms${describeOutput(handle)}`);
        }
        return result;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  children.add({ process: handle, keepAcrossTests: options.keepAcrossTests ?? false });
  return handle;
}

/** Runs a command to completion. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = COMMAND_TIMEOUT_MS): Promise<CommandResult> {
  const p = spawnCli(args, env);
  const exit = await p.waitForExit(timeoutMs);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}

export type ServerProcess = CliProcess & {
  gatewayUrl: string;
  apiUrl: string;
  /** From `Portcullis ready in N ms`. */
  readyMs: number;
};

const READY_LINE = /Portcullis ready in (\d+) ms — gateway (http:\/\/\S+) — api and dashboard (http:\/\/\S+)/;

/** `start` with GATEWAY_PORT=API_PORT=0; resolves once the ready line names the real URLs. */
export async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  options: { keepAcrossTests?: boolean } = {},
): Promise<ServerProcess> {
  const p = spawnCli(['start', ...args], { GATEWAY_PORT: '0', API_PORT: '0', ...env }, options);
  const match = await p.waitForStderr(READY_LINE, START_TIMEOUT_MS);
  return Object.assign(p, { readyMs: Number(match[1]), gatewayUrl: match[2]!, apiUrl: match[3]! });
}

/** SIGTERM (the graceful path), then SIGKILL if it does not exit in time. Resolves once it is gone. */
export async function stopProcess(p: CliProcess): Promise<void> {
  if (p.done()) return;
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise('timeout'), STOP_GRACE_MS);
  });
  const result = await Promise.race([p.exited.catch(() => undefined), grace]);
  clearTimeout(timer);
  if (result === 'timeout' && !p.done()) {
    p.child.kill('SIGKILL');
    await p.exited.catch(() => undefined);
  }
}

/** Ends tracked children: those started for one test, or (all: true) every one. */
export async function stopChildren(options: { all?: boolean } = {}): Promise<void> {
  const targets = [...children].filter((t) => options.all || !t.keepAcrossTests);
  await Promise.all(targets.map((t) => stopProcess(t.process)));
  for (const t of targets) children.delete(t);
}

/** A pid that belonged to a process which has exited (a short-lived child, waited for). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise<void>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolvePromise());
  });
  if (pid === undefined) throw new Error('could not spawn a short-lived child');
  return pid;
}

export type HttpResult = { status: number; body: unknown };

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, body };
}

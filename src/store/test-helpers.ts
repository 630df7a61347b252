// Shared by the store and event-bus tests; not used by the gateway at runtime.
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls instead of sleeping a fixed time so slow CI machines do not cause flakes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** file:// URL of a module in src/, for importing it from a child process script. */
export function srcModuleUrl(relativeToSrc: string): string {
  return pathToFileURL(fileURLToPath(new URL(`../${relativeToSrc}`, import.meta.url))).href;
}

export interface ScriptResult {
  exitCode: number | null;
  /** True when the script had to be killed because it did not exit by itself. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs an ES module snippet in a fresh Node process (TypeScript via tsx). A leaked socket
 * or timer keeps that process alive, so "exits on its own" proves nothing was left open.
 */
export function runScript(code: string, timeoutMs = 10_000): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const timedOut = error !== null && error.killed === true;
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ exitCode, timedOut, stdout, stderr });
      },
    );
  });
}

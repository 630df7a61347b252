// Starting and watching the processes a benchmark measures, each in its own process so that one's
// CPU and memory never count against another's. Every child is remembered so it can be stopped.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/portcullis.js');
const portkeyServer = join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
const heapReporter = new URL('./heap-reporter.mjs', import.meta.url).pathname;
const portkeyStreamShim = new URL('./portkey-stream-shim.mjs', import.meta.url).pathname;

export const children = [];

export function stopChildren(signal = 'SIGTERM') {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}

/** Forks one of the small servers next to this file; it reports its port over IPC. */
export function forkServer(file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(file, import.meta.url).pathname, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    child.once('message', (m) => resolve({ child, port: m.port, url: `http://127.0.0.1:${m.port}` }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** Runs a `portcullis` CLI command to completion and returns its stdout. */
export function runCli(cliArgs, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`portcullis ${cliArgs[0]} failed (${code}): ${stderr}`))));
  });
}

/**
 * `portcullis gateway`; resolves with its URL once it logs it. With `reportHeap`, the process also
 * answers heap questions over IPC (see heap-reporter.mjs), at the cost of `--expose-gc`.
 */
export function startGateway(env, { reportHeap = false } = {}) {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the gateway process.
    const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
    if (reportHeap) nodeArgs.push('--expose-gc', '--import', heapReporter);
    const child = spawn(process.execPath, [...nodeArgs, bin, 'gateway'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', ...(reportHeap ? ['ipc'] : [])],
    });
    children.push(child);
    let stderr = '';
    let started = false;
    child.stderr.on('data', (d) => {
      // Once started, keep only the tail (for an exit message): the access log runs to megabytes.
      stderr = started ? (stderr + d).slice(-4096) : stderr + d;
      const match = started ? null : /gateway (http:\/\/[\d.:]+)/.exec(stderr);
      if (match) {
        started = true;
        resolve({ child, url: match[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
}

/** A port nobody listens on right now (Portkey's server takes `--port=N` and has no "any port"). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Portkey's open-source gateway (the @portkey-ai/gateway devDependency) as `npx @portkey-ai/gateway`
 * runs it, with `--headless` (no log UI pages; it still copies each answer for its log stream, as
 * it always does under Node), and with portkey-stream-shim.mjs preloaded so that its streaming works
 * with the @hono/node-server npm installs for it. Resolves once it answers HTTP.
 */
export async function startPortkey() {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', portkeyStreamShim, portkeyServer, `--port=${port}`, '--headless'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`Portkey gateway exited with ${child.exitCode}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Portkey gateway did not answer within 10 s');
}

/** User + system CPU seconds a process has used so far (Linux /proc; clock ticks are 100 Hz). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * Memory of a gateway started with `reportHeap`, after a full GC, in MB: `heapUsed` (what is really
 * still referenced), `heapTotal` (what V8 keeps for the heap) and `external` (buffers and other
 * memory outside the heap that JS objects hold). Undefined if the gateway does not answer.
 */
export function memoryAfterGcMb(child) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      const mb = (bytes) => bytes / 1024 / 1024;
      resolve({ heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external) });
    });
    child.send('heap');
  });
}

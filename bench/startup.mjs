#!/usr/bin/env node
// Time from process spawn to "ready" for `portcullis start`, on a fresh and on an existing data
// dir. Usage: npm run build && node bench/startup.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 5);
const bin = new URL('../bin/portcullis.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));

function startOnce() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [bin, 'start', '--data-dir', dataDir, '--gateway-port', '0', '--api-port', '0', '--log-level', 'warn'],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /Portcullis ready in (\d+) ms/.exec(stderr);
      if (match) {
        const wall = performance.now() - started;
        child.once('exit', (code) => (code === 0 ? resolve({ wall, inProcess: Number(match[1]) }) : reject(new Error(`exit ${code}`))));
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const first = await startOnce();
  const again = [];
  for (let i = 0; i < runs; i++) again.push(await startOnce());
  console.log(`first start (initdb + migrations): ${first.wall.toFixed(0)} ms from spawn to ready`);
  console.log(
    `existing data dir, median of ${runs}: ${median(again.map((r) => r.wall)).toFixed(0)} ms from spawn to ready (${median(again.map((r) => r.inProcess))} ms after the CLI loaded)`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

#!/usr/bin/env node
/**
 * Gateway overhead benchmark. Starts, each in its own process: a fake OpenAI upstream, a bare Node
 * pass-through proxy, and `portcullis gateway` on PostgreSQL (plus Redis when BENCH_REDIS_URL is
 * set). Then, in one run:
 *   1. latency: sequential requests, interleaved in blocks across direct / proxy / gateway so that
 *      machine drift hits every target alike; median and p99 added over calling the upstream
 *      directly, and the gateway's added latency as a ratio to the bare proxy's;
 *   2. throughput: autocannon, 32 connections, each target in turn; gateway as a ratio to the proxy;
 *   3. the gateway process's peak RSS under load;
 *   4. which gateway features were on, each checked (API-key auth refuses a wrong key; one request
 *      log row per request).
 * Usage: npm run build && node bench/overhead/run.mjs [--seconds 8] [--blocks 20] [--per-block 100]
 * Env: BENCH_DATABASE_URL (a PostgreSQL superuser URL; default postgres://postgres@127.0.0.1:5432/postgres),
 *      BENCH_REDIS_URL (optional).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { Agent, request } from 'undici';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    blocks: { type: 'string', default: '20' },
    'per-block': { type: 'string', default: '100' },
  },
});
const seconds = Number(args.seconds);
const blocks = Number(args.blocks);
const perBlock = Number(args['per-block']);

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/portcullis.js');
const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `portcullis_bench_${Date.now()}`;
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

function forkServer(file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(file, import.meta.url).pathname, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

function runCli(cliArgs, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`portcullis ${cliArgs[0]} failed (${code}): ${stderr}`))));
  });
}

function startGateway(env) {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the gateway process.
    const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
    const child = spawn(process.execPath, [...nodeArgs, bin, 'gateway'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      const match = /gateway (http:\/\/[\d.:]+)/.exec(stderr);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
}

/** User + system CPU seconds a process has used so far (Linux /proc; clock ticks are 100 Hz). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  try {
    const upstream = await forkServer('./fake-upstream.mjs');
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
    const proxy = await forkServer('./bare-proxy.mjs', { UPSTREAM: upstreamUrl });
    const proxyUrl = `http://127.0.0.1:${proxy.port}`;

    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: randomBytes(48).toString('base64'),
      MASTER_KEY: randomBytes(32).toString('base64'),
      PORTCULLIS_DATA_DIR: join(tmp, 'data'),
      GATEWAY_PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      ALLOW_PRIVATE_PROVIDER_URLS: 'true',
      ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
    };
    await runCli(['migrate'], env);
    const bootstrapFile = join(tmp, 'bootstrap.yaml');
    writeFileSync(
      bootstrapFile,
      `orgs:\n  - name: bench\n    projects:\n      - name: bench\n        providerKeys: [{ provider: openai, key: sk-bench-upstream-key-000000, baseUrl: ${upstreamUrl}/v1 }]\n        apiKeys: [{ name: bench }]\n`,
    );
    const apiKey = JSON.parse(await runCli(['bootstrap', bootstrapFile], env)).apiKeys[0].key;
    const gateway = await startGateway(env);

    const body = (model) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }] });
    const targets = [
      {
        name: 'direct',
        url: `${upstreamUrl}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: body('gpt-5.4-mini'),
      },
      {
        name: 'bare proxy',
        url: `${proxyUrl}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: body('gpt-5.4-mini'),
      },
      {
        name: 'gateway',
        url: `${gateway.url}/v1/chat/completions`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: body('openai/gpt-5.4-mini'),
      },
    ];
    const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 4 });
    let gatewayRequests = 0;
    const once = async (t) => {
      const started = process.hrtime.bigint();
      const res = await request(t.url, { method: 'POST', headers: t.headers, body: t.body, dispatcher });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${t.name} answered ${res.statusCode}`);
      if (t.name === 'gateway') gatewayRequests += 1;
      return Number(process.hrtime.bigint() - started) / 1e6;
    };

    // Feature checks before measuring.
    const wrongKey = await request(targets[2].url, {
      method: 'POST',
      headers: { ...targets[2].headers, authorization: 'Bearer pc_live_000000000000_' + 'x'.repeat(48) },
      body: targets[2].body,
      dispatcher,
    });
    await wrongKey.body.text();
    const authOn = wrongKey.statusCode === 401;

    for (const t of targets) for (let i = 0; i < 300; i++) await once(t); // warm-up (JIT, caches, connections)

    const samples = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let b = 0; b < blocks; b++) {
      const order = [...targets.slice(b % 3), ...targets.slice(0, b % 3)];
      for (const t of order) for (let i = 0; i < perBlock; i++) samples[t.name].push(await once(t));
    }
    const stats = Object.fromEntries(
      Object.entries(samples).map(([name, xs]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return [name, { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }];
      }),
    );
    const added = (name, key) => stats[name][key] - stats.direct[key];

    const throughput = {};
    let peakRss = rssMb(gateway.child.pid);
    const idleRss = peakRss;
    const pids = { direct: upstream.child.pid, 'bare proxy': proxy.child.pid, gateway: gateway.child.pid };
    for (const t of targets) {
      const sampler = t.name === 'gateway' ? setInterval(() => (peakRss = Math.max(peakRss, rssMb(gateway.child.pid))), 200) : undefined;
      const cpuBefore = cpuSeconds(pids[t.name]);
      const result = await autocannon({ url: t.url, method: 'POST', headers: t.headers, body: t.body, connections: 32, duration: seconds });
      const cpu = cpuSeconds(pids[t.name]) - cpuBefore;
      if (sampler) clearInterval(sampler);
      // CPU per request is far less sensitive to other load on the machine than req/s.
      throughput[t.name] = {
        rps: result.requests.average,
        non2xx: result.non2xx,
        errors: result.errors,
        cpuUsPerRequest: (cpu * 1e6) / Math.max(1, result['2xx']),
      };
      if (t.name === 'gateway') gatewayRequests += result['2xx'] + result.non2xx;
    }

    // Request logs: one row per request; the batched writer flushes within a few hundred ms.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let logged = 0;
    for (let i = 0; i < 50; i++) {
      logged = Number((await db.query('select count(*)::int as n from request_logs')).rows[0].n);
      if (logged >= gatewayRequests + 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await db.end();

    const ms = (x) => `${x.toFixed(3)} ms`;
    console.log(`\nPortcullis gateway overhead — ${new Date().toISOString()} — node ${process.version}`);
    console.log(
      `gateway: portcullis gateway on PostgreSQL${process.env.BENCH_REDIS_URL ? ' + Redis' : ' (in-memory store)'}, LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}`,
    );
    console.log('features on:');
    console.log(`  API-key auth ............ ${authOn ? 'on (wrong key -> 401)' : 'NOT VERIFIED'}`);
    console.log(
      `  request logging ......... ${logged >= gatewayRequests ? 'on' : 'INCOMPLETE'} (${logged} rows for ${gatewayRequests} gateway requests + 1 refused)`,
    );
    console.log('  usage/rate limits ....... not built yet (issue 4)');
    console.log('  guardrails .............. not built yet (issue 7)');
    console.log(`\nlatency (${blocks} interleaved blocks x ${perBlock} sequential requests per target):`);
    for (const name of Object.keys(stats)) console.log(`  ${name.padEnd(11)} median ${ms(stats[name].median)}  p99 ${ms(stats[name].p99)}`);
    console.log(`  added by bare proxy: median ${ms(added('bare proxy', 'median'))}, p99 ${ms(added('bare proxy', 'p99'))}`);
    console.log(`  added by gateway:    median ${ms(added('gateway', 'median'))}, p99 ${ms(added('gateway', 'p99'))}`);
    console.log(
      `  gateway / bare proxy added latency: median ${(added('gateway', 'median') / added('bare proxy', 'median')).toFixed(2)}x (target <= 1.2x), p99 ${(added('gateway', 'p99') / added('bare proxy', 'p99')).toFixed(2)}x`,
    );
    console.log(`\nthroughput (autocannon, 32 connections, ${seconds} s each):`);
    for (const [name, t] of Object.entries(throughput))
      console.log(
        `  ${name.padEnd(11)} ${t.rps.toFixed(0)} req/s  (non-2xx ${t.non2xx}, errors ${t.errors}; its own process: ${t.cpuUsPerRequest.toFixed(0)} µs CPU per request)`,
      );
    console.log(
      `  gateway / bare proxy throughput: ${(throughput.gateway.rps / throughput['bare proxy'].rps).toFixed(2)}x (target >= 0.8x)`,
    );
    console.log(`\ngateway RSS: idle ${idleRss.toFixed(0)} MB, peak under load ${peakRss.toFixed(0)} MB (target < 150 MB)`);
    await dispatcher.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});

// How long a revoked API key keeps working on other gateway replicas. The issue promises that
// revoke, rotate, expiry and limit changes reach every replica within one second (Redis pub/sub).
//
// Setup: PostgreSQL (a fresh database, as bench/overhead does), Redis at BENCH_REDIS_URL
// (redis://127.0.0.1:6379 by default, under a key prefix of its own), one `portcullis api` and two
// `portcullis gateway` processes, all with REDIS_URL. Each round creates a key through the api,
// warms its verification cache on both gateways (one successful request each), then changes it
// through the api, the path an operator's automation takes, and polls both gateways every ~5 ms
// until each first refuses it. The figure per gateway is from just before the api call is sent to
// the arrival of the first refusal, so it includes the api's own transaction and is an upper bound.
//
// Scenarios: `revoke` (POST …/revoke), `rotate0` (POST …/rotate with gracePeriodSeconds 0; the old
// secret must stop) and `restrict` (PATCH allowedModels to a model the poll does not ask for: the
// same invalidation as a limit change, with a deterministic refusal).
//
//   npm run build:server && node bench/revocation.mjs [--rounds 20] [--json]
//
// Needs a built dist/ and PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setUpPortcullis } from './overhead/portcullis-setup.mjs';
import { children, forkServer, runCli, startGateway, stopChildren } from './overhead/processes.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const ROUNDS = Number(flag('--rounds', '20'));
const POLL_MS = 5;
const GIVE_UP_MS = 10_000;
const BUDGET_MS = 1_000;
const MODEL = 'gpt-5.4-mini';
const OTHER_MODEL = 'gpt-5.4';
const bin = join(new URL('../', import.meta.url).pathname, 'bin/portcullis.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `portcullis api`; resolves with its URL once it logs it. */
function startApi(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'api'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    let started = false;
    child.stderr.on('data', (d) => {
      stderr = started ? (stderr + d).slice(-4096) : stderr + d;
      const match = started ? null : /api and dashboard (http:\/\/[\d.:]+)/.exec(stderr);
      if (match) {
        started = true;
        resolve({ child, url: match[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`api exited with ${code}: ${stderr}`)));
  });
}

async function call(api, token, method, path, body) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const chat = (gateway, key) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'ping' }], max_tokens: 8 }),
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

/**
 * Polls until the gateway first answers `key` with something other than 200. `ms`: when that
 * refusal arrived; `lastAcceptedSentMs`: when the last request it still accepted was sent (so the
 * change took effect between the two); `rttMs`: the refused request's own round trip.
 */
async function firstRefusal(gateway, key, start, stop) {
  let lastAcceptedSentMs = -Infinity;
  while (!stop.done) {
    const sent = performance.now() - start;
    const status = await chat(gateway, key);
    const at = performance.now() - start;
    if (status !== 200) return { ms: at, status, lastAcceptedSentMs, rttMs: at - sent };
    lastAcceptedSentMs = sent;
    if (at > GIVE_UP_MS) return { ms: Infinity, status, lastAcceptedSentMs, rttMs: at - sent };
    await sleep(POLL_MS);
  }
  return { ms: Infinity, status: 0, lastAcceptedSentMs, rttMs: 0 };
}

const SCENARIOS = {
  revoke: (api, token, orgId, keyId) => call(api, token, 'POST', `/api/orgs/${orgId}/api-keys/${keyId}/revoke`),
  rotate0: (api, token, orgId, keyId) => call(api, token, 'POST', `/api/orgs/${orgId}/api-keys/${keyId}/rotate`, { gracePeriodSeconds: 0 }),
  restrict: (api, token, orgId, keyId) =>
    call(api, token, 'PATCH', `/api/orgs/${orgId}/api-keys/${keyId}`, { allowedModels: [OTHER_MODEL] }),
};

async function round(ctx, scenario, i) {
  const { api, token, orgId, projectId, gateways } = ctx;
  const issued = await call(api, token, 'POST', `/api/orgs/${orgId}/projects/${projectId}/api-keys`, { name: `${scenario}-${i}` });
  for (const gateway of gateways) {
    const status = await chat(gateway, issued.key);
    if (status !== 200) throw new Error(`warm-up on ${gateway.url} answered ${status}`);
  }
  const stop = { done: false };
  const start = performance.now();
  const change = SCENARIOS[scenario](api, token, orgId, issued.apiKey.id).then(() => performance.now() - start);
  const refusals = await Promise.all(gateways.map((g) => firstRefusal(g, issued.key, start, stop)));
  stop.done = true;
  return { apiMs: await change, refusals };
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

const fmt = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'never');

async function main() {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const upstream = await forkServer('./fake-upstream.mjs');
  const portcullis = await setUpPortcullis(upstream.url);
  try {
    const env = {
      ...portcullis.env,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `pc-bench-revocation-${randomBytes(4).toString('hex')}:`,
      API_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    const issued = JSON.parse(await runCli(['tokens', 'create', '--org', 'bench', '--name', 'revocation-bench', '--role', 'owner'], env));
    const [api, ...gateways] = await Promise.all([startApi(env), startGateway(env), startGateway(env)]);
    const token = issued.token;
    const orgId = issued.orgId;
    const { projects } = await call(api, token, 'GET', `/api/orgs/${orgId}/projects`);
    const projectId = projects.find((p) => p.name === 'unguarded').id;
    const ctx = { api, token, orgId, projectId, gateways };

    const results = {};
    for (const scenario of Object.keys(SCENARIOS)) {
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await round(ctx, scenario, i));
      results[scenario] = {
        api: summary(rounds.map((r) => r.apiMs)),
        gateways: gateways.map((_, g) => {
          const ms = rounds.map((r) => r.refusals[g].ms);
          const afterApi = summary(rounds.map((r) => r.refusals[g].ms - r.apiMs));
          // Requests sent after the api had answered (so after the event was published) and still accepted.
          const acceptedAfterApi = summary(rounds.map((r) => Math.max(0, r.refusals[g].lastAcceptedSentMs - r.apiMs)));
          const rtt = summary(rounds.map((r) => r.refusals[g].rttMs));
          return {
            ...summary(ms),
            afterApi,
            acceptedAfterApi,
            rtt,
            statuses: [...new Set(rounds.map((r) => r.refusals[g].status))],
            underBudget: Math.max(...ms) < BUDGET_MS,
          };
        }),
      };
    }

    const machine = { date: new Date().toISOString(), cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, loadavg: loadavg() };
    if (args.includes('--json')) {
      process.stdout.write(JSON.stringify({ machine, rounds: ROUNDS, results }, null, 2) + '\n');
    } else {
      process.stdout.write(
        `${machine.date}  ${machine.cpus}  load ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}  ${ROUNDS} rounds each\n`,
      );
      for (const [scenario, r] of Object.entries(results)) {
        process.stdout.write(`${scenario}: api call median ${fmt(r.api.median)}, p95 ${fmt(r.api.p95)}\n`);
        r.gateways.forEach((g, n) =>
          process.stdout.write(
            `  gateway ${n + 1}: refused after median ${fmt(g.median)}, p95 ${fmt(g.p95)}, max ${fmt(g.max)} ` +
              `(status ${g.statuses.join('/')}) — ${g.underBudget ? 'under' : 'OVER'} ${BUDGET_MS} ms; ` +
              `after the api answered: median ${fmt(g.afterApi.median)}, max ${fmt(g.afterApi.max)}; ` +
              `last request accepted after the api answered was sent at +${fmt(g.acceptedAfterApi.max)} (max); ` +
              `the refused request's own round trip median ${fmt(g.rtt.median)}, max ${fmt(g.rtt.max)}\n`,
          ),
        );
      }
    }
    if (Object.values(results).some((r) => r.gateways.some((g) => !g.underBudget))) process.exitCode = 1;
  } finally {
    stopChildren();
    await sleep(500);
    await portcullis.cleanUp();
  }
}

main().catch((error) => {
  stopChildren();
  console.error(error);
  process.exit(1);
});

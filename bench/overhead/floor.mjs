#!/usr/bin/env node
/**
 * The floor under the gateway: how much of Portcullis's overhead over the bare proxy is the HTTP
 * stack it is built on, before any gateway feature. Starts, each in its own process, the fake
 * upstream, the bare pass-through proxy and four minimal JSON proxies (floor/): node:http or Hono
 * on @hono/node-server, forwarding with undici request() or global fetch, each doing only what any
 * JSON-aware gateway must (read, parse, serialize, forward, read and parse the answer, respond).
 * With --with-gateway, also `portcullis gateway` on PostgreSQL (guardrails off; needs `npm run
 * build` and BENCH_DATABASE_URL as for run.mjs). Measures like run.mjs: sequential latency in
 * interleaved blocks, then autocannon at 32 connections in interleaved rounds with each target's
 * own CPU, and checks from the fake upstream's hit count that every target really forwarded.
 * Usage: node bench/overhead/floor.mjs [--with-gateway] [--seconds 8] [--rounds 4] [--blocks 20] [--per-block 100]
 */
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { forkServer, startGateway, stopChildren } from './processes.mjs';
import { setUpPortcullis } from './portcullis-setup.mjs';
import { chatBody } from './targets.mjs';
import { interleavedBlocks, interleavedThroughput, summarise, timeRequest } from './measure.mjs';
import { printFloorReport } from './floor/report.mjs';

const { values: args } = parseArgs({
  options: {
    'with-gateway': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '4' },
    blocks: { type: 'string', default: '20' },
    'per-block': { type: 'string', default: '100' },
  },
});
const settings = {
  seconds: Number(args.seconds),
  rounds: Number(args.rounds),
  blocks: Number(args.blocks),
  perBlock: Number(args['per-block']),
  connections: 32,
};

const FLOORS = [
  ['node:http + undici', './floor/node-http.mjs', 'undici'],
  ['node:http + fetch', './floor/node-http.mjs', 'fetch'],
  ['Hono + undici', './floor/hono.mjs', 'undici'],
  ['Hono + fetch', './floor/hono.mjs', 'fetch'],
];

const target = (name, url, authorization, model, pid) => ({
  name,
  url: `${url}/v1/chat/completions`,
  headers: { 'content-type': 'application/json', authorization },
  body: chatBody(model),
  pid,
});

async function main() {
  const upstream = await forkServer('./fake-upstream.mjs');
  const env = { UPSTREAM: upstream.url };
  const proxy = await forkServer('./bare-proxy.mjs', env);
  const targets = [
    target('direct', upstream.url, 'Bearer sk-bench', 'gpt-5.4-mini', upstream.child.pid),
    target('bare proxy', proxy.url, 'Bearer sk-bench', 'gpt-5.4-mini', proxy.child.pid),
  ];
  for (const [name, file, client] of FLOORS) {
    const s = await forkServer(file, { ...env, FORWARD: client });
    targets.push(target(name, s.url, 'Bearer sk-bench', 'gpt-5.4-mini', s.child.pid));
  }
  const portcullis = args['with-gateway'] ? await setUpPortcullis(upstream.url) : undefined;
  try {
    if (portcullis) {
      const gateway = await startGateway(portcullis.env);
      targets.push(target('Portcullis', gateway.url, `Bearer ${portcullis.keys.unguarded}`, 'openai/gpt-5.4-mini', gateway.child.pid));
    }
    const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 4 });
    const plain = (t) => timeRequest(t, dispatcher);
    // Warm-up: JIT, connection pools, in every process.
    for (const t of targets) for (let i = 0; i < 300; i++) await plain(t);
    const latency = await interleavedBlocks(targets, { ...settings, measure: plain, upstreamUrl: upstream.url });
    const load = await interleavedThroughput(targets, { ...settings, upstreamUrl: upstream.url });
    printFloorReport({
      settings,
      targets: targets.map((t) => t.name),
      latency: { stats: Object.fromEntries(Object.entries(latency.samples).map(([k, xs]) => [k, summarise(xs)])), hits: latency.hits },
      load,
    });
    await dispatcher.close();
  } finally {
    stopChildren();
    await new Promise((r) => setTimeout(r, 500));
    await portcullis?.cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  stopChildren('SIGKILL');
  process.exit(1);
});

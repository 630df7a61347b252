#!/usr/bin/env node
/**
 * Gateway overhead benchmark. Starts, each in its own process: a fake OpenAI upstream, a bare Node
 * pass-through proxy, Portkey's open-source gateway (@portkey-ai/gateway, a devDependency) and
 * `portcullis gateway` on PostgreSQL (plus Redis when BENCH_REDIS_URL is set), whose one process
 * serves two projects: one with guardrails off, one with the default guardrail policy (PII,
 * secrets, prompt injection in `log` mode). Then, in one run, against the same fake upstream:
 *   1. latency: sequential requests, interleaved in blocks across the five targets so that machine
 *      drift hits every target alike; median and p99 added over calling the upstream directly;
 *   2. streaming: `stream: true` requests (the fake streams 10 chunks 5 ms apart), interleaved the
 *      same way: time to first token and to the end of the stream, added over direct;
 *   3. throughput: autocannon, 32 connections, --seconds per target split into --rounds interleaved
 *      runs (after a 1 s warm-up each), with each process's CPU per request and peak RSS;
 *   4. ratios: Portcullis / bare proxy, Portcullis / Portkey, and Portkey / bare proxy;
 *   5. checks that each target did the work: the fake upstream's hits match the answers (Portkey
 *      and Portcullis really forwarded), auth refuses a wrong key, guardrails block a secret and
 *      log an injection only in the guarded project, one request-log row per request.
 * Usage: npm run build && node bench/overhead/run.mjs [--seconds 8] [--rounds 4] [--blocks 20] [--per-block 100]
 *          [--stream-blocks 10] [--stream-per-block 10]
 * Env: BENCH_DATABASE_URL (a PostgreSQL superuser URL; default postgres://postgres@127.0.0.1:5432/postgres),
 *      BENCH_REDIS_URL (optional), BENCH_LOG_LEVEL (default info).
 */
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { forkServer, rssMb, startGateway, startPortkey, stopChildren } from './processes.mjs';
import { countRows, setUpPortcullis } from './portcullis-setup.mjs';
import { buildTargets, expectedStreamText } from './targets.mjs';
import { interleavedBlocks, interleavedThroughput, summarise, timeRequest, timeStream } from './measure.mjs';
import { judgeEvents, probePortcullis } from './feature-checks.mjs';
import { printReport } from './report.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '4' },
    blocks: { type: 'string', default: '20' },
    'per-block': { type: 'string', default: '100' },
    'stream-blocks': { type: 'string', default: '10' },
    'stream-per-block': { type: 'string', default: '10' },
  },
});
const settings = {
  seconds: Number(args.seconds),
  rounds: Number(args.rounds),
  blocks: Number(args.blocks),
  perBlock: Number(args['per-block']),
  streamBlocks: Number(args['stream-blocks']),
  streamPerBlock: Number(args['stream-per-block']),
  connections: 32,
  streamChunks: 10,
  streamGapMs: 5,
};

async function main() {
  const upstream = await forkServer('./fake-upstream.mjs', {
    STREAM_CHUNKS: String(settings.streamChunks),
    STREAM_GAP_MS: String(settings.streamGapMs),
  });
  const proxy = await forkServer('./bare-proxy.mjs', { UPSTREAM: upstream.url });
  const portkey = await startPortkey();
  const portcullis = await setUpPortcullis(upstream.url);
  try {
    const gateway = await startGateway(portcullis.env);
    const targets = buildTargets({ upstream, proxy, portkey, gateway, keys: portcullis.keys });
    const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 4 });
    const sent = Object.fromEntries(targets.map((t) => [t.name, 0]));
    const plain = (t) => ((sent[t.name] += 1), timeRequest(t, dispatcher));
    const expected = expectedStreamText(settings.streamChunks);
    const streamed = (t) => ((sent[t.name] += 1), timeStream(t, dispatcher, expected));

    const probes = await probePortcullis(targets, dispatcher);
    for (const [name, n] of Object.entries(probes.sent)) sent[name] += n;

    // Warm-up: JIT, caches, connection pools, in every process.
    for (const t of targets) for (let i = 0; i < 300; i++) await plain(t);
    for (const t of targets) for (let i = 0; i < 10; i++) await streamed(t);

    const latency = await interleavedBlocks(targets, {
      blocks: settings.blocks,
      perBlock: settings.perBlock,
      measure: plain,
      upstreamUrl: upstream.url,
    });
    const streaming = await interleavedBlocks(targets, {
      blocks: settings.streamBlocks,
      perBlock: settings.streamPerBlock,
      measure: streamed,
      upstreamUrl: upstream.url,
    });

    const rss = { Portkey: { idle: rssMb(portkey.child.pid) }, Portcullis: { idle: rssMb(gateway.child.pid) } };
    for (const r of Object.values(rss)) r.peak = r.idle;
    const watched = (t) => (t.name.startsWith('Portcullis') ? rss.Portcullis : t.name === 'Portkey' ? rss.Portkey : undefined);
    const load = await interleavedThroughput(targets, {
      seconds: settings.seconds,
      rounds: settings.rounds,
      connections: settings.connections,
      upstreamUrl: upstream.url,
      onTick: (t) => {
        const r = watched(t);
        if (r) r.peak = Math.max(r.peak, rssMb(t.pid));
      },
    });
    for (const t of targets) sent[t.name] += load[t.name].sent;

    // Request logs and guardrail events: the batched writer flushes within a few hundred ms.
    let rows;
    for (let i = 0; i < 50; i++) {
      rows = await countRows(portcullis.databaseUrl);
      if ((rows.logs.unguarded ?? 0) >= sent.Portcullis && (rows.logs.guarded ?? 0) >= sent['Portcullis+guardrails']) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    printReport({
      settings,
      targets: targets.map((t) => t.name),
      latency: { stats: mapValues(latency.samples, summarise), hits: latency.hits },
      streaming: {
        firstToken: mapValues(streaming.samples, (xs) => summarise(xs.map((x) => x.firstToken))),
        total: mapValues(streaming.samples, (xs) => summarise(xs.map((x) => x.total))),
        hits: streaming.hits,
      },
      load,
      rss,
      checks: { ...probes.result, ...judgeEvents(rows.events), logs: rows.logs, sent },
    });
    await dispatcher.close();
  } finally {
    stopChildren();
    await new Promise((r) => setTimeout(r, 500));
    await portcullis.cleanUp();
  }
}

const mapValues = (obj, fn) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));

main().catch((error) => {
  console.error(error);
  stopChildren('SIGKILL');
  process.exit(1);
});

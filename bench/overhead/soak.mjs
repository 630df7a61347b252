#!/usr/bin/env node
/**
 * Soak test: `portcullis gateway` on PostgreSQL (the guarded project of run.mjs: default guardrail
 * policy, injection detection in `log` mode, request logging) under a fixed request rate against
 * the fake upstream for N minutes. Every minute it samples the gateway process's RSS (/proc VmRSS)
 * and its heap after a full GC (asked over IPC; see heap-reporter.mjs), then prints the series, the
 * slopes over the minutes after the first, and a verdict. Errors must be 0 and every request must
 * have reached the upstream and the request log.
 *
 * Why the first minute is left out: JIT compilation, connection pools, caches and V8 growing its
 * heap to the load's working set all happen there. Why 1 MB/min: at 200 req/s a minute is 12,000
 * requests, so 1 MB/min is a leak of about 87 bytes per request; anything that keeps a request, a
 * body or a log row alive (hundreds of bytes at least) shows up several times over, while GC and
 * allocator noise (a few MB up or down between samples) moves a 9-minute least-squares slope by well
 * under 1 MB/min. Above 200 req/s the threshold grows with --rate so that it keeps meaning ~87
 * bytes per request; below, it stays at 1 MB/min, the noise floor.
 *
 * Usage: npm run build && node bench/overhead/soak.mjs [--minutes 10] [--rate 200] [--connections 8]
 * Env: as run.mjs (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_LOG_LEVEL).
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { forkServer, memoryAfterGcMb, rssMb, startGateway, stopChildren } from './processes.mjs';
import { countRows, setUpPortcullis } from './portcullis-setup.mjs';
import { chatBody } from './targets.mjs';
import { upstreamHits } from './measure.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    connections: { type: 'string', default: '8' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const connections = Number(args.connections);
const BYTES_PER_REQUEST_THRESHOLD = 87;
// Never below 1 MB/min: under that, at low rates, GC and allocator noise alone could cross it.
const thresholdMbPerMin = Math.max(1, (BYTES_PER_REQUEST_THRESHOLD * rate * 60) / 1024 / 1024);

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return num / den;
}

async function main() {
  const upstream = await forkServer('./fake-upstream.mjs');
  const portcullis = await setUpPortcullis(upstream.url);
  try {
    const gateway = await startGateway(portcullis.env, { reportHeap: true });
    const pid = gateway.child.pid;
    const url = `${gateway.url}/v1/chat/completions`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${portcullis.keys.guarded}` };
    const body = chatBody('openai/gpt-5.4-mini');

    const samples = [];
    const sample = async (minute) => {
      const rss = rssMb(pid); // before the forced GC, so RSS is what the process holds in normal running
      const memory = await memoryAfterGcMb(gateway.child);
      const s = { minute, rss, heap: memory?.heapUsed, hits: await upstreamHits(upstream.url) };
      samples.push(s);
      const more = memory
        ? `heap after GC ${memory.heapUsed.toFixed(1)} MB (of ${memory.heapTotal.toFixed(1)}), external ${memory.external.toFixed(1)} MB`
        : 'heap ?';
      console.log(`  minute ${String(minute).padStart(2)}: RSS ${s.rss.toFixed(1)} MB, ${more}, ${s.hits} requests`);
    };

    console.log(`Soak: Portcullis gateway (guardrails on), ${rate} req/s over ${connections} connections for ${minutes} min`);
    await sample(0);
    let minute = 0;
    const sampler = setInterval(() => void sample(++minute), 60_000);
    const result = await autocannon({ url, method: 'POST', headers, body, connections, overallRate: rate, duration: minutes * 60 });
    clearInterval(sampler);
    if (minute < minutes) await sample(minutes); // the last interval can lose the race with autocannon's end

    const hits = await upstreamHits(upstream.url);
    let logged = 0;
    for (let i = 0; i < 50; i++) {
      logged = (await countRows(portcullis.databaseUrl)).logs.guarded ?? 0;
      if (logged >= result['2xx']) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const after = samples.filter((s) => s.minute >= 1);
    const rssSlope = slope(after.map((s) => ({ x: s.minute, y: s.rss })));
    const heapSlope = slope(after.filter((s) => s.heap !== undefined).map((s) => ({ x: s.minute, y: s.heap })));
    const growth = after.length ? after.at(-1).rss - after[0].rss : NaN;
    const errors = result.errors + result.timeouts + result.non2xx;
    const achieved = result['2xx'] / (minutes * 60);

    console.log(
      `\nrequests: ${result['2xx']} answered 2xx (${achieved.toFixed(0)} req/s of ${rate} asked), non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    console.log(`upstream hits: ${hits}; request-log rows: ${logged}`);
    console.log(`latency: median ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    console.log(
      `RSS after minute 1: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB; slope ${rssSlope.toFixed(2)} MB/min (heap after GC ${heapSlope.toFixed(2)} MB/min)`,
    );
    console.log(
      `threshold: ${thresholdMbPerMin.toFixed(2)} MB/min (${((thresholdMbPerMin * 1024 * 1024) / (rate * 60)).toFixed(0)} bytes per request at ${rate} req/s)`,
    );
    const flat = rssSlope < thresholdMbPerMin && !(heapSlope >= thresholdMbPerMin);
    const verdict = after.length < 2 ? 'NO VERDICT (needs --minutes 2 or more)' : flat ? 'FLAT' : 'GROWING';
    // Said outright, because it decides where to look: JS objects kept alive, or memory outside the heap.
    if (!flat && heapSlope < thresholdMbPerMin)
      console.log('  (heap after GC is flat: the RSS growth is outside the JS heap — heap capacity, buffers, native memory)');
    const fewSamples = after.length === 2 ? ' (from 2 samples only: run 10 minutes for a verdict that means something)' : '';
    console.log(`verdict: ${verdict}${fewSamples}; errors ${errors === 0 ? '0' : `${errors} <<< must be 0`}`);
    if (errors > 0 || (after.length >= 2 && !flat)) process.exitCode = 1;
  } finally {
    stopChildren();
    await new Promise((r) => setTimeout(r, 500));
    await portcullis.cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  stopChildren('SIGKILL');
  process.exit(1);
});

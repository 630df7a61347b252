// The measurements themselves, each target described as { name, url, headers, body, streamBody, pid }.
// Every measurement also counts the fake upstream's hits, so a target that answered without
// forwarding (an error path, a cache) is caught rather than looking fast.
import autocannon from 'autocannon';
import { request } from 'undici';
import { cpuSeconds } from './processes.mjs';

export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export function summarise(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n: sorted.length };
}

/** Completions the fake upstream has served so far. */
export async function upstreamHits(upstreamUrl) {
  const res = await request(`${upstreamUrl}/bench/hits`);
  return (await res.body.json()).completions;
}

/** The hit count once it stops moving: requests still in flight from a previous load test land first. */
async function settledHits(upstreamUrl) {
  let last = await upstreamHits(upstreamUrl);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await upstreamHits(upstreamUrl);
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** One non-streamed request; milliseconds from sending to the whole answer read. */
export async function timeRequest(target, dispatcher) {
  const started = process.hrtime.bigint();
  const res = await request(target.url, { method: 'POST', headers: target.headers, body: target.body, dispatcher });
  const text = await res.body.text();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.statusCode !== 200) throw new Error(`${target.name} answered ${res.statusCode}: ${text.slice(0, 300)}`);
  return ms;
}

/** The text of every `choices[0].delta.content` in an SSE answer, joined. */
function streamedText(sse) {
  let text = '';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    text += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

/**
 * One streamed request: time to the first chunk carrying text (what a user sees as the first
 * token) and to the end of the stream. The whole answer is checked afterwards, off the clock.
 */
export async function timeStream(target, dispatcher, expectedText) {
  const started = process.hrtime.bigint();
  const res = await request(target.url, { method: 'POST', headers: target.headers, body: target.streamBody, dispatcher });
  let sse = '';
  let firstToken;
  for await (const chunk of res.body) {
    sse += chunk;
    if (firstToken === undefined && /"content":"[^"]/.test(sse)) firstToken = process.hrtime.bigint();
  }
  const ended = process.hrtime.bigint();
  if (res.statusCode !== 200) throw new Error(`${target.name} stream answered ${res.statusCode}: ${sse.slice(0, 300)}`);
  const text = streamedText(sse);
  if (text !== expectedText) throw new Error(`${target.name} streamed ${JSON.stringify(text)}, not ${JSON.stringify(expectedText)}`);
  return { firstToken: Number(firstToken - started) / 1e6, total: Number(ended - started) / 1e6 };
}

/**
 * Sequential requests in blocks, the targets' order rotated every block, so that drift on a busy
 * machine hits every target alike. `measure(target)` returns one sample; returns the samples per
 * target and the upstream hits counted while each target ran.
 */
export async function interleavedBlocks(targets, { blocks, perBlock, measure, upstreamUrl }) {
  const samples = Object.fromEntries(targets.map((t) => [t.name, []]));
  const hits = Object.fromEntries(targets.map((t) => [t.name, 0]));
  for (let b = 0; b < blocks; b++) {
    const shift = b % targets.length;
    for (const t of [...targets.slice(shift), ...targets.slice(0, shift)]) {
      const before = await upstreamHits(upstreamUrl);
      for (let i = 0; i < perBlock; i++) samples[t.name].push(await measure(t));
      hits[t.name] += (await upstreamHits(upstreamUrl)) - before;
    }
  }
  return { samples, hits };
}

/** One autocannon run against one target, with its own process's CPU and the upstream hits meanwhile. */
async function loadRun(target, { seconds, connections, upstreamUrl, onTick }) {
  const hitsBefore = await settledHits(upstreamUrl);
  const cpuBefore = cpuSeconds(target.pid);
  const ticker = onTick ? setInterval(() => onTick(target), 200) : undefined;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections,
    duration: seconds,
  });
  if (ticker) clearInterval(ticker);
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu: cpuSeconds(target.pid) - cpuBefore,
    seconds: result.duration,
    upstreamHits: (await settledHits(upstreamUrl)) - hitsBefore,
  };
}

/**
 * Throughput with autocannon, interleaved like the latency blocks: after a 1 s warm-up per target
 * (concurrency exercises paths and pool sizes the sequential phase did not), `rounds` runs per
 * target of seconds/rounds each, the order rotated every round, so that a burst of other load on
 * the machine is shared rather than landing on one target. Per target: req/s, the CPU its own
 * process spent per answered request (far less sensitive to other load than req/s), the upstream
 * hits, and every request sent (warm-up included) for the request-log check.
 */
export async function interleavedThroughput(targets, { seconds, rounds, connections, upstreamUrl, onTick }) {
  const totals = Object.fromEntries(
    targets.map((t) => [t.name, { ok: 0, non2xx: 0, errors: 0, cpu: 0, seconds: 0, upstreamHits: 0, sent: 0 }]),
  );
  for (const t of targets) {
    const warm = await loadRun(t, { seconds: 1, connections, upstreamUrl });
    totals[t.name].sent += warm.ok + warm.non2xx;
  }
  for (let r = 0; r < rounds; r++) {
    const shift = r % targets.length;
    for (const t of [...targets.slice(shift), ...targets.slice(0, shift)]) {
      const run = await loadRun(t, { seconds: seconds / rounds, connections, upstreamUrl, onTick });
      const total = totals[t.name];
      for (const key of ['ok', 'non2xx', 'errors', 'cpu', 'seconds', 'upstreamHits']) total[key] += run[key];
      total.sent += run.ok + run.non2xx;
    }
  }
  return Object.fromEntries(
    Object.entries(totals).map(([name, t]) => [name, { ...t, rps: t.ok / t.seconds, cpuUsPerRequest: (t.cpu * 1e6) / Math.max(1, t.ok) }]),
  );
}

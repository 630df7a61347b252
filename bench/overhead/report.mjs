// Prints one run of run.mjs: checks first (a figure from a target that did not do the work means
// nothing), then latency, streaming, throughput, memory, and the ratios the targets are judged by.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const portkeyVersion = JSON.parse(
  readFileSync(new URL('../../node_modules/@portkey-ai/gateway/package.json', import.meta.url), 'utf8'),
).version;
const ms = (x) => `${x.toFixed(3)} ms`.padStart(10);
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const row = (label, ...cells) => console.log(`  ${label.padEnd(38)}${cells.join('  ')}`);
const ok = (cond, yes, no = 'NOT VERIFIED') => (cond ? yes : `${no} <<<`);

export function printReport({ settings, targets, latency, streaming, load, rss, checks }) {
  const added = (stats, name, key) => stats[name][key] - stats.direct[key];
  console.log(
    `\nGateway overhead — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `Portcullis: one gateway process on PostgreSQL${process.env.BENCH_REDIS_URL ? ' + Redis' : ' (in-memory store)'}, LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}; Portkey: @portkey-ai/gateway ${portkeyVersion}`,
  );

  console.log('\nchecks:');
  for (const name of targets) {
    const l = latency.stats[name].n === latency.hits[name];
    const s = streaming.firstToken[name].n === streaming.hits[name];
    const t = load[name];
    // Each autocannon run can leave up to `connections` requests in flight, forwarded but never answered.
    const tl =
      t.upstreamHits >= t.ok && t.upstreamHits - t.ok <= settings.connections * settings.rounds && t.non2xx === 0 && t.errors === 0;
    row(
      `upstream hits, ${name}`,
      ok(l && s && tl, 'one per answer', 'MISMATCH'),
      `(latency ${latency.hits[name]}/${latency.stats[name].n}, streams ${streaming.hits[name]}/${streaming.firstToken[name].n}, load ${t.upstreamHits}/${t.ok})`,
    );
  }
  row('API-key auth', ok(checks.authRefusesWrongKey, 'on (wrong key -> 401)'));
  row(
    'guardrails, guarded',
    ok(checks.guardedBlocksSecret && checks.guardedSecretBlockEvent, 'secret blocked (400 + event)'),
    ok(checks.guardedPassesInjection && checks.guardedInjectionLogEvent, 'injection logged (200 + event)'),
    `${checks.guardedEvents} events`,
  );
  row(
    'guardrails, unguarded',
    ok(checks.unguardedPassesSecret && checks.unguardedPassesInjection && checks.unguardedEvents === 0, 'off (both passed, 0 events)'),
  );
  const logsOk =
    (checks.logs.unguarded ?? 0) >= checks.sent.Portcullis && (checks.logs.guarded ?? 0) >= checks.sent['Portcullis+guardrails'];
  row(
    'request logging',
    ok(logsOk, 'one row per request', 'INCOMPLETE'),
    `(rows/sent: ${checks.logs.unguarded ?? 0}/${checks.sent.Portcullis} unguarded, ${checks.logs.guarded ?? 0}/${checks.sent['Portcullis+guardrails']} guarded)`,
  );

  const l = latency.stats;
  console.log(`\nlatency (${settings.blocks} interleaved blocks x ${settings.perBlock} sequential requests per target):`);
  row('', 'median'.padStart(10), 'p99'.padStart(10), 'added median'.padStart(13), 'added p99'.padStart(10));
  for (const name of targets)
    row(name, ms(l[name].median), ms(l[name].p99), ms(added(l, name, 'median')).padStart(13), ms(added(l, name, 'p99')));

  const f = streaming.firstToken;
  const e = streaming.total;
  console.log(
    `\nstreaming (${settings.streamChunks} chunks ${settings.streamGapMs} ms apart; ${settings.streamBlocks} interleaved blocks x ${settings.streamPerBlock} per target):`,
  );
  row(
    '',
    'first token'.padStart(11),
    'added median'.padStart(13),
    'added p99'.padStart(10),
    'stream end'.padStart(10),
    'end added'.padStart(10),
  );
  for (const name of targets)
    row(
      name,
      ms(f[name].median).padStart(11),
      ms(added(f, name, 'median')).padStart(13),
      ms(added(f, name, 'p99')),
      ms(e[name].median),
      ms(added(e, name, 'median')),
    );

  console.log(
    `\nthroughput (autocannon, ${settings.connections} connections, ${settings.seconds} s per target in ${settings.rounds} interleaved runs; CPU of the target's own process):`,
  );
  for (const name of targets) {
    const t = load[name];
    row(
      name,
      `${t.rps.toFixed(0).padStart(6)} req/s`,
      `${t.cpuUsPerRequest.toFixed(0).padStart(5)} µs CPU/request`,
      `non-2xx ${t.non2xx}, errors ${t.errors}`,
    );
  }

  console.log('\nRSS under the throughput load:');
  for (const [name, r] of Object.entries(rss)) row(name, `idle ${r.idle.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB`);

  console.log('\nratios (added latency over direct; throughput):');
  row('', 'median'.padStart(8), 'p99'.padStart(8), 'throughput'.padStart(10), 'first token'.padStart(11), 'CPU/request'.padStart(11));
  const pairs = [
    ['Portcullis', 'bare proxy'],
    ['Portcullis+guardrails', 'bare proxy'],
    ['Portcullis', 'Portkey'],
    ['Portcullis+guardrails', 'Portkey'],
    ['Portkey', 'bare proxy'],
  ];
  for (const [a, b] of pairs)
    row(
      `${a} / ${b}`,
      ratio(added(l, a, 'median'), added(l, b, 'median')).padStart(8),
      ratio(added(l, a, 'p99'), added(l, b, 'p99')).padStart(8),
      ratio(load[a].rps, load[b].rps).padStart(10),
      ratio(added(f, a, 'median'), added(f, b, 'median')).padStart(11),
      ratio(load[a].cpuUsPerRequest, load[b].cpuUsPerRequest).padStart(11),
    );
  console.log(
    '  (latency ratios: lower is better; throughput: higher is better. Targets vs bare proxy: latency <= 1.2x, throughput >= 0.8x)',
  );
}

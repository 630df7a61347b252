// Prints one run of floor.mjs: checks first (a target that did not forward proves nothing), then
// each target's figures and its ratio to the bare proxy, then each floor against issue 3's limits
// and, when Portcullis ran too, how much of Portcullis's excess over the bare proxy it accounts for.
import { cpus, loadavg } from 'node:os';

const row = (label, ...cells) => console.log(`  ${label.padEnd(22)}${cells.map((c) => String(c).padStart(13)).join('')}`);
const x = (a, b) => `${(a / b).toFixed(2)}x`;
const pct = (a) => `${(a * 100).toFixed(0)}%`;

export function printFloorReport({ settings, targets, latency, load }) {
  const load1 = loadavg()[0].toFixed(1);
  console.log(`\nHTTP stack floor — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores, load ${load1}`);

  console.log('\nchecks (upstream hits per answer):');
  for (const name of targets) {
    const l = latency.stats[name].n === latency.hits[name];
    const t = load[name];
    // Each autocannon run can leave up to `connections` requests forwarded but never answered.
    const tl =
      t.upstreamHits >= t.ok && t.upstreamHits - t.ok <= settings.connections * settings.rounds && t.non2xx === 0 && t.errors === 0;
    const counts = `(latency ${latency.hits[name]}/${latency.stats[name].n}, load ${t.upstreamHits}/${t.ok})`;
    console.log(`  ${name.padEnd(22)}${l && tl ? 'forwarded' : 'MISMATCH <<<'}  ${counts}`);
  }

  const l = latency.stats;
  const added = (name) => l[name].median - l.direct.median;
  const cpu = (name) => load[name].cpuUsPerRequest;
  console.log(
    `\n${settings.blocks} blocks x ${settings.perBlock} sequential requests; autocannon ${settings.connections} conn., ${settings.seconds} s in ${settings.rounds} rounds per target`,
  );
  row('', 'added median', 'added p99', 'req/s', 'CPU µs/req', 'x median', 'x req/s', 'x CPU');
  for (const name of targets.filter((n) => n !== 'direct')) {
    const t = load[name];
    const p99 = `${(l[name].p99 - l.direct.p99).toFixed(2)} ms`;
    const ratios = [x(added(name), added('bare proxy')), x(t.rps, load['bare proxy'].rps), x(cpu(name), cpu('bare proxy'))];
    row(name, `${added(name).toFixed(3)} ms`, p99, t.rps.toFixed(0), cpu(name).toFixed(0), ...ratios);
  }
  console.log(`  direct: median ${l.direct.median.toFixed(3)} ms, ${load.direct.rps.toFixed(0)} req/s`);

  // req/s on 2 shared cores is also bounded by autocannon and the upstream, so CPU per request is
  // the steadier yardstick: reaching 0.8x the bare proxy's throughput when CPU-bound means
  // spending at most 1/0.8 = 1.25x its CPU per request.
  const floors = targets.filter((n) => !['direct', 'bare proxy', 'Portcullis'].includes(n));
  console.log('\nthe stack alone against the limits (added median <= 1.2x, req/s >= 0.8x, so CPU/req <= 1.25x):');
  for (const name of floors) {
    const ok = (cond) => (cond ? 'within' : 'OVER');
    const m = added(name) / added('bare proxy');
    const c = cpu(name) / cpu('bare proxy');
    row(name, `median ${ok(m <= 1.2)}`, `CPU ${ok(c <= 1.25)}`);
  }
  if (!targets.includes('Portcullis')) return;
  console.log("\nshare of Portcullis's excess over the bare proxy that the stack alone accounts for:");
  const excess = (f, name) => (f(name) - f('bare proxy')) / (f('Portcullis') - f('bare proxy'));
  for (const name of floors) row(name, `median ${pct(excess(added, name))}`, `CPU ${pct(excess(cpu, name))}`);
}

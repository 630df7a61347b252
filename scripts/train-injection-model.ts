/**
 * Trains the prompt-injection model shipped in src/guardrails/injection/model.json.
 *
 *   npx tsx scripts/train-injection-model.ts [--data ../shared/eval/dev/injection.jsonl] [--no-write]
 *     [--errors] [--misses source] [--no-extra-benign] [--set option=value]
 *
 * Pure TypeScript and deterministic (seeded shuffling, no network). Reports cross-validated
 * figures only — never scores on the rows a model was trained on:
 *   - leave-one-source-out: each dev source is held out in turn (a new source is what the
 *     held-out evaluation sets are), the threshold picked by an inner grouped CV on the rest;
 *   - grouped 5-fold: groups are source + variant (PurpleLlama attack types, awesome-chatgpt
 *     roles, DAN files) or, for sources without a variant, source + a hash bucket of the id;
 *   - the same folds with the threshold chosen inside each training fold (an inner grouped
 *     4-fold CV), the figure a deployment that picks its threshold from its own data would see.
 * The PII and secrets dev sets (next to --data) are read as two more benign sources, unless
 * --no-extra-benign. The shipped threshold comes from the grouped-CV out-of-fold benign scores (the smallest with
 * FPR <= 1% on every benign source separately), not from the final model's scores on its own
 * training data. `--errors` lists the strongest out-of-fold false alarms and misses.
 *
 * A small synthetic set (injection-synthetic-rows.ts: benign sentences full of trigger words, and
 * injections with chat-template tokens, fake turns and encodings, which the dev data barely has)
 * and the written rows of injection-training-rows/ (planted orders with their clean twins, benign
 * requests full of attack words, benign role-play; see its README) are always in the training set
 * and never in a test fold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUES } from '../src/guardrails/injection/cues.js';
import { CUE_OFFSET, DENSE_FEATURES, extractFeatures, HASH_BITS, HASH_SCHEME } from '../src/guardrails/injection/features.js';
import { DEFAULT_TRAIN, dot, type ModelFile, sigmoid, type Sample, train } from '../src/guardrails/injection/model.js';
import { type Row, synthetic } from './injection-synthetic-rows.js';

const args = process.argv.slice(2);
const dataPath = args.includes('--data') ? (args[args.indexOf('--data') + 1] ?? '') : '../shared/eval/dev/injection.jsonl';
const write = !args.includes('--no-write');
const TARGET_FPR = 0.01;
/** `--set l2Hash=0.01` etc. overrides a training option (for experiments; the shipped model uses the defaults). */
const opts = { ...DEFAULT_TRAIN };
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--set') continue;
  const [k, v] = (args[i + 1] ?? '').split('=');
  if (k !== undefined && k in opts) (opts as Record<string, number>)[k] = Number(v);
}
const showErrors = args.includes('--errors');

// ------------------------------------------------------------------ data
const readJsonl = (path: string): Row[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
/**
 * Ordinary text from the other dev sets (PII sentences and chat turns, code and config with
 * secrets) joins the benign rows as two more sources: without them the model fired on ~1.4% of
 * that text, which no injection source showed it. Like every source they are split into folds,
 * so their figures below are out-of-fold too.
 */
const extraBenign = args.includes('--no-extra-benign')
  ? []
  : ['pii', 'secrets'].flatMap((name) =>
      readJsonl(join(dirname(dataPath), `${name}.jsonl`)).map((r) => ({ id: r.id, text: r.text, label: false, source: `${name}.jsonl` })),
    );
const injectionRows = readJsonl(dataPath);
const rows: Row[] = [...injectionRows, ...extraBenign];
const synth = synthetic();
const all = [...rows, ...synth];
const t0 = performance.now();
const samples: Sample[] = all.map((r) => {
  const f = extractFeatures(r.text);
  return { idx: f.idx, val: f.val };
});
const labels = all.map((r) => r.label);
console.log(`features: ${all.length} rows (${synth.length} synthetic) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

function hashBucket(id: string, k: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % k;
}
/** The grouping unit: source + variant, or source + id bucket for sources without variants. */
function groupOf(r: Row): string {
  return r.variant !== undefined ? `${r.source}#${r.variant}` : `${r.source}#b${hashBucket(r.id, 10)}`;
}

/** Indices into `all` (dev rows only: synthetic rows are never tested on). */
const devIdx = rows.map((_, i) => i);
const synthIdx = synth.map((_, i) => rows.length + i);

/** Assigns groups to k folds: groups sorted by a hash, dealt round-robin within each source. */
function groupFolds(idx: readonly number[], k: number): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of idx) {
    const g = groupOf(all[i]!);
    const list = groups.get(g) ?? [];
    list.push(i);
    groups.set(g, list);
  }
  const keys = [...groups.keys()].sort((a, b) => hashBucket(a, 1 << 30) - hashBucket(b, 1 << 30));
  const folds: number[][] = Array.from({ length: k }, () => []);
  const perSource = new Map<string, number>();
  for (const key of keys) {
    const src = key.slice(0, key.indexOf('#'));
    const n = perSource.get(src) ?? hashBucket(src, k);
    perSource.set(src, n + 1);
    folds[n % k]!.push(...groups.get(key)!);
  }
  return folds;
}

function fit(trainIdx: readonly number[]): Float64Array {
  const ids = [...trainIdx, ...synthIdx];
  return train(
    ids.map((i) => samples[i]!),
    ids.map((i) => labels[i]!),
    opts,
  );
}

/** Out-of-fold probabilities for `idx` with a grouped k-fold. */
function oofScores(idx: readonly number[], k: number): Map<number, number> {
  const folds = groupFolds(idx, k);
  const out = new Map<number, number>();
  folds.forEach((test, f) => {
    const testSet = new Set(test);
    const w = fit(idx.filter((i) => !testSet.has(i)));
    for (const i of test) out.set(i, sigmoid(dot(w, samples[i]!)));
    void f;
  });
  return out;
}

/** Smallest threshold with FPR <= target on the given benign scores (ties pushed above). */
function pickThreshold(negScores: number[]): number {
  const s = [...negScores].sort((a, b) => b - a);
  const allowed = Math.floor(TARGET_FPR * s.length);
  const at = s[allowed] ?? 0;
  return Math.min(0.999, at + 1e-6);
}

/**
 * The threshold that keeps FPR <= target on EVERY benign source separately (the largest of the
 * per-source thresholds), not just on the pool: a new benign source is what the held-out sets
 * bring, and the pooled figure lets one large easy source hide a harder one.
 */
function pickThresholdPerSource(idx: readonly number[], score: (i: number) => number): number {
  const bySource = new Map<string, number[]>();
  for (const i of idx) {
    if (labels[i]) continue;
    const list = bySource.get(all[i]!.source) ?? [];
    list.push(score(i));
    bySource.set(all[i]!.source, list);
  }
  return Math.max(...[...bySource.values()].map(pickThreshold));
}

function rates(idx: readonly number[], score: (i: number) => number, threshold: number): { tp: number; p: number; fp: number; n: number } {
  const r = { tp: 0, p: 0, fp: 0, n: 0 };
  for (const i of idx) {
    const hit = score(i) >= threshold;
    if (labels[i]) {
      r.p++;
      if (hit) r.tp++;
    } else {
      r.n++;
      if (hit) r.fp++;
    }
  }
  return r;
}
const pct = (a: number, b: number): string => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

// ------------------------------------------------------------------ 1. leave-one-source-out
const sources = [...new Set(rows.map((r) => r.source))];
console.log('\n== Leave-one-source-out CV (threshold from an inner grouped 4-fold CV on the training sources, FPR <= 1% on each) ==');
console.log('held-out source                              rows   TPR      FPR     threshold');
const loso = { tp: 0, p: 0, fp: 0, n: 0 };
for (const src of sources) {
  const test = devIdx.filter((i) => all[i]!.source === src);
  const trainIdx = devIdx.filter((i) => all[i]!.source !== src);
  const inner = oofScores(trainIdx, 4);
  const thr = pickThresholdPerSource(trainIdx, (i) => inner.get(i)!);
  const w = fit(trainIdx);
  const r = rates(test, (i) => sigmoid(dot(w, samples[i]!)), thr);
  for (const k of ['tp', 'p', 'fp', 'n'] as const) loso[k] += r[k];
  console.log(`${src.padEnd(44)} ${String(test.length).padStart(5)}  ${pct(r.tp, r.p)}  ${pct(r.fp, r.n)}  ${thr.toFixed(3)}`);
}
console.log(`${'pooled'.padEnd(44)} ${String(devIdx.length).padStart(5)}  ${pct(loso.tp, loso.p)}  ${pct(loso.fp, loso.n)}`);

// ------------------------------------------------------------------ 2. grouped 5-fold
console.log('\n== Grouped 5-fold CV (groups = source+variant, or source+id bucket) ==');
const oof = oofScores(devIdx, 5);
const cvThreshold = pickThresholdPerSource(devIdx, (i) => oof.get(i)!);
const folds = groupFolds(devIdx, 5);
console.log(`threshold from out-of-fold benign scores (FPR <= 1% on each benign source): ${cvThreshold.toFixed(3)}`);
console.log('fold  rows   TPR      FPR');
folds.forEach((f, k) => {
  const r = rates(f, (i) => oof.get(i)!, cvThreshold);
  console.log(`${String(k).padEnd(4)} ${String(f.length).padStart(5)}  ${pct(r.tp, r.p)}  ${pct(r.fp, r.n)}`);
});
console.log('per source (pooled out-of-fold):');
for (const src of sources) {
  const r = rates(
    devIdx.filter((i) => all[i]!.source === src),
    (i) => oof.get(i)!,
    cvThreshold,
  );
  console.log(`  ${src.padEnd(44)} TPR ${pct(r.tp, r.p)}  FPR ${pct(r.fp, r.n)}`);
}
const pooled = rates(devIdx, (i) => oof.get(i)!, cvThreshold);
console.log(`  ${'pooled'.padEnd(44)} TPR ${pct(pooled.tp, pooled.p)}  FPR ${pct(pooled.fp, pooled.n)}`);
/** The rows of the injection dev set alone (what score.mjs measures). */
const injIdx = devIdx.filter((i) => i < injectionRows.length);
const injPooled = rates(injIdx, (i) => oof.get(i)!, cvThreshold);
console.log(`  ${'injection dev set only'.padEnd(44)} TPR ${pct(injPooled.tp, injPooled.p)}  FPR ${pct(injPooled.fp, injPooled.n)}`);

// ------------------------------------------------------------------ 3. nested threshold
// The threshold above is read off the same out-of-fold scores it is then applied to (a mild
// optimism at the 99th percentile of a few hundred benign rows). Here each outer fold gets the
// threshold an inner grouped 4-fold CV picks on its own training part, as a deployment would.
console.log('\n== Grouped 5-fold CV, threshold chosen inside each training fold (inner grouped 4-fold) ==');
const nestedHit = new Map<number, boolean>();
folds.forEach((test, k) => {
  const testSet = new Set(test);
  const trainIdx = devIdx.filter((i) => !testSet.has(i));
  const inner = oofScores(trainIdx, 4);
  const thr = pickThresholdPerSource(trainIdx, (i) => inner.get(i)!);
  for (const i of test) nestedHit.set(i, oof.get(i)! >= thr);
  console.log(`  fold ${k}: threshold ${thr.toFixed(3)}`);
});
for (const src of sources) {
  const r = rates(
    devIdx.filter((i) => all[i]!.source === src),
    (i) => (nestedHit.get(i)! ? 1 : 0),
    0.5,
  );
  console.log(`  ${src.padEnd(44)} TPR ${pct(r.tp, r.p)}  FPR ${pct(r.fp, r.n)}`);
}
const nested = rates(injIdx, (i) => (nestedHit.get(i)! ? 1 : 0), 0.5);
console.log(`  ${'injection dev set only'.padEnd(44)} TPR ${pct(nested.tp, nested.p)}  FPR ${pct(nested.fp, nested.n)}`);
if (showErrors) {
  const worst = devIdx
    .filter((i) => labels[i] !== oof.get(i)! >= cvThreshold)
    .sort((a, b) => Math.abs(oof.get(b)! - cvThreshold) - Math.abs(oof.get(a)! - cvThreshold));
  // the strongest false alarms and the strongest misses (the latter outnumber the former)
  for (const i of [...worst.filter((j) => !labels[j]).slice(0, 25), ...worst.filter((j) => labels[j]).slice(0, 40)])
    console.log(
      `  ${labels[i] ? 'MISS' : 'FA  '} ${oof.get(i)!.toFixed(3)} ${all[i]!.id} ${all[i]!.text.slice(0, 140).replace(/\s+/g, ' ')}`,
    );
}
/** `--misses inthewild` lists every out-of-fold miss of the sources whose name contains the word (for reading, not tuning on). */
const missesOf = args.includes('--misses') ? (args[args.indexOf('--misses') + 1] ?? '') : undefined;
if (missesOf !== undefined)
  for (const i of devIdx.filter((j) => labels[j] && all[j]!.source.includes(missesOf) && oof.get(j)! < cvThreshold))
    console.log(`  MISS ${oof.get(i)!.toFixed(3)} ${all[i]!.id} ${all[i]!.text.slice(0, 300).replace(/\s+/g, ' ')}`);
// ROC-AUC of the pooled out-of-fold scores (rank statistic)
{
  const pos = devIdx.filter((i) => labels[i]).map((i) => oof.get(i)!);
  const neg = devIdx.filter((i) => !labels[i]).map((i) => oof.get(i)!);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  console.log(`  out-of-fold ROC-AUC ${(wins / (pos.length * neg.length)).toFixed(4)}`);
}

// ------------------------------------------------------------------ final model
const final = fit(devIdx);
const round = (x: number): number => Math.round(x * 1e4) / 1e4;
const model: ModelFile = {
  version: 2,
  hashBits: HASH_BITS,
  hashScheme: HASH_SCHEME,
  cues: CUES.map((c) => c.id),
  dense: [...DENSE_FEATURES],
  threshold: round(cvThreshold),
  weights: Array.from(final, round),
  trainedOn: `${injectionRows.length} injection dev rows + ${extraBenign.length} benign rows from the PII and secrets dev sets + ${synth.length} synthetic; ${JSON.stringify(opts)}`,
};
const top = CUES.map((c, k) => [c.id, final[CUE_OFFSET + k] ?? 0] as const)
  .sort((a, b) => b[1] - a[1])
  .map(([id, v]) => `${id}:${v.toFixed(2)}`);
console.log(`\ncue weights: ${top.join(' ')}`);
console.log(`dense weights: ${DENSE_FEATURES.map((d, k) => `${d}:${(final[CUE_OFFSET + CUES.length + k] ?? 0).toFixed(2)}`).join(' ')}`);
if (write) {
  const out = fileURLToPath(new URL('../src/guardrails/injection/model.json', import.meta.url));
  const json = `${JSON.stringify(model)}\n`;
  writeFileSync(out, json);
  console.log(`wrote ${out} (${(json.length / 1024).toFixed(1)} KB), threshold ${model.threshold}`);
}

/**
 * Prompt-injection / jailbreak detector. Normalises the text (normalize.ts), extracts cue and
 * hashed n-gram features (features.ts), scores them with the shipped logistic-regression model
 * (model.json, trained by scripts/train-injection-model.ts) and, when the probability passes
 * the threshold, reports one finding per category that has a positively weighted cue: the span
 * is the earliest such cue of the category mapped back into the original text (for a cue found in a decoded base64/hex/rot13
 * block, the whole encoded run). With no cue at all, the whole text is reported.
 */
import { INJECTION_CATEGORIES, type Finding, type InjectionCategory } from '../types.js';
import { CUES } from './cues.js';
import { CUE_OFFSET, DENSE_FEATURES, type Extracted, extractFeatures, HASH_BITS, HASH_SCHEME } from './features.js';
import rawModel from './model.json' with { type: 'json' };
import { dot, type ModelFile, sigmoid } from './model.js';
import { toOriginal } from './normalize.js';

const model = rawModel as ModelFile;

// The weights are positional: refuse to run with a model trained on other features.
if (
  model.hashBits !== HASH_BITS ||
  model.hashScheme !== HASH_SCHEME ||
  model.cues.join() !== CUES.map((c) => c.id).join() ||
  model.dense.join() !== DENSE_FEATURES.join()
)
  throw new Error('injection model.json does not match the feature set: run `npx tsx scripts/train-injection-model.ts`');

const weights = Float64Array.from(model.weights);

/** Probability threshold chosen for FPR <= 1% on out-of-fold benign dev scores. */
export const DEFAULT_INJECTION_THRESHOLD = model.threshold;

export type InjectionOptions = {
  /** 0..1 probability above which a text is reported (a policy's sensitivity). */
  threshold?: number;
};

export type InjectionScore = {
  probability: number;
  /** Cue hits in the original text with their model weight, strongest first. */
  cues: { id: string; category: InjectionCategory; start: number; end: number; weight: number }[];
};

/** The model's view of a text, for debugging and for callers that want the raw score. */
export function scoreInjection(text: string): InjectionScore {
  const f = extractFeatures(text);
  return { probability: sigmoid(dot(weights, f)), cues: cuesOf(f) };
}

/** The cue hits mapped back into the original text, strongest first. */
function cuesOf(f: Extracted): InjectionScore['cues'] {
  return f.hits
    .map((h) => {
      const cue = CUES[h.cue]!;
      const span = toOriginal(f.norm, h.normStart, h.normEnd);
      // instructions found inside decoded or embedded content are smuggled, whatever the phrase
      const smuggled = (h.decoded || h.embedded) && (cue.category === 'INSTRUCTION_HIJACKING' || cue.category === 'ROLE_CONFUSION');
      const category: InjectionCategory = smuggled ? 'CONTEXT_SMUGGLING' : cue.category;
      return { id: cue.id, category, start: span.start, end: span.end, weight: weights[CUE_OFFSET + h.cue] ?? 0 };
    })
    .sort((a, b) => b.weight - a.weight);
}

export function detectInjection(text: string, options: InjectionOptions = {}): Finding[] {
  if (text.length === 0) return [];
  const threshold = options.threshold ?? DEFAULT_INJECTION_THRESHOLD;
  const f = extractFeatures(text);
  const probability = sigmoid(dot(weights, f));
  if (probability < threshold) return [];
  // only a reported text needs its cues' spans in the original (mapping them back costs a second fold)
  const cues = cuesOf(f);
  const findings: Finding[] = [];
  const confidence = Math.round(probability * 1000) / 1000;
  for (const category of INJECTION_CATEGORIES) {
    // the earliest positively weighted cue of the category: where the attack starts ("ignore all
    // previous instructions" before the "reveal the system prompt" it leads to), which does not
    // move when a retrain reorders the cue weights
    const best = cues
      .filter((c) => c.category === category && c.weight > 0 && c.end > c.start)
      .reduce<(typeof cues)[number] | undefined>((a, c) => (a === undefined || c.start < a.start ? c : a), undefined);
    if (best) findings.push({ detector: 'injection', type: category, start: best.start, end: best.end, confidence });
  }
  if (findings.length === 0) {
    // no positive cue: the n-grams carried the score; blame the whole text, typed by the best
    // (least negative) cue if any, else as hijacking, the most common kind
    const type = cues[0]?.category ?? 'INSTRUCTION_HIJACKING';
    findings.push({ detector: 'injection', type, start: 0, end: text.length, confidence });
  }
  return findings.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The logistic-regression model shared by the detector and the training script: the weight
 * layout, the dot product over a sparse feature vector, and the trainer itself (AdaGrad SGD,
 * class-balanced, L2, attack-phrase cue weights kept non-negative, deterministic order from a seeded PRNG so a retrain is reproducible).
 */
import { CONTEXT_CUES, CUES } from './cues.js';
import { seededRandom } from '../seeded-random.js';
import { CUE_OFFSET, DENSE_OFFSET, type Extracted, FEATURE_DIM, HASH_DIM } from './features.js';

/**
 * Cue weights that may not go negative: an attack phrase ("never refuse", "developer mode
 * enabled") is evidence for an attack or nothing. Without the bound, phrases that mostly co-occur
 * with stronger cues in the same long jailbreaks learned negative weights that only explain
 * the other cues away, and a short text with that phrase alone scored lower than with none (the
 * leave-one-source-out in-the-wild TPR went from 0.61 to 0.72 with the bound). Context cues
 * (CONTEXT_CUES: document intros, fiction framing, secret nouns…) are common in benign text and
 * keep their sign free.
 */
const NON_NEGATIVE = Uint8Array.from({ length: FEATURE_DIM }, (_, f) =>
  f >= CUE_OFFSET && f < DENSE_OFFSET && !CONTEXT_CUES.has(CUES[f - CUE_OFFSET]?.id ?? '') ? 1 : 0,
);

export type ModelFile = {
  version: 2;
  hashBits: number;
  /** The hashed feature scheme (features.ts HASH_SCHEME) the weights were trained on. */
  hashScheme: string;
  cues: string[];
  dense: string[];
  /** Decision threshold on the probability (FPR <= 1% on out-of-fold benign scores). */
  threshold: number;
  weights: number[];
  trainedOn: string;
};

export type Sample = Pick<Extracted, 'idx' | 'val'>;

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function dot(weights: ArrayLike<number>, s: Sample): number {
  let z = 0;
  for (let k = 0; k < s.idx.length; k++) z += (weights[s.idx[k] ?? 0] ?? 0) * (s.val[k] ?? 0);
  return z;
}

export type TrainOptions = {
  epochs: number;
  /** L2 on the hashed n-gram weights (they are what overfits to a source's style). */
  l2Hash: number;
  /** L2 on cue and dense weights. */
  l2Other: number;
  lr: number;
  seed: number;
};

/**
 * l2Hash 0.01. With the dev rows alone 0.03 was the only value whose grouped-CV FPR stayed under
 * 1% with thresholds picked inside the folds (the word weights memorised a source's phrasing at
 * less). With the written rows of scripts/injection-training-rows/ the words have more varied
 * company: measured on an earlier selection of those rows, 0.01 gave the same grouped CV as 0.02
 * and 0.03 and a lower leave-one-source-out FPR (0.041 against 0.044 and 0.045), and 0.005 lost
 * 1.5 points of CV.
 */
export const DEFAULT_TRAIN: TrainOptions = { epochs: 40, l2Hash: 0.01, l2Other: 1e-4, lr: 0.3, seed: 17 };

export function train(samples: readonly Sample[], labels: readonly boolean[], o: TrainOptions = DEFAULT_TRAIN): Float64Array {
  const w = new Float64Array(FEATURE_DIM);
  const g2 = new Float64Array(FEATURE_DIM).fill(1e-8);
  const pos = labels.filter(Boolean).length;
  const neg = labels.length - pos;
  // balance the classes: each class carries half of the loss
  const cw = { pos: labels.length / (2 * Math.max(1, pos)), neg: labels.length / (2 * Math.max(1, neg)) };
  const order = samples.map((_, i) => i);
  const rand = seededRandom(o.seed);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    for (const i of order) {
      const s = samples[i]!;
      const y = labels[i] ? 1 : 0;
      const p = sigmoid(dot(w, s));
      const gScale = (p - y) * (y === 1 ? cw.pos : cw.neg);
      for (let k = 0; k < s.idx.length; k++) {
        const f = s.idx[k]!;
        const l2 = f < HASH_DIM ? o.l2Hash : f === DENSE_OFFSET ? 0 : o.l2Other;
        const g = gScale * s.val[k]! + l2 * w[f]!;
        g2[f]! += g * g;
        w[f]! -= (o.lr * g) / Math.sqrt(g2[f]!);
        if (NON_NEGATIVE[f] === 1 && w[f]! < 0) w[f] = 0;
      }
    }
  }
  return w;
}

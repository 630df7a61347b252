/** Turns an org's compiled custom rules into a detector for one direction (input or output). */
import { detectionView, type DetectionView } from '../detection-view.js';
import { findingsInRuns } from '../encoded-values.js';
import type { Detector, Finding } from '../types.js';
import { matchRule, type CompiledRule } from './rules.js';

/** A detector; pass the text's view when the caller already made it (apply.ts does, for PII). */
export function customDetector(
  rules: readonly CompiledRule[],
  direction: 'input' | 'output',
): Detector & ((text: string, view?: DetectionView) => Finding[]) {
  const active = rules.filter(({ rule }) => rule.scope === 'both' || rule.scope === direction);
  const run = (text: string): Finding[] =>
    active.flatMap((compiled) =>
      matchRule(compiled, text).map(({ start, end }) => ({
        detector: 'custom' as const,
        type: compiled.rule.name,
        start,
        end,
        confidence: 1,
      })),
    );
  return (text: string, view: DetectionView = detectionView(text)): Finding[] => {
    if (active.length === 0) return [];
    const found = run(text);
    // Rules run on the text as written (a rule may look for zero-width characters themselves)
    // and, when it has look-alike or invisible characters, on the text as the PII and secret
    // detectors read it too: a blocked term with a no-break or zero-width space in it is the term.
    // So do what its base64 and hex runs decode to, as deep as the secret and PII detectors read
    // them (encoded-values.ts), a match there covering the run and hashed as the term it matched.
    const inView = view.text === text ? [] : run(view.text);
    const inRuns = findingsInRuns(view.text, run);
    if (inView.length === 0 && inRuns.length === 0) return found;
    const seen = new Set(found.map((f) => `${f.type}\u0000${f.start}\u0000${f.end}`));
    const more = view.inOriginal([...inView, ...inRuns]).filter((f) => {
      const key = `${f.type}\u0000${f.start}\u0000${f.end}`;
      return !seen.has(key) && seen.add(key);
    });
    return more.length === 0 ? found : [...found, ...more].sort((a, b) => a.start - b.start || a.end - b.end);
  };
}

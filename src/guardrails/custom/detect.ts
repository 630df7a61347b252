/** Turns an org's compiled custom rules into a detector for one direction (input or output). */
import type { Detector, Finding } from '../types.js';
import { matchRule, type CompiledRule } from './rules.js';

export function customDetector(rules: readonly CompiledRule[], direction: 'input' | 'output'): Detector {
  const active = rules.filter(({ rule }) => rule.scope === 'both' || rule.scope === direction);
  return (text: string): Finding[] =>
    active.flatMap((compiled) =>
      matchRule(compiled, text).map(({ start, end }) => ({
        detector: 'custom' as const,
        type: compiled.rule.name,
        start,
        end,
        confidence: 1,
      })),
    );
}

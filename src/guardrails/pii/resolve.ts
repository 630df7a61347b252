/**
 * One finding per span. Sub-detectors run independently and can claim overlapping text (a card
 * number is also phone-shaped, an IPv6 address ends in a dotted quad). Within each group of
 * mutually overlapping findings we keep the most confident one, ties going to the more specific
 * type, then the longer span, and drop whatever overlaps it; the rest of the group is then
 * reconsidered the same way. Sorting once and grouping in one sweep keeps this O(n log n).
 */
import type { Finding } from '../types.js';
import { appendAll } from '../../append-all.js';

// Most specific first: checksums and fixed layouts beat shapes that many strings share.
const SPECIFICITY: Readonly<Record<string, number>> = { EMAIL: 6, CREDIT_CARD: 5, API_KEY: 4, SSN: 3, IP_ADDRESS: 2, PHONE: 1 };

function better(a: Finding, b: Finding): number {
  return (
    b.confidence - a.confidence ||
    (SPECIFICITY[b.type] ?? 0) - (SPECIFICITY[a.type] ?? 0) ||
    b.end - b.start - (a.end - a.start) ||
    a.start - b.start
  );
}

export function resolveOverlaps(findings: Finding[]): Finding[] {
  if (findings.length < 2) return findings;
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  let group: Finding[] = [];
  let groupEnd = -1;
  for (const f of sorted) {
    if (group.length > 0 && f.start >= groupEnd) {
      pick(group, out);
      group = [];
    }
    group.push(f);
    groupEnd = Math.max(groupEnd, f.end);
  }
  pick(group, out);
  return out.sort((a, b) => a.start - b.start);
}

/** Greedy by rank inside one overlap group (groups are small: a handful of candidates). */
function pick(group: Finding[], out: Finding[]): void {
  if (group.length === 1) {
    out.push(group[0]!);
    return;
  }
  const kept: Finding[] = [];
  for (const f of [...group].sort(better)) if (kept.every((k) => f.end <= k.start || f.start >= k.end)) kept.push(f);
  appendAll(out, kept);
}

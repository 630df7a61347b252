/**
 * Secret detector: finds provider keys, tokens, private keys and credential assignments in a
 * prompt or response. Pure and synchronous; cost is one keyword scan over the text plus, for each
 * keyword hit, bounded regexes over a window around it.
 *
 * Pipeline: prefilter (keyword scan) -> per-rule windows around hits -> rule regex -> placeholder
 * allowlist and entropy -> rule check (checksums, structure) -> overlap resolution by priority.
 */
import type { Finding } from '../types.js';
import { isPlaceholder } from './allowlist.js';
import { shannonEntropy } from './entropy.js';
import { buildPrefilter } from './prefilter.js';
import type { RuleHit, SecretRule } from './rule.js';
import { SECRET_RULES } from './rules/index.js';

const DEFAULT_BEFORE = 48;
const DEFAULT_AFTER = 320;
/** Anchors tried inside the span of earlier matches of the same rule before the rest of that span is skipped. */
const MAX_NESTED_ANCHORS = 8;

/** Rule patterns recompiled with `d` (exact group offsets) and, for anchored rules, `y` (match only at lastIndex). */
const PATTERNS: readonly RegExp[] = SECRET_RULES.map((r) => {
  const anchored = r.anchor !== 'window';
  const flags = new Set([...r.pattern.flags, 'd', 'g']);
  if (anchored) flags.add('y');
  return new RegExp(r.pattern.source, [...flags].join(''));
});
const PREFILTER = buildPrefilter(SECRET_RULES);

type Candidate = { rule: SecretRule; start: number; end: number; confidence: number; type: string };

/** Per rule: anchored start positions, or merged [start, end) windows, from the keyword hits. */
type Work = { anchors: Set<number>; windows: number[] };

function collectWork(text: string): Map<number, Work> {
  const work = new Map<number, Work>();
  PREFILTER.scan(text, (indices, hitStart, hitEnd) => {
    for (const index of indices) {
      const rule = SECRET_RULES[index]!;
      let w = work.get(index);
      if (w === undefined) work.set(index, (w = { anchors: new Set(), windows: [] }));
      const anchor = rule.anchor ?? 'hit';
      if (anchor === 'hit') w.anchors.add(hitStart);
      else if (anchor !== 'window') {
        const at = anchor(text, hitStart);
        if (at >= 0) w.anchors.add(at);
      } else {
        const start = Math.max(0, hitStart - (rule.before ?? DEFAULT_BEFORE));
        const end = Math.min(text.length, hitEnd + (rule.after ?? DEFAULT_AFTER));
        const list = w.windows;
        if (list.length > 0 && start <= list[list.length - 1]!) list[list.length - 1] = Math.max(end, list[list.length - 1]!);
        else list.push(start, end);
      }
    }
  });
  return work;
}

/** Validates one regex match (offset = where `source` starts in `text`) and records its candidates. */
function consider(text: string, rule: SecretRule, m: RegExpExecArray, offset: number, out: Candidate[]): boolean {
  const at = m.indices?.groups?.secret ?? m.indices?.[0];
  if (!at) return false;
  const start = offset + at[0];
  const end = offset + at[1];
  const secret = text.slice(start, end);
  if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) return false;
  if (isPlaceholder(secret, rule.placeholders ?? 'format')) return false;
  let confidence = rule.confidence;
  let hits: readonly RuleHit[] | undefined;
  if (rule.check) {
    const verdict = rule.check({ text, match: m, secret, start: offset + m.index, end: offset + m.index + m[0].length, offset });
    if (verdict === false || (Array.isArray(verdict) && verdict.length === 0)) return false;
    if (typeof verdict === 'number') confidence = verdict;
    else if (typeof verdict !== 'boolean') hits = verdict;
  }
  if (hits === undefined) out.push({ rule, start, end, confidence, type: rule.id });
  else
    for (const h of hits) out.push({ rule, start: h.start, end: h.end, confidence: h.confidence ?? confidence, type: h.type ?? rule.id });
  return true;
}

function runRule(text: string, index: number, work: Work, out: Candidate[]): void {
  const rule = SECRET_RULES[index]!;
  const pattern = PATTERNS[index]!;
  // Each anchored match reads a value of up to a few hundred characters, so a text packed with
  // keywords ("pass:pass:pass:…", "pwd=pwd=…") would pay a full value check at every few characters.
  // Two bounds keep that linear with a small constant: an anchor inside a value this rule already
  // reported is part of that secret, not a new one (overlap resolution would drop it anyway); and
  // inside the span of earlier matches at most MAX_NESTED_ANCHORS more anchors are tried (a query
  // string's `?user=…&token=…` has a few; hundreds are padding). Anchors come in text order.
  let reportedUntil = -1;
  let matchedUntil = -1;
  let nested = 0;
  for (const anchor of work.anchors) {
    if (anchor < reportedUntil) continue;
    if (anchor < matchedUntil) {
      if (++nested > MAX_NESTED_ANCHORS) continue;
    } else nested = 0;
    pattern.lastIndex = anchor;
    const m = pattern.exec(text);
    if (m === null || m[0].length === 0) continue;
    matchedUntil = Math.max(matchedUntil, m.index + m[0].length);
    const before = out.length;
    consider(text, rule, m, 0, out);
    for (let c = before; c < out.length; c++) reportedUntil = Math.max(reportedUntil, out[c]!.end);
  }
  const spans = work.windows;
  for (let w = 0; w < spans.length; w += 2) {
    const windowStart = spans[w]!;
    const slice = text.slice(windowStart, spans[w + 1]);
    pattern.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = pattern.exec(slice)) !== null) {
      if (m[0].length === 0) pattern.lastIndex++;
      else consider(text, rule, m, windowStart, out);
    }
  }
}

/**
 * Keeps, among overlapping candidates, the most specific (priority), then surest, then longest.
 * The kept spans never overlap, so they stay sorted by start and each candidate is checked against
 * its two neighbours found by binary search: n log n, where comparing with every kept span made a
 * text with thousands of findings quadratic.
 */
function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  candidates.sort(
    (a, b) =>
      (b.rule.priority ?? 1) - (a.rule.priority ?? 1) ||
      b.confidence - a.confidence ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  for (const c of candidates) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (kept[mid]!.start < c.start) lo = mid + 1;
      else hi = mid;
    }
    const previous = kept[lo - 1];
    const next = kept[lo];
    if ((previous !== undefined && previous.end > c.start) || (next !== undefined && next.start < c.end)) continue;
    kept.splice(lo, 0, c);
  }
  return kept;
}

export function detectSecrets(text: string): Finding[] {
  if (text.length < 8) return [];
  const work = collectWork(text);
  if (work.size === 0) return [];
  const candidates: Candidate[] = [];
  for (const [index, w] of work) runRule(text, index, w, candidates);
  return resolveOverlaps(candidates).map((c) => ({
    detector: 'secret',
    type: c.type,
    start: c.start,
    end: c.end,
    confidence: c.confidence,
  }));
}

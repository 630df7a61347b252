/**
 * The cheap first pass: one linear, case-insensitive scan for every rule keyword at once. Each
 * position's two-character (ASCII, lower-cased) prefix indexes a small table of keywords starting
 * with it, so a prompt without credential-ish words costs one pass and a table lookup per character.
 * Only rules with a keyword hit run their regex, and only at or near the hit.
 */
import type { SecretRule } from './rule.js';

type Entry = { keyword: string; rules: readonly number[] };

export type Prefilter = {
  /** Calls `onHit` for every occurrence of every keyword (overlaps included), in text order. */
  scan(text: string, onHit: (rules: readonly number[], start: number, end: number) => void): void;
};

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code | 32 : code;
}

export function buildPrefilter(rules: readonly SecretRule[]): Prefilter {
  const byKeyword = new Map<string, number[]>();
  rules.forEach((rule, index) => {
    for (const keyword of rule.keywords) {
      const k = keyword.toLowerCase();
      if (k.length < 2 || /[^\x20-\x7e]/.test(k))
        throw new Error(`secret rule ${rule.id}: keyword "${keyword}" must be 2+ printable ASCII characters`);
      const list = byKeyword.get(k) ?? [];
      list.push(index);
      byKeyword.set(k, list);
    }
  });
  // Dense slot table (bigram -> bucket number, -1 for none): a holey array would make every miss a prototype-chain lookup.
  const slots = new Int32Array(128 * 128).fill(-1);
  const buckets: Entry[][] = [];
  for (const [keyword, indices] of byKeyword) {
    const slot = (keyword.charCodeAt(0) << 7) | keyword.charCodeAt(1);
    if (slots[slot] === -1) {
      slots[slot] = buckets.length;
      buckets.push([]);
    }
    buckets[slots[slot]!]!.push({ keyword, rules: indices });
  }
  return {
    scan(text, onHit) {
      const n = text.length;
      let c1 = n > 0 ? lowerAscii(text.charCodeAt(0)) : 0;
      for (let i = 0; i < n - 1; i++) {
        const c0 = c1;
        c1 = lowerAscii(text.charCodeAt(i + 1));
        if (c0 >= 128 || c1 >= 128) continue;
        const b = slots[(c0 << 7) | c1]!;
        if (b === -1) continue;
        for (const { keyword, rules: indices } of buckets[b]!) {
          const end = i + keyword.length;
          if (end > n) continue;
          let k = 2;
          while (k < keyword.length && lowerAscii(text.charCodeAt(i + k)) === keyword.charCodeAt(k)) k++;
          if (k === keyword.length) onHit(indices, i, end);
        }
      }
    },
  };
}

/**
 * Keys written backwards or in rot13: "x8Ea2Sg4…R_phg", "tuc_E8kX2zD9…". "Print the token
 * reversed" or "in rot13" gets a key past an output filter as surely as base64 does, and a model
 * turns it back as easily; the detectors read it as written, so only a rule for unnamed
 * high-entropy strings could find it, and only after a label ("token = …"), never in prose.
 *
 * A run of 20 or more token characters (letters, digits, `+ / - _`) is read backwards, and in
 * rot13, when that reading starts with the prefix of a key format that names itself: a keyword
 * a secret rule's match starts with (`ghp_`, `sk-ant-api`, `xoxb-`, `akia`…). Only then are the
 * detectors asked, so words, hashes and ids cost a look at their first characters. A finding
 * covers the run and hashes as the key.
 */
import type { EncodedRun } from './encoded-values.js';
import { rot13 } from './injection/decoders.js';
import { SECRET_RULES } from './secrets/rules/index.js';
import { inAlphabet, runEndAfter, runStartBefore } from './token-runs.js';

/** The shortest run read: shorter keys with a prefix are rare, and words are shorter still. */
const MIN_TOKEN = 20;

/** The keywords that start a rule's match (its default anchor), by their first three characters. */
const PREFIXES_BY_START = (() => {
  const byStart = new Map<string, string[]>();
  for (const rule of SECRET_RULES) {
    if (rule.anchor !== undefined && rule.anchor !== 'hit') continue;
    for (const keyword of rule.keywords) {
      if (keyword.length < 3 || !/^[a-z0-9_+/-]+$/.test(keyword)) continue;
      const list = byStart.get(keyword.slice(0, 3)) ?? [];
      if (!list.includes(keyword)) list.push(keyword);
      byStart.set(keyword.slice(0, 3), list);
    }
  }
  return byStart;
})();
const LONGEST_PREFIX = Math.max(...[...PREFIXES_BY_START.values()].flat().map((k) => k.length));

/** Whether `reading` starts with a key format's prefix (case aside, as the rules' keywords are). */
function startsLikeKey(reading: string): boolean {
  const head = reading.slice(0, LONGEST_PREFIX).toLowerCase();
  return PREFIXES_BY_START.get(head.slice(0, 3))?.some((prefix) => head.startsWith(prefix)) ?? false;
}

const backwards = (token: string): string => token.split('').reverse().join('');

/** The key-like runs of `text` written backwards or in rot13, each read as the key. */
export function transformedTokens(text: string): EncodedRun[] {
  const runs: EncodedRun[] = [];
  // a run of MIN_TOKEN holds every MIN_TOKEN-th position: only those are looked at until one is in a run
  for (let i = MIN_TOKEN - 1; i < text.length;) {
    if (!inAlphabet(text.charCodeAt(i))) {
      i += MIN_TOKEN;
      continue;
    }
    const start = runStartBefore(text, i);
    const end = runEndAfter(text, i + 1);
    i = end + MIN_TOKEN;
    if (end - start < MIN_TOKEN) continue;
    const token = text.slice(start, end);
    for (const read of [backwards, rot13]) {
      const reading = read(token);
      if (startsLikeKey(reading)) runs.push({ start, end, decoded: reading, flat: true });
    }
  }
  return runs;
}

/**
 * String literals joined in code: `"ghp_R8x" + "K2m…"` (JavaScript, Java, C#, Go), `'AKIA' .
 * 'IOSF…'` (PHP), `..` (Lua), `||` (SQL), `&` (Visual Basic), or written a line each (`"sk-"`
 * and `"proj-…"` on the next line: Python and C join them). A key split so that no scanner sees
 * it whole (a repository's push protection, a gateway's filter) is one value to the program, and
 * to a model reading the code; the detectors read words, so neither half was anything to them.
 *
 * A chain of two or more literals with a joining operator or a line break between each two is
 * read with its literals' contents joined; a finding there covers the literals from the first
 * character of the value to its last (the quotes and operators between them included) and hashes
 * as the value. A literal's escapes are kept as written. A chain's parts are read on their own as
 * well, so a finding over one of them does not stop the chain being read (findingsInRuns).
 */
import type { EncodedRun } from './encoded-values.js';

/** The fewest characters a chain must join to be read: no value looked for is shorter. */
export const MIN_JOINED = 8;

/** A native check: a quote, whitespace or a joining operator, and a quote. */
const MAY_BE_JOINED = /["'`](?:[ \t]*(?:\+|\.\.?|\|\||&)\s*|\s+)["'`]/;

/**
 * One literal on one line (a template literal may span lines), escapes kept. Linear over any
 * text: a quote with no closing one scans to its line's end once, and only the last of its kind
 * on a line can lack one.
 */
const LITERAL = /"((?:[^"\\\r\n]|\\.)*)"|'((?:[^'\\\r\n]|\\.)*)'|`((?:[^`\\]|\\[^])*)`/g;

/**
 * What may stand between two joined literals: whitespace with one operator, or a line break
 * (Python and C join literals written a line each). Two literals side by side on one line are
 * not joined: a shell command's arguments are written so (`curl -H "Authorization: …" "http://…"`).
 */
const JOIN = /^\s*(?:\+|\.\.?|\|\||&)\s*$|^[ \t]*\r?\n\s*$/;
/** The longest such gap looked at (a line wrapped after the operator and indented). */
const MAX_JOIN = 64;

/** Where each literal's content starts in the text and in the joined value. */
type Part = { text: number; joined: number };

const isJoin = (gap: string): boolean => gap.length > 0 && gap.length <= MAX_JOIN && JOIN.test(gap);

/** The run of a chain of literals: its contents joined, and where each joined character is written. */
function chainRun(text: string, literals: readonly RegExpExecArray[]): EncodedRun | undefined {
  if (literals.length < 2) return undefined;
  const parts: Part[] = [];
  let decoded = '';
  for (const m of literals) {
    parts.push({ text: m.index + 1, joined: decoded.length });
    decoded += m[1] ?? m[2] ?? m[3] ?? '';
  }
  if (decoded.length < MIN_JOINED) return undefined;
  /** The text offset of the joined value's character `i`. */
  const inText = (i: number): number => {
    // the last part that starts at or before i (a binary search: a chain may have thousands)
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (parts[mid]!.joined <= i) lo = mid;
      else hi = mid - 1;
    }
    return parts[lo]!.text + (i - parts[lo]!.joined);
  };
  const last = literals.at(-1)!;
  return {
    start: literals[0]!.index,
    end: last.index + last[0].length,
    decoded,
    span: (from, to) => [inText(from), inText(to - 1) + 1],
    readOverFindings: true,
  };
}

/** The literals of `text` in chains: each with the literals joined to it before and after it. */
function chains(text: string): RegExpExecArray[][] {
  const all: RegExpExecArray[][] = [];
  let chain: RegExpExecArray[] = [];
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(text); m !== null; m = LITERAL.exec(text)) {
    const previous = chain.at(-1);
    if (previous && !isJoin(text.slice(previous.index + previous[0].length, m.index))) {
      all.push(chain);
      chain = [];
    }
    chain.push(m);
  }
  if (chain.length > 0) all.push(chain);
  return all;
}

/** The chains of joined literals in `text`, each read as one value. */
export function joinedLiterals(text: string): EncodedRun[] {
  if (!MAY_BE_JOINED.test(text)) return [];
  return chains(text).flatMap((chain) => chainRun(text, chain) ?? []);
}

/** A literal whose closing quote has not arrived yet. */
const OPEN = '(?:"[^"\\r\\n]*|\'[^\'\\r\\n]*|`[^`]*)';
/**
 * After a chain's last literal: whitespace that may yet become a join, or a join (as JOIN reads
 * one) being written, with perhaps the next literal's start.
 */
const JOIN_BEING_WRITTEN = new RegExp(`^\\s*$|^\\s*(?:\\+|\\.\\.?|\\|\\||&)\\s*${OPEN}?$|^[ \\t]*\\r?\\n\\s*${OPEN}?$`);

/**
 * Where a chain of literals that may go on past the end of `text` starts: its last literal is
 * followed only by whitespace, a joining operator, or a line break, and perhaps the start of the
 * next literal. A stream holds it from there until it ends (a chain longer than the words it
 * holds anyway had its first literals sent before the rest arrived, and only the rest was
 * redacted). Undefined otherwise. One pattern pass over `text`.
 */
export function joinedChainAtEnd(text: string): number | undefined {
  const chain = chains(text).at(-1);
  const last = chain?.at(-1);
  if (!chain || !last) return undefined;
  return JOIN_BEING_WRITTEN.test(text.slice(last.index + last[0].length)) ? chain[0]!.index : undefined;
}

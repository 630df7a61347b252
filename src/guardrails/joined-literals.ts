/**
 * String literals joined in code: `"ghp_R8x" + "K2m…"` (JavaScript, Java, C#, Go), `'AKIA' .
 * 'IOSF…'` (PHP), `..` (Lua), `||` (SQL), `&` (Visual Basic), or written a line each (`"sk-"`
 * and `"proj-…"` on the next line: Python and C join them). A key split so that no scanner sees
 * it whole (a repository's push protection, a gateway's filter) is one value to the program, and
 * to a model reading the code; the detectors read words, so neither half was anything to them.
 *
 * Literals are joined by a call too: `"…".concat("…")` (JavaScript, Java), and a list of them
 * given to a join (`"".join(["…", "…"])` in Python, `[…].join("")`, `String.join("", …)`,
 * `strings.Join([]string{…}, "")`, `implode('', […])`, `CONCAT('…', '…')` in SQL), where commas
 * stand between them: a comma joins only inside such a call (a list of addresses or a function's
 * arguments is not one value), and the join's separator is taken to be empty.
 *
 * A chain of two or more literals with a joining operator or a line break between each two is
 * read with its literals' contents joined; a finding there covers the literals from the first
 * character of the value to its last (the quotes and operators between them included) and hashes
 * as the value. A literal's escapes are kept as written. A chain's parts are read on their own as
 * well, so a finding over one of them does not stop the chain being read (findingsInRuns).
 */
import type { EncodedRun } from './encoded-values.js';
import { lastAtOrBefore } from './last-at-or-before.js';

/** The fewest characters a chain must join to be read: no value looked for is shorter. */
export const MIN_JOINED = 8;

/** A native check: a quote, whitespace or a joining operator, and a quote or a comment (GAP_COMMENT). */
const MAY_BE_JOINED = /["'`](?:[ \t]*(?:\+|\.\.?|\|\||&)\s*|\s+)["'`]|["'`]\s*(?:(?:\+|\.\.?|\|\||&)\s*)?(?:\/[*/]|#|--)/;

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
const JOIN = /^\s*(?:\+|\.\.?|\|\||&|\)?\s*\.\s*concat\s*\()\s*$|^[ \t]*\r?\n\s*$/;
/** A comma between two literals of a list: a join only inside a join call (LIST_OPENED, LIST_JOINED). */
const COMMA = /^\s*,\s*$/;
/** A call that joins a list of strings, a word of it at least, in the text: the native check for commas. */
const MAY_BE_LISTED = /(?:join|concat|implode|joinToString)\s*\(/i;
/**
 * What comes before a list's first literal in a join call: the call's name and parenthesis, a
 * separator literal, and the list's opening (`[`, `(`, `{`, Go's `[]string{`, C#'s `new[] {`).
 */
const LIST_OPENED =
  /(?:join|concat|implode)\s*\(\s*(?:(?:"[^"\r\n]*"|'[^'\r\n]*')\s*,\s*)?(?:\[\]\s*string\s*\{|new\s*(?:string\s*)?\[\]\s*\{|[[({])?\s*$/i;
/** What comes after a list's last literal when the join follows it: `["…", "…"].join("")` (JavaScript, Ruby, Kotlin). */
const LIST_JOINED = /^\s*[\])}]\s*\.\s*(?:join|joinToString)\s*\(/;
/** How far before and after a list its join call is looked for. */
const LIST_CONTEXT = 64;
/** The longest such gap looked at (a line wrapped after the operator and indented). */
const MAX_JOIN = 64;

/** A native check for a comment between two literals (see uncommented). */
const MAY_BE_COMMENTED = /[/#-]/;
/** The longest gap with comments looked at (the comments are then taken out: MAX_JOIN bounds the rest). */
const MAX_COMMENTED = 256;
/** The comment being written at the end of a stream (a block comment not yet closed, a line comment). */
const COMMENT_BEING_WRITTEN = /\/\*(?:[^*]|\*(?!\/))*$|(?:\/\/|#|--)[^\r\n]*$/;

/**
 * A gap between two literals of a chain without its comments, each read as a space: `/* … *\/`,
 * and line comments (`//`, `#`, `--`) that a line break ends (one the line's end does not close
 * holds the next literal: `"a" + // "b"` joins nothing). A key split around a comment
 * (`"ghp_R8x" + // rest below`) is as whole to the program as one split around a plain line
 * break. One walk: a pattern tried at each opener scanned on to the gap's end from every one
 * that never closes.
 */
function uncommented(gap: string): string {
  if (gap.length > MAX_COMMENTED || !MAY_BE_COMMENTED.test(gap)) return gap;
  let out = '';
  let from = 0;
  // once a search for a closing finds none, no later opener of its kind closes either
  let blockCloses = true;
  let lineEnds = true;
  for (let i = 0; i < gap.length;) {
    const pair = gap.slice(i, i + 2);
    let end = -1;
    if (pair === '/*' && blockCloses) {
      const close = gap.indexOf('*/', i + 2);
      blockCloses = close >= 0;
      if (blockCloses) end = close + 2;
    } else if ((pair === '//' || pair === '--' || pair[0] === '#') && lineEnds) {
      const lineFeed = gap.indexOf('\n', i);
      lineEnds = lineFeed >= 0;
      if (lineEnds) end = gap[lineFeed - 1] === '\r' ? lineFeed - 1 : lineFeed;
    }
    if (end < 0) {
      i++;
      continue;
    }
    out += `${gap.slice(from, i)} `;
    from = i = end;
  }
  return out + gap.slice(from);
}

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
    const part = parts[lastAtOrBefore(parts.length, (k) => parts[k]!.joined, i)]!;
    return part.text + (i - part.joined);
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

const isComma = (gap: string): boolean => gap.length <= MAX_JOIN && COMMA.test(gap);

/** A `.concat(` between two literals: what follows are its arguments, a list that joins. */
const CONCAT = /concat/i;

/** Whether the chain `first` to `last` stands in a list given to a join call. */
function inJoinCall(text: string, first: RegExpExecArray, last: RegExpExecArray): boolean {
  const end = last.index + last[0].length;
  return (
    LIST_OPENED.test(text.slice(Math.max(0, first.index - LIST_CONTEXT), first.index)) ||
    LIST_JOINED.test(text.slice(end, end + LIST_CONTEXT))
  );
}

/**
 * A chain as found, commas included: the whole of it when it is a list in a join call, otherwise
 * its pieces between the commas.
 */
function piecesOf(text: string, chain: RegExpExecArray[], commaAfter: readonly number[], concat: boolean): RegExpExecArray[][] {
  if (commaAfter.length === 0 || concat || inJoinCall(text, chain[0]!, chain.at(-1)!)) return [chain];
  const pieces: RegExpExecArray[][] = [];
  let from = 0;
  for (const k of [...commaAfter, chain.length - 1]) {
    pieces.push(chain.slice(from, k + 1));
    from = k + 1;
  }
  return pieces;
}

/**
 * The chains of literals in `text`, with the literals joined to each before and after it: those
 * of two literals or more, and the last one whatever its length (a stream's hold looks at it).
 * With `listed`, commas between literals may join them too (see piecesOf). A lone literal is
 * kept no longer than it is looked at: a text of many (arguments, a list of strings) would
 * otherwise hold every match until the walk ends.
 */
function chains(text: string, listed = MAY_BE_LISTED.test(text)): { joined: RegExpExecArray[][]; last?: RegExpExecArray[] } {
  const joined: RegExpExecArray[][] = [];
  let last: RegExpExecArray[] | undefined;
  let chain: RegExpExecArray[] = [];
  /** Where in `chain` a comma follows a literal. */
  let commaAfter: number[] = [];
  /** Whether `chain` has a `.concat(` in it (its commas are between the call's arguments). */
  let concat = false;
  const close = () => {
    for (const piece of piecesOf(text, chain, commaAfter, concat)) {
      if (piece.length > 1) joined.push(piece);
      last = piece;
    }
    chain = [];
    commaAfter = [];
    concat = false;
  };
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(text); m !== null; m = LITERAL.exec(text)) {
    const previous = chain.at(-1);
    if (previous) {
      const gap = uncommented(text.slice(previous.index + previous[0].length, m.index));
      if (listed && isComma(gap)) commaAfter.push(chain.length - 1);
      else if (isJoin(gap)) concat ||= listed && CONCAT.test(gap);
      else close();
    }
    chain.push(m);
  }
  if (chain.length > 0) close();
  return { joined, last };
}

/** The chains of joined literals in `text`, each read as one value. */
export function joinedLiterals(text: string): EncodedRun[] {
  const listed = MAY_BE_LISTED.test(text);
  if (!listed && !MAY_BE_JOINED.test(text)) return [];
  return chains(text, listed).joined.flatMap((chain) => chainRun(text, chain) ?? []);
}

/** A literal whose closing quote has not arrived yet. */
const OPEN = '(?:"(?:[^"\\\\\\r\\n]|\\\\.)*\\\\?|\'(?:[^\'\\\\\\r\\n]|\\\\.)*\\\\?|`(?:[^`\\\\]|\\\\[^])*\\\\?)';
/**
 * After a chain's last literal: whitespace that may yet become a join, or a join (as JOIN reads
 * one) being written, with perhaps the next literal's start.
 */
const JOIN_BEING_WRITTEN = new RegExp(
  `^\\s*$|^\\s*(?:\\+|\\.\\.?|\\|\\||&|\\)?\\s*\\.\\s*c(?:o(?:n(?:c(?:a(?:t\\s*\\(?)?)?)?)?)?)\\s*${OPEN}?$|^[ \\t]*\\r?\\n\\s*${OPEN}?$`,
);
/** After the last literal of a list in a join call: a comma, with perhaps the next literal's start. */
const COMMA_BEING_WRITTEN = new RegExp(`^\\s*,\\s*${OPEN}?$`);

/**
 * Where a chain of literals that may go on past the end of `text` starts: its last literal is
 * followed only by whitespace, a joining operator, or a line break, and perhaps the start of the
 * next literal. A stream holds it from there until it ends (a chain longer than the words it
 * holds anyway had its first literals sent before the rest arrived, and only the rest was
 * redacted). Undefined otherwise. One pattern pass over `text`.
 */
export function joinedChainAtEnd(text: string): number | undefined {
  const chain = chains(text).last;
  const last = chain?.at(-1);
  if (!chain || !last) return undefined;
  const rest = text.slice(last.index + last[0].length);
  // no gap that long joins (and the pattern for a comment being written is tried at each opener)
  const after = rest.length > MAX_COMMENTED ? rest : uncommented(rest).replace(COMMENT_BEING_WRITTEN, ' ');
  if (JOIN_BEING_WRITTEN.test(after)) return chain[0]!.index;
  // a list in a join call that may go on: held until its list closes
  const first = chain[0]!;
  const opened =
    LIST_OPENED.test(text.slice(Math.max(0, first.index - LIST_CONTEXT), first.index)) || CONCAT.test(text.slice(first.index, last.index));
  return opened && COMMA_BEING_WRITTEN.test(after) ? first.index : undefined;
}

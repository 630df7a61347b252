/**
 * Values written as a list of their characters: "g, h, p, _, R, 8, …" or Python's `list("ghp_…")`,
 * `['g', 'h', 'p', '_', …]`. "List the characters of the token, separated by commas" gets a key
 * past an output filter as surely as spelling it with spaces (spelled-values.ts), and a model
 * reads the list back as the key; the detectors read words, so it was in none of them.
 *
 * A run of 16 or more single printable ASCII characters, each bare or in quotes of one kind, with
 * the same separator between each two (a comma, or a comma and one space), is read with the
 * separators and quotes taken out; a finding there covers the characters of the value and what
 * stands between them, and hashes as the value. A list of bare digits is not read: arrays of small
 * numbers (`[0, 1, 1, 0, …]`, a tensor's values) are everywhere in code, and a card number would
 * be found in one that happens to pass the Luhn check. Quoted digits, what `list()` of a number's
 * text prints, are read.
 */
import type { EncodedRun } from './encoded-values.js';
import { MIN_SPELLED } from './spelled-values.js';

/**
 * A native check: an item between two commas. Starting with the comma, it costs under 2 µs per
 * 4 KB of prose (starting with the item, which may be any character, it cost 6).
 */
const MAY_BE_LISTED = /, ?['"]?[!-~]['"]?,/;
/** Where a list may start: three items with their separators (global, for the walk's search). */
const LIST_START = /(?:['"]?[!-~]['"]?, ?){2}['"]?[!-~]/g;

const COMMA = 0x2c;
const SPACE = 0x20;
const isQuote = (code: number): boolean => code === 0x22 || code === 0x27;
/** A character a bare item may be: printable ASCII but the comma and the quotes. */
const isBareItem = (code: number): boolean => code >= 0x21 && code <= 0x7e && code !== COMMA && !isQuote(code);
const isWordUnit = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
/** What may stand before a list's first item: the text's edge, whitespace, a quote, an opening bracket, a colon or an equals sign. */
const opensList = (code: number): boolean =>
  Number.isNaN(code) ||
  code === SPACE ||
  (code >= 9 && code <= 13) ||
  isQuote(code) ||
  code === 0x60 ||
  code === 0x28 ||
  code === 0x5b ||
  code === 0x7b ||
  code === 0x3a ||
  code === 0x3d;

/** What may end a list right after its last item: `)`, `]`, `}`, and a sentence's `.`, `;`, `:`, `!`, `?`. */
const CLOSING = new Set([0x29, 0x5d, 0x7d, 0x2e, 0x3b, 0x3a, 0x21, 0x3f]);

/** An item of a list: where it is written, and the character it stands for. */
type Item = { start: number; end: number; char: number; quoted: boolean };

/** The item that starts at `at`, or undefined: a quoted character (`'g'`, `"\""`), or a bare one not glued to a word. */
function itemAt(text: string, at: number): Item | undefined {
  const code = text.charCodeAt(at);
  if (isQuote(code)) {
    const inner = text.charCodeAt(at + 1);
    // an escaped character: '\'' or "\\"
    if (inner === 0x5c && text.charCodeAt(at + 3) === code) return { start: at, end: at + 4, char: text.charCodeAt(at + 2), quoted: true };
    if (inner >= 0x20 && inner <= 0x7e && inner !== code && text.charCodeAt(at + 2) === code)
      return { start: at, end: at + 3, char: inner, quoted: true };
    return undefined;
  }
  if (!isBareItem(code)) return undefined;
  // a single character: no word unit after a letter or digit ("ab, c" has no item "b"), and no
  // other character after a symbol but closing punctuation ("x, //" has no item "/")
  const next = text.charCodeAt(at + 1);
  if (isWordUnit(code) ? isWordUnit(next) : isBareItem(next) && !CLOSING.has(next)) return undefined;
  return { start: at, end: at + 1, char: code, quoted: false };
}

/** The length of the separator at `at`: a comma, then perhaps one space; 0 when there is none. */
const separatorAt = (text: string, at: number): number => (text.charCodeAt(at) !== COMMA ? 0 : text.charCodeAt(at + 1) === SPACE ? 2 : 1);

type List = { items: Item[]; end: number };

/** The list whose first item starts at `at`: items with one separator between each two, the same every time. */
function listAt(text: string, at: number): List | undefined {
  const first = itemAt(text, at);
  if (first === undefined) return undefined;
  const items = [first];
  const separator = separatorAt(text, first.end);
  if (separator === 0) return { items, end: first.end };
  for (;;) {
    const last = items[items.length - 1]!;
    if (separatorAt(text, last.end) !== separator) break;
    const next = itemAt(text, last.end + separator);
    // one kind of item: all quoted (with one quote) or all bare
    if (next === undefined || next.quoted !== first.quoted || (next.quoted && text[next.start] !== text[first.start])) break;
    items.push(next);
  }
  return { items, end: items[items.length - 1]!.end };
}

/** Whether a list is read: long enough, and not bare digits only. */
function isRead(items: readonly Item[]): boolean {
  return items.length >= MIN_SPELLED && (items[0]!.quoted || items.some((item) => !isDigit(item.char)));
}

/** The run a list reads as: its characters, and where each is written. */
function runOf(items: readonly Item[]): EncodedRun {
  let decoded = '';
  for (const item of items) decoded += String.fromCharCode(item.char);
  const first = items[0]!;
  // a quoted item's character is one past its quote; the quotes outside the value stay
  const charStart = (item: Item) => (item.quoted ? item.start + 1 : item.start);
  const charEnd = (item: Item) => (item.quoted ? item.end - 1 : item.end);
  return {
    start: first.start,
    end: items[items.length - 1]!.end,
    decoded,
    span: (from, to) => [charStart(items[from]!), charEnd(items[to - 1]!)],
  };
}

/**
 * The lists of single characters in `text`, each read as one value. A walk from each place the
 * native check finds three items together, an item at a time: linear.
 */
export function characterLists(text: string): EncodedRun[] {
  if (text.length < MIN_SPELLED * 2 - 1 || !MAY_BE_LISTED.test(text)) return [];
  const runs: EncodedRun[] = [];
  const search = LIST_START;
  search.lastIndex = 0;
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    // the list starts at the first item whose left is open
    let at = m.index;
    while (at < m.index + 3 && !(opensList(text.charCodeAt(at - 1)) && itemAt(text, at) !== undefined)) at++;
    const list = at < m.index + 3 ? listAt(text, at) : undefined;
    if (list === undefined || list.items.length < 3) {
      search.lastIndex = m.index + 1;
      continue;
    }
    search.lastIndex = list.end;
    if (isRead(list.items)) runs.push(runOf(list.items));
  }
  return runs;
}

/** What may follow a list's last item while the next is being written: a separator, perhaps a quote and a character. */
const TAIL_BEING_WRITTEN = /^,(?: ?(?:['"][ -~]?)?)?$/;
/** The most items a stream's hold walks back over: a key as a list is far shorter. */
const MAX_HELD_ITEMS = 512;

/** Where the list whose last item ends at `end` starts (walked back over MAX_HELD_ITEMS at most). */
function listBefore(text: string, end: number): number | undefined {
  let at = end;
  let start: number | undefined;
  let count = 0;
  while (at > 0 && count < MAX_HELD_ITEMS) {
    const itemStart = isQuote(text.charCodeAt(at - 1)) ? at - 3 : at - 1;
    const item = itemStart >= 0 ? itemAt(text, itemStart) : undefined;
    if (item === undefined || item.end !== at) break;
    const separator =
      text.charCodeAt(itemStart - 1) === SPACE && text.charCodeAt(itemStart - 2) === COMMA
        ? 2
        : text.charCodeAt(itemStart - 1) === COMMA
          ? 1
          : 0;
    // the list's first item has an opening before it: "world" ends in no item "d"
    if (separator === 0 && !opensList(text.charCodeAt(itemStart - 1))) break;
    start = itemStart;
    count++;
    if (separator === 0) break;
    at = itemStart - separator;
  }
  return start;
}

/**
 * Where a list of single characters that reaches the end of `text` starts, or undefined: a
 * stream holds it from there until it ends, since whether it is a key is known only at its end.
 * Its last item may be followed by a separator and the start of the next ("…, 'h', '"), and a
 * single character at the end is held until what follows it arrives, as spelt-out runs are.
 * Walks back an item at a time, over 512 at most.
 */
export function characterListAtEnd(text: string): number | undefined {
  // the earliest start of the readings of the end: a last item, or one with a separator after it
  let start: number | undefined;
  for (let tail = 0; tail <= 4 && tail <= text.length; tail++) {
    if (tail > 0 && !TAIL_BEING_WRITTEN.test(text.slice(text.length - tail))) continue;
    const list = listBefore(text, text.length - tail);
    if (list !== undefined && (start === undefined || list < start)) start = list;
  }
  // a first quoted item being written: "['g"
  const opened = FIRST_ITEM_BEING_WRITTEN.exec(text.slice(-3));
  const quote = opened === null ? undefined : text.length - opened[0].length + 1;
  return start === undefined || (quote !== undefined && quote < start) ? quote : start;
}

/** The start of a list's first item, quoted, being written: an opening, a quote, perhaps its character. */
const FIRST_ITEM_BEING_WRITTEN = /[[({=:\s]['"][ -~]?$/;

/**
 * Percent-escapes and string escapes, as the PII and secret detectors read them. A URL carries
 * its values percent-encoded (`token=%67%68%70%5F…`: a whole value passed through
 * `encodeURIComponent`), and code, JSON and logs write a string's characters as `\u0067` or
 * `\x67`. A model reads them as the characters they stand for; the detectors' patterns did not,
 * so a key or an address written so went to the provider unseen.
 *
 * An ASCII character is read only when it is a letter, a digit or one of `-._~`: what values are
 * made of, and what no syntax needs to escape. The others are escaped precisely because, read,
 * they change the structure around them: a URL's `%40`, `%2F`, `%3D`, `%20`, a string's `\u0022`
 * or `\x22` (a quote). Read, a database URL's password written as it must be
 * (`redis://:p%2Fa%3Dss%40…@cache`) became a path and a host, and a JSON password with an
 * escaped quote in it (`"Xy7\u0022kQ9…"`) two strings, and neither was found any more. An
 * address's `%40` is read by the address detector itself. `\uXXXX` is read for any character
 * of the Basic Multilingual Plane past ASCII but the surrogates (like a numeric HTML reference,
 * html-entity.ts), so an escaped look-alike or invisible character reads as the detection view
 * reads it unescaped.
 */

/** Two hex digits of a digit (30–39), a letter (41–5A, 61–7A), "-", ".", "_" or "~". */
const UNRESERVED_HEX = '(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|2[DEde]|5[Ff]|7[Ee])';
/** Four hex digits past ASCII (0080–FFFF; the surrogates are refused by readTextEscape). */
const PAST_ASCII_HEX = '(?:00[89A-Fa-f][0-9A-Fa-f]|0[1-9A-Fa-f][0-9A-Fa-f]{2}|[1-9A-Fa-f][0-9A-Fa-f]{3})';

/** In a pattern: an escape the view may read. */
export const TEXT_ESCAPE = `%${UNRESERVED_HEX}|\\\\(?:x${UNRESERVED_HEX}|u(?:00${UNRESERVED_HEX}|${PAST_ASCII_HEX}))`;
/** A native check that text may hold one, before the pattern pass. */
export const MAY_HAVE_TEXT_ESCAPE = new RegExp(TEXT_ESCAPE);

/**
 * The character an escape TEXT_ESCAPE matched stands for (one UTF-16 unit), or undefined when
 * it is not read (a surrogate).
 */
export function readTextEscape(escape: string): string | undefined {
  const code = Number.parseInt(escape.slice(escape.charCodeAt(0) === 0x25 /* % */ ? 1 : 2), 16);
  return code >= 0xd800 && code <= 0xdfff ? undefined : String.fromCharCode(code);
}

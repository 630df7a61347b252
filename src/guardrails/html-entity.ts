/**
 * HTML character references, as the PII and secret detectors read them. Web pages write
 * addresses as `jane&#64;acme.com` or `jane&commat;acme&period;com` to keep them from scrapers,
 * and HTML or XML pasted into a prompt escapes its values (`a&#x3D;b`, `?x=1&amp;email=…`). A model
 * reads them as the characters they stand for; the detectors' patterns did not, so the value went
 * to the provider unseen.
 *
 * Numeric references are read for any character of the Basic Multilingual Plane (browsers accept
 * them without the closing semicolon, so this does too); named ones only for the characters a
 * value or its separators are written with: the full list is over 2,000 names, most of them
 * letters and symbols no detector looks for.
 */

/** In a pattern (case-insensitive): a reference the view may read. */
export const HTML_ENTITY = '&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[a-zA-Z]{2,8};)';
/** A native check that text may hold one, before the pattern pass. */
export const MAY_HAVE_HTML_ENTITY = /&(?:#|[a-zA-Z]{2,8};)/;

/** Names are case-sensitive in HTML; the upper-case forms listed are the ones HTML defines. */
const NAMED = new Map<string, string>([
  ['commat', '@'],
  ['period', '.'],
  ['lowbar', '_'],
  ['UnderBar', '_'],
  ['hyphen', '\u2010'],
  ['dash', '\u2010'],
  ['minus', '\u2212'],
  ['plus', '+'],
  ['equals', '='],
  ['colon', ':'],
  ['semi', ';'],
  ['comma', ','],
  ['sol', '/'],
  ['bsol', '\\'],
  ['num', '#'],
  ['percnt', '%'],
  ['dollar', '$'],
  ['quest', '?'],
  ['excl', '!'],
  ['ast', '*'],
  ['lpar', '('],
  ['rpar', ')'],
  ['lsqb', '['],
  ['rsqb', ']'],
  ['lcub', '{'],
  ['rcub', '}'],
  ['amp', '&'],
  ['AMP', '&'],
  ['lt', '<'],
  ['LT', '<'],
  ['gt', '>'],
  ['GT', '>'],
  ['quot', '"'],
  ['QUOT', '"'],
  ['apos', "'"],
  ['nbsp', '\u00a0'],
  ['shy', '\u00ad'],
  ['zwj', '\u200d'],
  ['zwnj', '\u200c'],
  ['lrm', '\u200e'],
  ['rlm', '\u200f'],
]);

/**
 * Quotes stay as written: in an attribute or a string they are escaped because they are data,
 * and read, a password with one in it (`value="Xy7&quot;kQ9…"`) ended at the quote and was no
 * longer found. No value the detectors look for has a quote in it.
 */
const QUOTES = new Set(['"', "'", '`']);

/**
 * The character a reference HTML_ENTITY matched stands for (one UTF-16 unit), or undefined when
 * it is not read: an unknown name, a quote, NUL, a surrogate, or a character outside the Basic
 * Multilingual Plane (the view reads those as pairs, and nobody escapes a styled letter).
 */
export function readHtmlEntity(entity: string): string | undefined {
  const char = entity.charCodeAt(1) === 0x23 /* # */ ? numericReference(entity) : NAMED.get(entity.slice(1, -1));
  return char === undefined || QUOTES.has(char) ? undefined : char;
}

function numericReference(entity: string): string | undefined {
  const hex = entity[2] === 'x' || entity[2] === 'X';
  const code = Number.parseInt(entity.slice(hex ? 3 : 2).replace(';', ''), hex ? 16 : 10);
  if (code === 0 || code > 0xffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCharCode(code);
}

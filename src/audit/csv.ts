/**
 * CSV for audit exports: RFC 4180 (comma, CRLF, fields quoted when they hold a comma, quote or
 * line break, quotes doubled), and safe to open in a spreadsheet. Audit cells carry text that
 * users chose (project names, reasons, user agents); one starting with `=`, `+`, `-` or `@` (or a
 * tab or carriage return, which some spreadsheets skip before reading a formula) would run as a
 * formula — OWASP's "CSV injection". Such a cell is prefixed with `'`, which spreadsheets read as
 * "this is text" and do not display.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null is empty; a would-be formula is neutralised, then the cell is quoted if needed. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, with its CRLF line end. */
export function csvRow(values: readonly (string | number | null)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

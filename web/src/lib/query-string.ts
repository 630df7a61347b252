/** `?a=1&b=2` from the filled-in fields only ('' when none): the api treats an empty filter as a 400. */
export function queryString(params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A `datetime-local` value (the person's own time zone, no offset) as the ISO 8601 instant the api
 * wants (it refuses a time without an offset); undefined for an empty or unreadable field.
 */
export function localToIso(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * An ISO 8601 instant as a `datetime-local` value in the person's own time zone, to the minute (the
 * field's default step: a value with seconds would make the form refuse to submit); '' when absent
 * or unreadable.
 */
export function isoToLocal(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

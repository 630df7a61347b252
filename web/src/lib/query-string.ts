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

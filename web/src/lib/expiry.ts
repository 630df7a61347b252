/** Expiry dates as the forms take them (a day) and as the api wants them (an instant with a zone). */

/** The end of the chosen day, in the user's time zone, as ISO 8601; null for no date or a malformed one. */
export function endOfDay(date: string): string | null {
  if (date === '') return null;
  const end = new Date(`${date}T23:59:59`);
  return Number.isNaN(end.getTime()) ? null : end.toISOString();
}

/** Tomorrow as a date field's value (YYYY-MM-DD, local): the earliest expiry a form offers. */
export const tomorrow = (): string => {
  const date = new Date(Date.now() + 86_400_000);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

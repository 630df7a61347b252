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

/**
 * The expiry chosen in an `ExpiryDateField` (its `expiresOn` value): the end of that day as ISO 8601,
 * null for none, or an Error to show when the date is unreadable or not in the future.
 */
export function chosenExpiry(date: string): string | null | Error {
  const expiresAt = endOfDay(date);
  if (date !== '' && (expiresAt === null || Date.parse(expiresAt) <= Date.now()))
    return new Error('The expiry date must be in the future.');
  return expiresAt;
}

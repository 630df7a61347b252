/** Dates and numbers as people read them, in their own locale and time zone. */
export function formatDateTime(value: string | null, empty = 'Never'): string {
  if (value === null) return empty;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(value: string | null, empty = 'Never'): string {
  if (value === null) return empty;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export const formatNumber = (value: number): string => value.toLocaleString();

export const formatUsd = (value: number): string =>
  value.toLocaleString(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

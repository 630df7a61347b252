import { SafeReason } from './errors.js';

/** `#field` of a JSON object: strings as they are, numbers and booleans as text, nothing nested. */
export function fieldOf(object: Record<string, unknown>, field: string): string {
  if (!Object.hasOwn(object, field)) throw new SafeReason(`the secret has no field "${field}"`);
  const value = object[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new SafeReason(`field "${field}" is not a string, number or boolean`);
}

/** The whole secret text, or its `#field` when the text is a JSON object. */
export function selectField(text: string, field: string | undefined): string {
  if (field === undefined) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SafeReason(`#${field} given but the secret is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SafeReason(`#${field} given but the secret is not a JSON object`);
  return fieldOf(parsed as Record<string, unknown>, field);
}

import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest, unsupportedMediaType } from './errors.js';
import { describeZodError } from './zod-message.js';

/**
 * Reads and validates a JSON request body. Mount `bodyLimitMiddleware` in front of any
 * route that calls this: it reads the whole body. Errors are HttpErrors for `app.onError`
 * and never quote the body.
 */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  if (!isJsonContentType(c.req.header('content-type'))) {
    throw unsupportedMediaType('Content-Type must be application/json');
  }
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text, rejectPrototypeKeys);
  } catch (err) {
    throw err instanceof ForbiddenKeyError
      ? badRequest('Request body contains a forbidden key (__proto__ or constructor.prototype)', 'invalid_json')
      : badRequest('Request body is not valid JSON', 'invalid_json');
  }
  const result = await schema.safeParseAsync(raw);
  if (!result.success) {
    throw badRequest(`Invalid request body: ${describeZodError(result.error, raw)}`, 'validation_error');
  }
  return result.data;
}

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mediaType = header.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

// Zod strips these keys from objects it builds, but `z.unknown()`/`z.any()` fields pass the
// parsed value through untouched, and a later `Object.assign` or deep merge of such a value
// would rewrite a prototype. No legitimate payload needs them, so refuse the body.
class ForbiddenKeyError extends Error {}

function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ForbiddenKeyError();
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) {
    throw new ForbiddenKeyError();
  }
  return value;
}

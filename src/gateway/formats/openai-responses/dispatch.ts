import { z } from 'zod';

/**
 * A schema that picks its sub-schema from the value itself (usually its `type`), then validates
 * with it. A plain `z.union` reports "does not match any accepted form" for a malformed item;
 * dispatching first lets the error name the exact field (`input[3].call_id: is required`), and an
 * unrecognised `type` can fall through to a permissive schema so new provider item kinds still
 * reach a native passthrough.
 */
export function dispatch<T>(pick: (value: unknown) => z.ZodType<T>): z.ZodType<T> {
  return z.unknown().transform((value, ctx): T => {
    const result = pick(value).safeParse(value);
    if (result.success) return result.data;
    // Paths are relative to this value; zod prefixes the parent path itself.
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}

/** The `type` member of an object, or undefined. */
export function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
}

/**
 * Opaque page cursors: base64url JSON, so the paging key can change without breaking clients, and
 * a cursor this api did not hand out is a 400 (`is not a cursor this api returned`), never a guess.
 */
import { z } from 'zod';

export function encodeCursor(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** A `before` query parameter decoding to `payload`'s shape, then mapped by `toKey`. */
export function cursorParam<P extends z.ZodType, K>(payload: P, toKey: (decoded: z.output<P>) => K) {
  return z
    .string()
    .max(200)
    .transform((value, ctx): K => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = payload.safeParse(decoded);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this api returned' });
        return z.NEVER;
      }
      return toKey(parsed.data);
    })
    .meta({ description: 'The `nextCursor` of the previous page.' });
}

import type { Context } from 'hono';

/**
 * Sets a header on the response a handler already produced. Mutating `c.res.headers` in place is
 * cheap; Hono's `c.header()` on a finalised response clones the whole Response, which measurably
 * slowed the gateway when every middleware did it on every request. Responses whose headers are
 * immutable (e.g. `Response.redirect`) fall back to the clone.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}

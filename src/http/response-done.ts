import type { HttpBindings } from '@hono/node-server';
import type { Context, Next } from 'hono';

/**
 * Runs the rest of the chain and calls `done` exactly once, when the response is over for good:
 * on @hono/node-server that is the Node response's 'close' event, which comes after the last byte
 * of a stream, when the client goes away mid-stream, and after an error response alike — so a
 * slot held for the request is freed however it ends. Outside Node (`app.request` in unit tests)
 * there is no such event and `done` runs when the handler returns (a streamed body is then not
 * covered to its end).
 */
export async function untilResponseDone(c: Context, next: Next, done: () => void): Promise<void> {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    done();
  };
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) {
    outgoing.once('close', once);
    // The client may already be gone (its 'close' then never comes again).
    if (outgoing.closed) once();
  }
  try {
    await next();
  } finally {
    if (!outgoing) once();
  }
}

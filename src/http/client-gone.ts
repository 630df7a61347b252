import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * An AbortSignal that fires when the client disconnects before its response finished: upstream
 * calls made for it stop, and the provider stops generating tokens nobody will read. Built from
 * the Node response's 'close' event instead of `c.req.raw.signal`, which on @hono/node-server
 * materialises a full web Request per request. Falls back to the web signal outside Node
 * (`app.request` in tests).
 */
export function clientGoneSignal(c: Context): AbortSignal {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (!outgoing) return c.req.raw.signal;
  const controller = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

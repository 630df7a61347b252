import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './types.js';

export const READINESS_TIMEOUT_MS = 2000;

/**
 * `GET /healthz` (process is up) and `GET /readyz` (dependencies reachable). The failure
 * reason is logged, never returned: these endpoints are usually unauthenticated.
 */
export function healthRoutes(checkReady: () => Promise<void>, options: { timeoutMs?: number } = {}): Hono<AppEnv> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const app = new Hono<AppEnv>();

  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' }, 200);
  });

  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await withTimeout(checkReady, timeoutMs);
      return c.json({ status: 'ready' }, 200);
    } catch (err) {
      const logger: Logger | undefined = c.get('logger');
      logger?.warn({ err }, 'readiness check failed');
      return c.json({ status: 'unavailable' }, 503);
    }
  });

  return app;
}

async function withTimeout(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // Wrapping in a promise chain also turns a synchronous throw into a rejection.
    await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

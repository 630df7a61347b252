import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { readJson } from '../../http/json-body.js';
import { HttpError, badRequest, tooManyRequests } from '../../http/errors.js';
import { insuranceReporter } from '../../limits/insurance-reporter.js';
import { createKeyedLimiter } from '../../limits/keyed-limiter.js';
import type { AppEnv } from '../../http/types.js';
import { packageRoot } from '../../paths.js';
import { completeInitialSetup, SetupRejectedError, setupRequestSchema } from '../../setup/complete-setup.js';
import { instanceHasAdmin } from '../../setup/setup-link.js';
import type { Runtime } from '../../server/runtime.js';

const PAGE_DIR = join(packageRoot, 'src', 'api', 'setup-page');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/setup': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/setup/setup.js': { file: 'setup.js', type: 'text/javascript; charset=utf-8' },
  '/setup/setup.css': { file: 'setup.css', type: 'text/css; charset=utf-8' },
};

/** First-run setup: the page behind the one-time link, and the endpoint its form posts to. */
export function setupRoutes(runtime: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const files = new Map(
    Object.entries(ASSETS).map(([path, asset]) => [path, { body: readFileSync(join(PAGE_DIR, asset.file), 'utf8'), type: asset.type }]),
  );
  for (const [path, asset] of files) {
    app.get(path, (c) => c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'no-store' }));
  }

  app.get('/api/setup', async (c) => c.json({ required: !(await instanceHasAdmin(runtime.apiDb)) }));

  // The setup form takes a password and a one-time token: 10 attempts per minute per address, so
  // the endpoint cannot be used to hammer scrypt or to guess (the token has 256 bits anyway).
  const attempts = createKeyedLimiter({
    points: 10,
    durationSeconds: 60,
    blockDurationSeconds: 300,
    ...(runtime.config.redisUrl ? { redis: runtime.config.redisUrl } : {}),
    prefix: `${runtime.config.redisPrefix}setup-ip:`,
    onInsurance: insuranceReporter({ logger: runtime.logger.child({ component: 'limits' }), redisPrefix: runtime.config.redisPrefix }),
  });
  app.post('/api/setup', async (c) => {
    const attempt = await attempts.consume(c.get('clientIp'));
    if (!attempt.allowed)
      throw tooManyRequests('Too many setup attempts from your address. Try again later.', attempt.retryAfterSeconds, 'too_many_attempts');
    const input = await readJson(c, setupRequestSchema);
    const ctx = {
      actor: { type: 'system' as const, id: null, ip: c.get('clientIp'), userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null },
      requestId: c.get('requestId'),
    };
    try {
      const user = await completeInitialSetup(runtime.apiDb, input, ctx);
      runtime.logger.info({ userId: user.id }, 'setup completed: first instance admin created');
      return c.json({ user }, 201);
    } catch (error) {
      if (!(error instanceof SetupRejectedError)) throw error;
      if (error.reason === 'invalid_token')
        throw new HttpError(
          410,
          'invalid_request_error',
          'setup_link_invalid',
          'This setup link is invalid, expired or already used. Restart Portcullis to print a new one (only while no administrator exists).',
        );
      throw badRequest(error.message, error.reason);
    }
  });
  return app;
}

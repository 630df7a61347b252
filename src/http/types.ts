import type { Logger } from 'pino';

/**
 * Per-request variables shared by every middleware and route of both services.
 * `requestIdMiddleware` sets `requestId` and `logger`; `clientIpMiddleware` sets `clientIp`.
 */
export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    clientIp: string;
  };
};

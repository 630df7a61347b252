import { configChecks, failedRequired } from '../config/production-checks.js';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/load.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { createLogger } from '../logging/logger.js';
import { openRuntime, MigrationsPendingError } from '../server/runtime.js';
import { startServices, type ServiceName } from '../server/services.js';
import { CliError } from './cli-error.js';

/** `start`, `gateway` and `api`: serve until SIGINT/SIGTERM, then drain and close cleanly. */
export async function runServer(config: Config, services: ServiceName[]): Promise<void> {
  const bootStarted = performance.now();
  if (config.production) {
    const failed = failedRequired(configChecks(config));
    if (failed.length > 0)
      throw new ConfigError(
        failed
          .map((c) => `${c.title}: ${c.detail}`)
          .concat('(NODE_ENV=production refuses insecure defaults; `portcullis doctor` prints the full checklist)'),
      );
  }
  const logger = createLogger({ level: config.logLevel });
  let runtime;
  try {
    // Embedded: migrations apply on start (zero setup). PostgreSQL: only `start` migrates; a
    // separate gateway/api process waits for `portcullis migrate` (run as the database owner).
    const migrations = config.databaseUrl && services.length === 1 ? 'require-current' : 'apply';
    runtime = await openRuntime(config, logger, { migrations });
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof MigrationsPendingError) throw new CliError(error.message);
    throw error;
  }
  const running = await startServices(runtime, services);
  const readyMs = Math.round(performance.now() - bootStarted);
  logger.info({ readyMs, gateway: running.gateway?.url, api: running.api?.url }, 'portcullis ready');
  process.stderr.write(
    `Portcullis ready in ${readyMs} ms` +
      (running.gateway ? ` — gateway ${running.gateway.url}` : '') +
      (running.api ? ` — api and dashboard ${running.api.url}` : '') +
      '\n',
  );

  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    logger.info({ signal }, 'signal received');
    // If draining hangs past its budget, leave anyway rather than block an orchestrator.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000).unref();
    running.stop().then(
      () => logger.flush(() => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Node's default crash report prints the error unscrubbed to stderr; route it through the
  // logger (which redacts secrets) and still stop cleanly so the data dir is not left locked.
  const crash = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    void running.stop().finally(() => logger.flush(() => process.exit(1)));
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
}

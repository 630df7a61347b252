import { configChecks, failedRequired } from '../config/production-checks.js';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/load.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { openRuntime, MigrationsPendingError, type Runtime } from '../server/runtime.js';
import { startServices, type RunningServices, type ServiceName } from '../server/services.js';
import { CliError } from './cli-error.js';

function refuseInsecureProduction(config: Config): void {
  if (!config.production) return;
  const failed = failedRequired(configChecks(config));
  if (failed.length === 0) return;
  throw new ConfigError(
    failed
      .map((c) => `${c.title}: ${c.detail}`)
      .concat('(NODE_ENV=production refuses insecure defaults; `portcullis doctor` prints the full checklist)'),
  );
}

/**
 * Signal and crash handling for the whole life of the process, installed before anything is
 * opened: a SIGTERM during start-up (initdb, migrations) waits for start-up to finish and then
 * closes cleanly instead of killing the process mid-write with the data dir locked.
 */
function installLifecycle(logger: Logger, shutdownTimeoutMs: number) {
  let stop: (() => Promise<void>) | undefined;
  let requested: string | undefined;
  let exiting = false;
  const exit = (code: number) => logger.flush(() => process.exit(code));
  const runStop = (code: number) => {
    if (exiting || !stop) return;
    exiting = true;
    // If draining hangs past its budget, leave anyway rather than block an orchestrator.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, shutdownTimeoutMs + 5_000).unref();
    stop().then(
      () => exit(code),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const onSignal = (signal: string) => {
    if (requested) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    requested = signal;
    logger.info({ signal }, stop ? 'signal received' : 'signal received during start-up: stopping once start-up completes');
    runStop(0);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Node's default crash report prints the error unscrubbed to stderr; route it through the
  // logger (which redacts secrets) and still stop cleanly so the data dir is not left locked.
  const crash = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    if (stop) runStop(1);
    else exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  return {
    /** Registers what shutdown must close; returns true when a signal already asked to stop. */
    setStop(fn: () => Promise<void>): boolean {
      stop = fn;
      if (requested) runStop(0);
      return requested !== undefined;
    },
  };
}

/** `start`, `gateway` and `api`: serve until SIGINT/SIGTERM, then drain and close cleanly. */
export async function runServer(config: Config, services: ServiceName[]): Promise<void> {
  const bootStarted = performance.now();
  refuseInsecureProduction(config);
  const logger = createLogger({ level: config.logLevel });
  const lifecycle = installLifecycle(logger, config.shutdownTimeoutMs);
  let runtime: Runtime;
  try {
    // Embedded: migrations apply on start (zero setup). PostgreSQL: only `start` migrates; a
    // separate gateway/api process waits for `portcullis migrate` (run as the database owner).
    const migrations = config.databaseUrl && services.length === 1 ? 'require-current' : 'apply';
    runtime = await openRuntime(config, logger, { migrations });
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof MigrationsPendingError) throw new CliError(error.message);
    throw error;
  }
  if (lifecycle.setStop(() => runtime.close())) return;
  let running: RunningServices;
  try {
    running = await startServices(runtime, services);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  if (lifecycle.setStop(() => running.stop())) return;
  const readyMs = Math.round(performance.now() - bootStarted);
  logger.info({ readyMs, gateway: running.gateway?.url, api: running.api?.url }, 'portcullis ready');
  process.stderr.write(
    `Portcullis ready in ${readyMs} ms` +
      (running.gateway ? ` — gateway ${running.gateway.url}` : '') +
      (running.api ? ` — api and dashboard ${running.api.url}` : '') +
      '\n',
  );
}

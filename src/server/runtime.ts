/**
 * Everything a running Portcullis process holds: configuration, secrets, the database (and its
 * lock when embedded), the shared store and event bus. Opened once by the CLI, closed once on
 * shutdown, in reverse order.
 */
import { hostname } from 'node:os';
import type { Config } from '../config/load.js';
import { resolveSecrets, type ResolvedSecrets } from '../config/generated-secrets.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { openMasterKeyring } from './master-keyring.js';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.js';
import { openDatabase, pingDatabase, type DatabaseHandle } from '../db/open.js';
import { pendingMigrationCount } from '../db/migrate.js';
import { systemActor } from '../audit/context.js';
import { applyPendingMigrations } from './migrations.js';
import { createScopedDatabase, type ScopedDatabase } from '../db/tenant.js';
import { createEventBus } from '../events/create-event-bus.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logging/logger.js';
import { createStore } from '../store/create-store.js';
import { createUsageCounters, type UsageCounters } from '../limits/usage-counters.js';
import type { Store } from '../store/store.js';
import { createMailer, type Mailer } from '../email/mailer.js';
import { join } from 'node:path';
import { startSecretRefresh } from '../secrets/refresh.js';
import { followMasterKeys } from '../secrets/master-key-wiring.js';
import { wireSecretConsumers } from '../secrets/runtime-wiring.js';
import type { SecretValues } from '../secrets/secret-values.js';

export type Runtime = {
  config: Config;
  logger: Logger;
  secrets: ResolvedSecrets;
  keyring: MasterKeyring;
  database: DatabaseHandle;
  /** As portcullis_api: management reads and writes. */
  apiDb: ScopedDatabase;
  /** As portcullis_gateway: configuration reads, log appends. */
  gatewayDb: ScopedDatabase;
  store: Store;
  bus: EventBus;
  /** Usage-limit counters, shared by the gateway (reserve/settle) and the api (usage reports). */
  usageCounters: UsageCounters;
  /** Outgoing mail (invitations, password reset): SMTP, the log (development) or disabled. */
  mailer: Mailer;
  /** Values from secret references, refreshed every SECRETS_REFRESH_SECONDS; listen with onChange (docs/secrets.md). */
  secretValues: SecretValues;
  lock: DataDirLock | undefined;
  host: string;
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type MigrationPolicy = 'apply' | 'require-current';

export class MigrationsPendingError extends Error {
  constructor(readonly pending: number) {
    super(
      `The database is ${pending} migration(s) behind this version of Portcullis. Run \`portcullis migrate\` (as the database owner) first.`,
    );
    this.name = 'MigrationsPendingError';
  }
}

export type RuntimeOptions = {
  migrations: MigrationPolicy;
  /** Tests inject an already-open database (a PGlite snapshot or TEST_DATABASE_URL); it is closed with the runtime. */
  database?: DatabaseHandle;
  /** With an injected database: false leaves it open on close (two runtimes sharing one, as two replicas share PostgreSQL). */
  closeDatabase?: boolean;
};

export async function openRuntime(config: Config, logger: Logger, options: RuntimeOptions): Promise<Runtime> {
  const cleanup: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.warn({ err: error }, 'shutdown step failed');
      }
    }
  };
  try {
    // The embedded data dir is single-writer: take the lock before touching anything in it.
    const lock = config.databaseUrl || options.database ? undefined : acquireDataDirLock(config.dataDir);
    if (lock) cleanup.push(() => lock.release());

    const secrets = resolveSecrets(config);
    if (secrets.createdNow.length > 0)
      logger.warn(
        { files: secrets.createdNow.map((f) => join(config.dataDir, 'secrets', f)) },
        'generated development secrets into the data dir (set AUTH_SECRET and MASTER_KEY in production)',
      );
    const keyring = await openMasterKeyring(config, secrets, logger);
    if (keyring.remote) cleanup.push(() => keyring.remote?.cache.clear());

    const started = performance.now();
    const database = options.database
      ? options.database
      : config.databaseUrl
        ? await openDatabase({ kind: 'postgres', url: config.databaseUrl, poolMax: config.databasePoolMax })
        : await openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pgdata') });
    if (options.closeDatabase !== false) cleanup.push(() => database.close());
    logger.info({ database: database.kind, ms: Math.round(performance.now() - started) }, 'database open');

    const secretRefresh = startSecretRefresh({ set: config.secretReferences, intervalSeconds: config.secretRefreshSeconds, logger });
    cleanup.push(() => secretRefresh.stop());
    wireSecretConsumers(secretRefresh.values, { database, logger });
    cleanup.push(followMasterKeys(keyring, secretRefresh.values, logger));

    const pending = await pendingMigrationCount(database);
    if (pending > 0) {
      if (options.migrations === 'require-current') throw new MigrationsPendingError(pending);
      await applyPendingMigrations(database, systemActor('server', hostname()));
      logger.info({ applied: pending }, 'database migrations applied');
    }

    const store = createStore({ redisUrl: config.redisUrl, prefix: config.redisPrefix });
    cleanup.push(() => store.close());
    const usageCounters = createUsageCounters({ ...(config.redisUrl ? { redis: config.redisUrl } : {}), prefix: config.redisPrefix });
    cleanup.push(() => usageCounters.close());
    const bus = createEventBus({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      onHandlerError: (err, event) => logger.error({ err, event: event.type }, 'event handler failed'),
    });
    cleanup.push(() => bus.close());
    if (config.redisUrl) await Promise.all([store.ping(), bus.ready()]);
    const mailer = createMailer({
      smtpUrl: config.smtp.url,
      from: config.smtp.from,
      production: config.production,
      logger: logger.child({ component: 'email' }),
    });
    cleanup.push(() => mailer.close());

    const onSlow = (info: { role: string; orgId: string | null; ms: number }) =>
      logger.warn(info, 'database transaction held longer than 1 s');
    let closed = false;
    return {
      config,
      logger,
      secrets,
      keyring,
      database,
      apiDb: createScopedDatabase(database.db, 'api', onSlow, keyring),
      gatewayDb: createScopedDatabase(database.db, 'gateway', onSlow),
      store,
      bus,
      usageCounters,
      secretValues: secretRefresh.values,
      mailer,
      lock,
      host: hostname(),
      ping: async () => {
        await pingDatabase(database);
        if (config.redisUrl) await store.ping();
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

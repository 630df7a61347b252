import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/load.js';
import { generateMasterKey } from '../../src/crypto/envelope.js';
import { randomTokenBase64Url } from '../../src/crypto/random.js';
import { createLogger } from '../../src/logging/logger.js';
import { openRuntime, type Runtime } from '../../src/server/runtime.js';
import { startServices, type RunningServices, type ServiceName } from '../../src/server/services.js';
import { openIsolatedTestDatabase, openTestDatabase } from './database.js';

export type TestServer = {
  runtime: Runtime;
  services: RunningServices;
  gatewayUrl: string;
  apiUrl: string;
  /** Every log line written so far (JSON strings). */
  logLines: string[];
  /** What was printed for the person at the terminal (setup link). */
  announcements: string[];
  stop(): Promise<void>;
};

/** Captures log output in memory, one entry per JSON line. */
export function memoryLogDestination(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      callback();
    },
  });
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-data-'));
  return loadConfig({
    env: {
      PORTCULLIS_DATA_DIR: dataDir,
      GATEWAY_PORT: '0',
      API_PORT: '0',
      MASTER_KEY: generateMasterKey(),
      AUTH_SECRET: randomTokenBase64Url(48),
      LOG_LEVEL: 'info',
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      // Each test server has its own Redis namespace: counters, limiters and events of one test
      // never leak into another (replicas of one server share it: see shareDatabaseWith).
      REDIS_PREFIX: `pt-${randomTokenBase64Url(6).replace(/[^A-Za-z0-9]/g, 'x')}:`,
      ...env,
    },
  });
}

/** The real services in-process on ephemeral ports, on the test database (PGlite snapshot or TEST_DATABASE_URL). */
export async function startTestServer(
  options: {
    services?: ServiceName[];
    env?: Record<string, string>;
    isolatedDatabase?: boolean;
    /** Run against another test server's database, as a second replica would (its own caches, store and bus). */
    shareDatabaseWith?: TestServer;
  } = {},
): Promise<TestServer> {
  // A replica of another server shares its database, so it needs the same master key and AUTH_SECRET.
  const sharedSecrets: Record<string, string> = options.shareDatabaseWith
    ? {
        MASTER_KEY: options.shareDatabaseWith.runtime.secrets.masterKey!.key.toString('base64'),
        AUTH_SECRET: options.shareDatabaseWith.runtime.secrets.authSecret,
        REDIS_PREFIX: options.shareDatabaseWith.runtime.config.redisPrefix,
      }
    : {};
  const config = testConfig({ ...sharedSecrets, ...options.env });
  const logLines: string[] = [];
  const announcements: string[] = [];
  const logger = createLogger({ level: config.logLevel, destination: memoryLogDestination(logLines) });
  const shared = options.shareDatabaseWith?.runtime.database;
  const testDb = shared
    ? { handle: shared, close: () => Promise.resolve() }
    : options.isolatedDatabase
      ? await openIsolatedTestDatabase()
      : await openTestDatabase();
  const runtime = await openRuntime(config, logger, { migrations: 'require-current', database: testDb.handle, closeDatabase: !shared });
  const services = await startServices(runtime, options.services ?? ['gateway', 'api'], { announce: (line) => announcements.push(line) });
  return {
    runtime,
    services,
    gatewayUrl: services.gateway?.url ?? '',
    apiUrl: services.api?.url ?? '',
    logLines,
    announcements,
    async stop() {
      await services.stop(); // closes the runtime and with it the database handle
      await testDb.close().catch(() => undefined);
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

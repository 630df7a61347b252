/**
 * `portcullis backup`, `restore` and `migrate-to-postgres` (docs/backup.md): one dump/load module
 * (src/backup/), two transports — an encrypted file, or straight from the embedded data dir into
 * PostgreSQL. On the embedded database they refuse while a server holds the data dir: a backup must
 * be one consistent snapshot and PGlite is one connection, so the server would have to stop serving
 * for the whole dump; stopping it is the honest way (docs/backup.md says why).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../audit/context.js';
import { backupDatabase, restoreBackupFile } from '../backup/backup.js';
import { BackupFileError } from '../backup/backup-file.js';
import { dumpRecords } from '../backup/dump.js';
import { loadRecords, RestoreRefusedError, type LoadResult } from '../backup/load.js';
import { OwnerRoleError, withOwnerTransaction } from '../backup/owner-session.js';
import { DumpFormatError } from '../backup/records.js';
import { SchemaVersionError } from '../backup/schema-version.js';
import type { Config } from '../config/load.js';
import { resolveSecrets, secretsDir } from '../config/generated-secrets.js';
import { acquireDataDirLock, DataDirLockedError, readLockHolder, type DataDirLock } from '../db/data-dir-lock.js';
import { openDatabase, type DatabaseHandle } from '../db/open.js';
import { createLogger } from '../logging/logger.js';
import { openMasterKeyring } from '../server/master-keyring.js';
import { hostname } from 'node:os';
import { CliError } from './cli-error.js';

const KNOWN_FAILURES = [BackupFileError, DumpFormatError, SchemaVersionError, RestoreRefusedError, OwnerRoleError];

function requireBackupKey(config: Config): Buffer {
  if (!config.backupEncryptionKey)
    throw new CliError(
      'BACKUP_ENCRYPTION_KEY is not set: backups are only ever written and read encrypted. Set it (or BACKUP_ENCRYPTION_KEY_FILE) to 32 random bytes, e.g. `openssl rand -base64 32`, and keep it apart from the backups.',
      2,
    );
  return config.backupEncryptionKey;
}

/** The embedded database, locked for this command; refused while a server holds it. */
function lockEmbedded(dataDir: string, what: string): DataDirLock {
  const holder = readLockHolder(dataDir);
  if (holder)
    throw new CliError(
      `A Portcullis server (pid ${holder.pid}) holds the data dir ${dataDir}. Stop it before ${what}: on the embedded database this needs the data dir to itself (docs/backup.md).`,
    );
  try {
    return acquireDataDirLock(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new CliError(error.message);
    throw error;
  }
}

async function withDatabase<T>(
  config: Config,
  what: string,
  options: { mustExist: boolean; url?: string },
  fn: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const url = options.url ?? config.databaseUrl;
  let lock: DataDirLock | undefined;
  const pgdata = join(config.dataDir, 'pgdata');
  if (!url) {
    if (options.mustExist && !existsSync(pgdata))
      throw new CliError(`there is no embedded database in ${config.dataDir} (no pgdata directory)`);
    lock = lockEmbedded(config.dataDir, what);
  }
  try {
    const handle = url
      ? await openDatabase({ kind: 'postgres', url, poolMax: 3, applicationName: 'portcullis-backup' })
      : await openDatabase({ kind: 'pglite', dataDir: pgdata });
    try {
      return await fn(handle);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (KNOWN_FAILURES.some((kind) => error instanceof kind)) throw new CliError((error as Error).message);
    throw error;
  } finally {
    lock?.release();
  }
}

function rowSummary(rowCounts: Record<string, number>): string {
  const total = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  return `${total} rows in ${Object.keys(rowCounts).length} tables`;
}

export async function backupCommand(config: Config, options: { out?: unknown }): Promise<void> {
  const key = requireBackupKey(config);
  if (typeof options.out !== 'string' || options.out === '') throw new CliError('--out FILE is required (`-` for stdout)', 2);
  const out = options.out;
  const rowCounts = await withDatabase(config, 'taking a backup', { mustExist: true }, (handle) => backupDatabase(handle, out, key));
  process.stderr.write(
    `Backup written${out === '-' ? ' to stdout' : ` to ${out}`}: ${rowSummary(rowCounts)}, encrypted with BACKUP_ENCRYPTION_KEY.\n`,
  );
}

/**
 * The master key and AUTH_SECRET the restored rows need: configured, or already in the data dir.
 * Never generated here — a new key could open nothing in the backup.
 */
async function keysOfTheBackedUpDeployment(config: Config) {
  const local = config.masterKeyProvider.provider.kind === 'local';
  const missing: string[] = [];
  if (local && !config.masterKey && !existsSync(join(secretsDir(config.dataDir), 'master-key'))) missing.push('MASTER_KEY');
  if (!config.authSecret && !existsSync(join(secretsDir(config.dataDir), 'auth-secret'))) missing.push('AUTH_SECRET');
  if (missing.length > 0)
    throw new CliError(
      `${missing.join(' and ')} of the deployment that made the data must be configured (or _FILE): its rows are encrypted under the master key, and audit checkpoints and sessions are signed with AUTH_SECRET (docs/backup.md)`,
      2,
    );
  const secrets = resolveSecrets(config);
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  return { secrets, keyring: await openMasterKeyring(config, secrets, logger) };
}

function reportLoad(result: LoadResult): void {
  process.stderr.write(`Restored ${rowSummary(result.rowCounts)}; row counts match the backup.\n`);
  process.stderr.write(`${result.auditChains} audit chain(s) verified, ${result.auditEvents} events.\n`);
  if (result.migratedAfter > 0) process.stderr.write(`Applied ${result.migratedAfter} newer migration(s) after loading.\n`);
}

export async function restoreCommand(config: Config, options: { in?: unknown; force?: unknown }): Promise<void> {
  const key = requireBackupKey(config);
  if (typeof options.in !== 'string' || options.in === '') throw new CliError('--in FILE is required', 2);
  const file = options.in;
  const { secrets, keyring } = await keysOfTheBackedUpDeployment(config);
  const result = await withDatabase(config, 'restoring', { mustExist: false }, (handle) =>
    restoreBackupFile(handle, file, key, {
      force: options.force === true,
      keyring,
      authSecret: secrets.authSecret,
      previousAuthSecrets: secrets.previousAuthSecrets,
      actor: systemActor('cli', hostname()),
      origin: file,
    }),
  );
  reportLoad(result);
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function migrateToPostgresCommand(config: Config, options: { to?: unknown }): Promise<void> {
  const url = typeof options.to === 'string' ? options.to : config.databaseUrl;
  if (!url || !/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url))
    throw new CliError('give the target as --to postgres://… (or DATABASE_URL): the PostgreSQL database to move the embedded data into', 2);
  const { secrets, keyring } = await keysOfTheBackedUpDeployment(config);
  const result = await withDatabase({ ...config, databaseUrl: undefined }, 'migrating it to PostgreSQL', { mustExist: true }, (source) =>
    withDatabase(config, 'migrating', { mustExist: false, url }, (target) =>
      withOwnerTransaction(source, 'snapshot', (session) =>
        loadRecords(target, dumpRecords(session, 'pglite'), {
          force: false,
          keyring,
          authSecret: secrets.authSecret,
          previousAuthSecrets: secrets.previousAuthSecrets,
          actor: systemActor('cli', hostname()),
          origin: `embedded data dir ${config.dataDir}`,
        }),
      ),
    ),
  );
  reportLoad(result);
  const dir = secretsDir(config.dataDir);
  const lines = [
    `The data is in ${redactUrl(url)}. Give every PostgreSQL deployment of Portcullis (gateway and api):`,
    `  DATABASE_URL=${redactUrl(url)}`,
    secrets.generated.masterKey
      ? `  MASTER_KEY_FILE=${join(dir, 'master-key')}   (copy this file into your secret store; the rows are encrypted under it)`
      : config.masterKey
        ? '  MASTER_KEY: the same value you configured for this command (the rows are encrypted under it)'
        : '  MASTER_KEY_PROVIDER and its settings: the same KMS you configured for this command',
    secrets.generated.authSecret
      ? `  AUTH_SECRET_FILE=${join(dir, 'auth-secret')}   (copy this file too; sessions and audit checkpoints are signed with it)`
      : '  AUTH_SECRET: the same value you configured for this command',
    ...(config.previousMasterKeys.length > 0 ? ['  MASTER_KEY_PREVIOUS: the same values you configured for this command'] : []),
    'The embedded data dir is left as it was; keep it until the PostgreSQL deployment is verified.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

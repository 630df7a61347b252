import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { announceBootstrapChanges, applyBootstrap, type BootstrapResult } from '../bootstrap/apply.js';
import { checkBootstrapBaseUrls, parseBootstrapText, BootstrapDocumentError } from '../bootstrap/document.js';
import { systemActor } from '../audit/context.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { openRuntime, type Runtime } from '../server/runtime.js';
import { adminClientFor } from './admin-client.js';
import { CliError } from './cli-error.js';

/** CLI commands keep stdout for their result; diagnostics go to stderr. */
function cliLogger(config: Config): Logger {
  return createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, destination: process.stderr });
}

/** Opens the database directly when no server holds it (embedded) or always (PostgreSQL). */
export async function withDirectRuntime<T>(
  config: Config,
  fn: (runtime: Runtime) => Promise<T>,
  migrations: 'apply' | 'require-current' = 'require-current',
): Promise<T> {
  let runtime: Runtime;
  try {
    runtime = await openRuntime(config, cliLogger(config), { migrations: config.databaseUrl ? migrations : 'apply' });
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new CliError(error.message);
    throw error;
  }
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

export async function migrateCommand(config: Config): Promise<void> {
  const admin = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  if (admin) {
    const { applied } = await admin.call<{ applied: number }>('POST', '/admin/migrate');
    process.stdout.write(applied > 0 ? `Applied ${applied} migration(s) through the running server.\n` : 'The database is up to date.\n');
    return;
  }
  // openRuntime applies what is pending (and audits it); nothing else to do.
  await withDirectRuntime(config, () => Promise.resolve(), 'apply');
  process.stdout.write('The database is up to date.\n');
}

export async function bootstrapCommand(config: Config, file: string): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let document;
  try {
    document = parseBootstrapText(text, file);
    checkBootstrapBaseUrls(document, { allowPrivate: config.allowPrivateProviderUrls });
  } catch (error) {
    if (error instanceof BootstrapDocumentError) throw new CliError(error.message, 2);
    throw error;
  }
  const admin = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  const result: BootstrapResult = admin
    ? await admin.call<BootstrapResult>('POST', '/admin/bootstrap', { document })
    : await withDirectRuntime(config, async (runtime) => {
        const applied = await applyBootstrap(document, {
          db: runtime.apiDb,
          keyring: runtime.keyring,
          ctx: { actor: systemActor('cli', runtime.host), requestId: null },
        });
        // With REDIS_URL, running gateways drop their cached view of these orgs at once.
        await announceBootstrapChanges(runtime.bus, applied);
        return applied;
      });
  for (const change of result.changes) process.stderr.write(`${change.type}: ${change.org} ${change.name}\n`);
  if (result.changes.length === 0) process.stderr.write('Nothing to change: everything in the file already exists.\n');
  // Only the API keys created now, only once: they cannot be shown again. One JSON line, so scripts
  // can read it with `jq -c`, `read` or a line splitter alike.
  process.stdout.write(JSON.stringify({ apiKeys: result.apiKeys }) + '\n');
}

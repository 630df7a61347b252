import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { secretsDir } from '../config/generated-secrets.js';
import type { Config } from '../config/load.js';
import { configChecks, type Check } from '../config/production-checks.js';
import { acquireDataDirLock, readLockHolder } from '../db/data-dir-lock.js';
import { pendingMigrationCount } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { createStore } from '../store/create-store.js';
import { adminClientFor } from './admin-client.js';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function fileModeChecks(config: Config): Check[] {
  const checks: Check[] = [];
  if (!existsSync(config.dataDir)) return checks;
  const dirMode = modeOf(config.dataDir);
  checks.push({
    id: 'data-dir-mode',
    title: `Data dir ${config.dataDir} is private to its owner`,
    ok: (dirMode & 0o077) === 0,
    detail: `mode ${dirMode.toString(8).padStart(4, '0')}${(dirMode & 0o077) === 0 ? '' : ` (run: chmod 700 ${config.dataDir})`}`,
    level: 'required',
  });
  for (const file of ['auth-secret', 'master-key']) {
    const path = join(secretsDir(config.dataDir), file);
    if (!existsSync(path)) continue;
    const mode = modeOf(path);
    checks.push({
      id: `secret-file-${file}`,
      title: `${path} is readable by its owner only`,
      ok: (mode & 0o077) === 0,
      detail: `mode ${mode.toString(8).padStart(4, '0')}`,
      level: 'required',
    });
  }
  return checks;
}

async function databaseCheck(config: Config): Promise<Check> {
  const title = 'Database reachable and migrations current';
  try {
    let pending: number;
    if (config.databaseUrl) {
      const handle = await openDatabase({ kind: 'postgres', url: config.databaseUrl, poolMax: 1 });
      try {
        pending = await pendingMigrationCount(handle);
      } finally {
        await handle.close();
      }
    } else {
      const admin = adminClientFor(config.dataDir);
      if (admin) {
        pending = (await admin.call<{ pendingMigrations: number }>('GET', '/admin/status')).pendingMigrations;
      } else if (!existsSync(join(config.dataDir, 'pgdata'))) {
        return {
          id: 'database',
          title,
          ok: true,
          detail: 'embedded database not created yet: the first `portcullis start` creates it',
          level: 'required',
        };
      } else {
        // Hold the lock while the database is open: a `start` racing us must wait, not share it.
        const lock = acquireDataDirLock(config.dataDir);
        try {
          const handle = await openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pgdata') });
          try {
            pending = await pendingMigrationCount(handle);
          } finally {
            await handle.close();
          }
        } finally {
          lock.release();
        }
      }
    }
    return {
      id: 'database',
      title,
      ok: pending === 0,
      detail: pending === 0 ? 'up to date' : `${pending} migration(s) pending: run \`portcullis migrate\``,
      level: 'required',
    };
  } catch (error) {
    return { id: 'database', title, ok: false, detail: `unreachable: ${(error as Error).message.split('\n')[0] ?? ''}`, level: 'required' };
  }
}

async function redisCheck(config: Config): Promise<Check | undefined> {
  if (!config.redisUrl) return undefined;
  const store = createStore({ redisUrl: config.redisUrl });
  try {
    await store.ping();
    return { id: 'redis-reachable', title: 'Redis reachable', ok: true, detail: 'PONG', level: 'required' };
  } catch (error) {
    return { id: 'redis-reachable', title: 'Redis reachable', ok: false, detail: (error as Error).message, level: 'required' };
  } finally {
    await store.close();
  }
}

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { id: 'node', title: 'Node.js 20.19 or newer', ok, detail: process.versions.node, level: 'required' };
}

/** The production checklist: prints PASS/FAIL/WARN per item, returns the exit code (1 on any failure). */
export async function doctorCommand(
  load: () => Config,
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  out('Portcullis doctor: production checklist');
  let config: Config;
  try {
    config = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out('  FAIL  Configuration is valid');
    for (const problem of error.problems) out(`          ${problem}`);
    return 1;
  }
  const checks: Check[] = [nodeCheck(), ...configChecks(config), ...fileModeChecks(config), await databaseCheck(config)];
  const redis = await redisCheck(config);
  if (redis) checks.push(redis);
  const holder = config.databaseUrl ? undefined : readLockHolder(config.dataDir);
  if (holder) out(`  (a server is running on this data dir: pid ${holder.pid})`);
  let failures = 0;
  let warnings = 0;
  for (const check of checks) {
    const status = check.ok ? 'PASS' : check.level === 'required' ? 'FAIL' : 'WARN';
    if (status === 'FAIL') failures += 1;
    if (status === 'WARN') warnings += 1;
    out(`  ${status}  ${check.title}: ${check.detail}`);
  }
  out(
    failures === 0
      ? `Ready for production${warnings ? ` (${warnings} recommendation${warnings > 1 ? 's' : ''})` : ''}.`
      : `${failures} failed, ${warnings} warning(s).`,
  );
  return failures === 0 ? 0 : 1;
}

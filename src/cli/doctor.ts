import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import { doctorConfigChecks } from '../config/doctor-config-checks.js';
import type { AuthSecrets } from '../config/doctor-auth-secret-checks.js';
import { databaseChecks } from '../config/doctor-database-checks.js';
import { secretsDir } from '../config/generated-secrets.js';
import type { Config } from '../config/load.js';
import { checkStatus, configChecks, type Check, type CheckStatus } from '../config/production-checks.js';
import { acquireDataDirLock, readLockHolder } from '../db/data-dir-lock.js';
import { pendingMigrationCount } from '../db/migrate.js';
import { openDatabase, type DatabaseHandle } from '../db/open.js';
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
    detail: `mode ${dirMode.toString(8).padStart(4, '0')}`,
    fix: `chmod 700 ${config.dataDir}`,
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
      fix: `chmod 600 ${path}`,
      level: 'required',
    });
  }
  return checks;
}

const checkSchema = z.object({
  id: z.string(),
  title: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  fix: z.string(),
  level: z.enum(['required', 'recommended']),
});
const adminDoctorSchema = z.object({ checks: z.array(checkSchema) });

/** AUTH_SECRET as the server would use it (configured, or the file a first start generated), never creating one. */
function knownAuthSecrets(config: Config): AuthSecrets | undefined {
  const path = join(secretsDir(config.dataDir), 'auth-secret');
  const current = config.authSecret ?? (existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined);
  return current ? { current, previous: config.previousAuthSecrets } : undefined;
}

/** Migrations, then the checks that read the database, on one connection. */
async function inspect(handle: DatabaseHandle, config: Config): Promise<{ pending: number; checks: Check[] }> {
  const pending = await pendingMigrationCount(handle);
  // The account checks query tables a pending migration may not have created yet.
  return { pending, checks: pending === 0 ? await databaseChecks(handle, config, knownAuthSecrets(config)) : [] };
}

async function databaseCheck(config: Config): Promise<Check[]> {
  const base = { id: 'database-reachable', title: 'Database reachable and migrations current', level: 'required' } as const;
  try {
    let result: { pending: number; checks: Check[] };
    if (config.databaseUrl) {
      const handle = await openDatabase({ kind: 'postgres', url: config.databaseUrl, poolMax: 1 });
      try {
        result = await inspect(handle, config);
      } finally {
        await handle.close();
      }
    } else {
      const admin = adminClientFor(config.dataDir);
      if (admin) {
        const pending = (await admin.call<{ pendingMigrations: number }>('GET', '/admin/status')).pendingMigrations;
        const checks =
          pending === 0
            ? adminDoctorSchema.parse(await admin.call('GET', `/admin/doctor?production=${String(config.production)}`)).checks
            : [];
        result = { pending, checks };
      } else if (!existsSync(join(config.dataDir, 'pgdata'))) {
        return [
          {
            ...base,
            ok: true,
            detail: 'embedded database not created yet: the first `portcullis start` creates it',
            fix: 'run `portcullis start` once',
          },
        ];
      } else {
        // Hold the lock while the database is open: a `start` racing us must wait, not share it.
        const lock = acquireDataDirLock(config.dataDir);
        try {
          const handle = await openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pgdata') });
          try {
            result = await inspect(handle, config);
          } finally {
            await handle.close();
          }
        } finally {
          lock.release();
        }
      }
    }
    const { pending } = result;
    return [
      {
        ...base,
        ok: pending === 0,
        detail: pending === 0 ? 'up to date' : `${pending} migration(s) pending (the account checks run once they are applied)`,
        fix: 'run `portcullis migrate`',
      },
      ...result.checks,
    ];
  } catch (error) {
    return [
      {
        ...base,
        ok: false,
        detail: `unreachable: ${(error as Error).message.split('\n')[0] ?? ''}`,
        fix: 'check DATABASE_URL and that the database accepts connections',
      },
    ];
  }
}

async function redisCheck(config: Config): Promise<Check | undefined> {
  if (!config.redisUrl) return undefined;
  const base = {
    id: 'redis-reachable',
    title: 'Redis reachable',
    fix: 'check REDIS_URL and that Redis accepts connections',
    level: 'required',
  } as const;
  const store = createStore({ redisUrl: config.redisUrl });
  try {
    await store.ping();
    return { ...base, ok: true, detail: 'PONG' };
  } catch (error) {
    return { ...base, ok: false, detail: (error as Error).message };
  } finally {
    await store.close();
  }
}

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return {
    id: 'node',
    title: 'Node.js 20.19 or newer',
    ok,
    detail: process.versions.node,
    fix: 'install Node.js 20.19 or newer',
    level: 'required',
  };
}

export type DoctorReport = {
  checks: { id: string; status: CheckStatus; message: string; fix: string }[];
  summary: Record<CheckStatus, number>;
};

export function doctorReport(checks: Check[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  const rows = checks.map((check) => {
    const status = checkStatus(check);
    summary[status] += 1;
    return { id: check.id, status, message: `${check.title}: ${check.detail}`, fix: check.fix };
  });
  return { checks: rows, summary };
}

export type DoctorOptions = { json?: boolean };

/**
 * The production checklist: PASS/WARN/FAIL per item with a one-line fix (or, with `json`, one JSON
 * document); returns the exit code (1 on any failure).
 */
export async function doctorCommand(
  load: () => Config,
  options: DoctorOptions = {},
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  let config: Config;
  try {
    config = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (options.json) {
      // The problems name variables, never values (ConfigError's contract), so they may go into the report.
      const report: DoctorReport = {
        checks: error.problems.map((problem, i) => ({
          id: `config-${i + 1}`,
          status: 'fail',
          message: `Configuration is valid: ${problem}`,
          fix: 'correct the variable named in the message',
        })),
        summary: { pass: 0, warn: 0, fail: error.problems.length },
      };
      out(JSON.stringify(report, null, 2));
      return 1;
    }
    out('Portcullis doctor: production checklist');
    out('  FAIL  Configuration is valid');
    for (const problem of error.problems) out(`          ${problem}`);
    return 1;
  }
  const checks: Check[] = [
    nodeCheck(),
    ...configChecks(config),
    ...doctorConfigChecks(config),
    ...fileModeChecks(config),
    ...(await databaseCheck(config)),
  ];
  const redis = await redisCheck(config);
  if (redis) checks.push(redis);
  const report = doctorReport(checks);
  if (options.json) {
    out(JSON.stringify(report, null, 2));
    return report.summary.fail === 0 ? 0 : 1;
  }
  out('Portcullis doctor: production checklist');
  const holder = config.databaseUrl ? undefined : readLockHolder(config.dataDir);
  if (holder) out(`  (a server is running on this data dir: pid ${holder.pid})`);
  for (const row of report.checks) {
    out(`  ${row.status.toUpperCase()}  ${row.message}`);
    if (row.status !== 'pass') out(`        fix: ${row.fix}`);
  }
  const { fail, warn } = report.summary;
  out(
    fail === 0
      ? `Ready for production${warn ? ` (${warn} recommendation${warn > 1 ? 's' : ''})` : ''}.`
      : `${fail} failed, ${warn} warning(s).`,
  );
  return fail === 0 ? 0 : 1;
}

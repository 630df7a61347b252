import { readAdminToken } from '../admin/admin-token.js';
import { readLockHolder } from '../db/data-dir-lock.js';
import { CliError } from './cli-error.js';

export type AdminClient = { call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> };

/**
 * When a server holds the embedded data dir, CLI commands talk to its loopback admin endpoint
 * (token from the data dir) instead of opening the database. Undefined when nobody holds it.
 */
export function adminClientFor(dataDir: string): AdminClient | undefined {
  const holder = readLockHolder(dataDir);
  if (!holder) return undefined;
  if (!holder.adminUrl) throw new CliError(`A Portcullis server (pid ${holder.pid}) is starting up on ${dataDir}; try again in a moment.`);
  const token = readAdminToken(dataDir);
  const base = holder.adminUrl;
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new CliError(`The running Portcullis server (pid ${holder.pid}) did not answer on its admin endpoint ${base}.`);
      }
      const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      if (!response.ok) throw new CliError(json.error?.message ?? `admin endpoint answered HTTP ${response.status}`);
      return json as T;
    },
  };
}

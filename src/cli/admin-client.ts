import { readAdminToken } from '../admin/admin-token.js';
import { readLockHolder } from '../db/data-dir-lock.js';
import { CliError } from './cli-error.js';

export type AdminClient = {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /**
   * POSTs to an NDJSON route (see admin/key-routes.ts): hands each `{"progress"}` line to
   * `onProgress` as it arrives and resolves with the final `{"result"}`.
   */
  stream<T>(path: string, body: unknown, onProgress: (line: string) => void): Promise<T>;
};

type StreamLine = { progress?: unknown; result?: unknown; error?: { message?: unknown } };

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
  const pid = holder.pid;

  async function send(method: 'GET' | 'POST', path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new CliError(`The running Portcullis server (pid ${pid}) did not answer on its admin endpoint ${base}.`);
    }
  }

  async function failure(response: Response): Promise<CliError> {
    const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    return new CliError(json.error?.message ?? `admin endpoint answered HTTP ${response.status}`);
  }

  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await send(method, path, body);
      if (!response.ok) throw await failure(response);
      return (await response.json().catch(() => ({}))) as T;
    },
    async stream<T>(path: string, body: unknown, onProgress: (line: string) => void): Promise<T> {
      const response = await send('POST', path, body);
      if (!response.ok || !response.body) throw await failure(response);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch {
          break; // connection lost: reported below as "no result"
        }
        buffered += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
        const lines = buffered.split('\n');
        buffered = chunk.done ? '' : (lines.pop() ?? '');
        for (const text of lines) {
          if (!text.trim()) continue;
          const line = JSON.parse(text) as StreamLine;
          if (typeof line.progress === 'string') onProgress(line.progress);
          if (line.error) throw new CliError(typeof line.error.message === 'string' ? line.error.message : 'the operation failed');
          if ('result' in line) return line.result as T;
        }
        if (chunk.done) break;
      }
      throw new CliError(
        `The running Portcullis server (pid ${pid}) ended the operation without a result; run the command again to continue it.`,
      );
    },
  };
}

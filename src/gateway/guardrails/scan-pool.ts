/**
 * Guardrail scans of long texts in worker threads. The detectors are synchronous: on the gateway's
 * thread a long prompt holds the event loop, and with it every other request on the process, for
 * as long as it is read (about 20 ms per MB of ordinary text, up to ~0.5 s per MB of text packed
 * with secret keywords: docs/guardrails.md#speed). Texts of at least `minChars` are handed to a
 * worker instead; shorter ones cost less than the hand-off (a structured copy each way).
 *
 * Workers start on first use, at most `workers` of them, each taking the next text when it has the
 * fewest waiting. A worker that fails or exits rejects what it held, and the caller scans that text
 * on its own thread: a scan is never skipped.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Direction, FoundAction, TextKind } from '../../guardrails/engine/apply.js';
import type { GuardrailPolicy } from '../../guardrails/engine/policy.js';
import type { ScanReply, ScanRequest } from './scan-messages.js';

export type GuardrailScanPool = {
  /** Texts at least this long go to a worker. */
  readonly minChars: number;
  find(text: string, policy: GuardrailPolicy, direction: Direction, kind?: TextKind): Promise<FoundAction[]>;
  /** Ends the workers; scans still waiting are rejected (their callers scan on their own thread). */
  close(): Promise<void>;
};

/** 64 K characters: about 1 ms of ordinary text on the gateway's thread, where the copy to a worker stops paying off below. */
export const DEFAULT_SCAN_WORKER_MIN_CHARS = 65_536;

type Pending = { resolve(found: FoundAction[]): void; reject(error: Error): void };
type ScanWorker = { worker: Worker; pending: Map<number, Pending> };

// Built, the worker is the .js beside this file. Run from source (tests, `npm run dev`) it is
// TypeScript: a small bootstrap registers tsx's loader in the worker, then imports it (a worker
// does not take `--import` from execArgv).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './scan-worker.ts' : './scan-worker.js', import.meta.url);
const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

function newWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  // tsx's ESM entry (a require() resolution would give its CommonJS one, which cannot be import()ed here).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  return new Worker(SOURCE_BOOTSTRAP, { eval: true, workerData: { tsx, entry: WORKER_URL.href } });
}

export function createScanPool(options: { workers: number; minChars?: number }): GuardrailScanPool {
  const minChars = options.minChars ?? DEFAULT_SCAN_WORKER_MIN_CHARS;
  const workers: ScanWorker[] = [];
  let nextId = 0;
  let closed = false;

  function start(): ScanWorker {
    const worker = newWorker();
    // Never what keeps the process alive: shutdown waits for requests, not for idle workers.
    worker.unref();
    const entry: ScanWorker = { worker, pending: new Map() };
    worker.on('message', (reply: ScanReply) => {
      const waiting = entry.pending.get(reply.id);
      if (!waiting) return;
      entry.pending.delete(reply.id);
      if (reply.found) waiting.resolve(reply.found);
      else waiting.reject(new Error(`guardrail scan failed in a worker (${reply.error})`));
    });
    const gone = (error: Error) => {
      const at = workers.indexOf(entry);
      if (at >= 0) workers.splice(at, 1);
      for (const waiting of entry.pending.values()) waiting.reject(error);
      entry.pending.clear();
    };
    worker.on('error', (error) => gone(error));
    worker.on('exit', () => gone(new Error('guardrail scan worker exited')));
    workers.push(entry);
    return entry;
  }

  function pick(): ScanWorker {
    const idlest = workers.reduce<ScanWorker | undefined>(
      (best, w) => (best === undefined || w.pending.size < best.pending.size ? w : best),
      undefined,
    );
    if (idlest === undefined || (idlest.pending.size > 0 && workers.length < options.workers)) return start();
    return idlest;
  }

  return {
    minChars,
    find(text, policy, direction, kind = 'text') {
      if (closed || options.workers < 1) return Promise.reject(new Error('guardrail scan pool is closed'));
      const target = pick();
      const id = ++nextId;
      return new Promise<FoundAction[]>((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        const request: ScanRequest = { id, text, policy, direction, kind };
        target.worker.postMessage(request);
      });
    },
    async close() {
      closed = true;
      const ending = workers.splice(0);
      await Promise.all(ending.map((w) => w.worker.terminate()));
    },
  };
}

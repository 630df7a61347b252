/**
 * OpenAI's tokenizer (js-tiktoken) in a worker thread, started on the first count and ended after
 * a minute without one. Measured here: building the o200k_base encoder takes about 1.2 s of
 * synchronous CPU and holds about 70 MB of heap (160 MB RSS). On the gateway's own thread that
 * would stall every request in flight for the load and keep the memory for the process's life; in
 * a worker the event loop never waits, and ending the worker gives the memory back.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { EncodingName } from './openai-tokenizer.js';

/** Ends the worker (and frees its encoders) after this long without a count. */
const IDLE_MS = 60_000;
/** A count that takes longer is abandoned (the caller bills the reported usage instead). */
const COUNT_TIMEOUT_MS = 30_000;

// Plain CommonJS, run with `eval`: no TypeScript loader needed in tests or after the build. The
// package paths are resolved here and handed over, so the worker resolves nothing itself.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Tiktoken } = require(workerData.lite);
const encoders = new Map();
const encoderFor = (name) => {
  let encoder = encoders.get(name);
  if (!encoder) encoders.set(name, (encoder = new Tiktoken(require(workerData.ranks[name]))));
  return encoder;
};
parentPort.on('message', ({ id, encoding, texts }) => {
  try {
    const encoder = encoderFor(encoding);
    parentPort.postMessage({ id, counts: texts.map((text) => (text === '' ? 0 : encoder.encode(text, [], []).length)) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.name : 'Error' });
  }
});
`;

type Reply = { id: number; counts?: number[]; error?: string };
type Pending = { resolve(counts: number[]): void; reject(error: Error): void; timer: NodeJS.Timeout };

const require = createRequire(import.meta.url);
const pending = new Map<number, Pending>();
let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;

function failAll(error: Error): void {
  for (const [id, request] of pending) {
    clearTimeout(request.timer);
    pending.delete(id);
    request.reject(error);
  }
}

function startWorker(): Worker {
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      lite: require.resolve('js-tiktoken/lite'),
      ranks: { o200k_base: require.resolve('js-tiktoken/ranks/o200k_base'), cl100k_base: require.resolve('js-tiktoken/ranks/cl100k_base') },
    },
  });
  // Never what keeps the process alive: shutdown waits for counts, not for the tokenizer.
  started.unref();
  started.on('message', (reply: Reply) => {
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    clearTimeout(request.timer);
    if (reply.counts) request.resolve(reply.counts);
    else request.reject(new Error(`tokenizer failed (${reply.error ?? 'unknown'})`));
    scheduleIdleStop();
  });
  // Only the current worker has requests in flight: one stopped for idleness had none left.
  const gone = (error: Error) => {
    if (worker !== started) return;
    worker = undefined;
    failAll(error);
  };
  started.on('error', (error) => gone(error));
  started.on('exit', () => gone(new Error('tokenizer worker exited')));
  return started;
}

function scheduleIdleStop(): void {
  if (pending.size > 0) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (pending.size > 0 || !worker) return;
    const idle = worker;
    worker = undefined;
    void idle.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

/** Token counts of each text with this encoding. */
export function countTokens(encoding: EncodingName, texts: string[]): Promise<number[]> {
  clearTimeout(idleTimer);
  worker ??= startWorker();
  const id = ++nextId;
  const target = worker;
  return new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('tokenizer timed out'));
      scheduleIdleStop();
    }, COUNT_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    target.postMessage({ id, encoding, texts });
  });
}

/** For tests: whether the worker (and its encoders' memory) is currently alive. */
export const tokenizerWorkerRunning = (): boolean => worker !== undefined;

/**
 * The body of an upstream response: read once, either streamed (async iteration, for SSE; not
 * size-capped, since a long stream is legitimate and is bounded by the deadline instead) or whole
 * (`text()`/`json()`, capped so a hostile or broken upstream cannot make the gateway buffer
 * gigabytes). `cancel()` tears the connection down, which is what stops the provider generating
 * (and billing) tokens nobody will read.
 */
import type { Readable } from 'node:stream';
import { UpstreamResponseTooLargeError } from './errors.js';

export type UpstreamBody = AsyncIterable<Uint8Array> & {
  text(): Promise<string>;
  /** Rejects with SyntaxError (fixed message: the body is not echoed) when the body is not JSON. */
  json(): Promise<unknown>;
  /** Idempotent; also fine after the body was read. */
  cancel(): void;
};

export type BodyOptions = {
  host: string;
  maxBytes: number;
  /** From Content-Length, when the upstream sent one. */
  declaredLength: number | undefined;
  /** Maps a stream error to what the caller should see (e.g. the deadline's timeout error). */
  mapError(error: unknown): unknown;
  /** Called once when the body is finished with, however that happened (clears the deadline). */
  onSettled(): void;
};

export function createUpstreamBody(stream: Readable, options: BodyOptions): UpstreamBody {
  // undici turns a destroy() without an error into an 'error' event; nobody is listening for it
  // when we destroy on purpose, and an unheard 'error' would crash the process.
  const discard = (): void => {
    stream.on('error', () => undefined);
    stream.destroy();
  };
  let claimed = false;
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    options.onSettled();
  };
  // However the body ends (read to the end, destroyed by the deadline, by the caller or by a
  // socket error), the call's timers and listeners go with it.
  stream.once('close', settle);
  const claim = (): void => {
    if (claimed) throw new TypeError('upstream response body already consumed');
    claimed = true;
  };

  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      throw options.mapError(error);
    } finally {
      // Also runs when the consumer stops early; leaving the loop has destroyed the stream.
      settle();
    }
  }

  async function text(): Promise<string> {
    claim();
    if (options.declaredLength !== undefined && options.declaredLength > options.maxBytes) {
      discard();
      settle();
      throw new UpstreamResponseTooLargeError(options.host, options.maxBytes);
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of chunks()) {
      total += chunk.byteLength;
      // Returning from the loop destroys the stream (and the connection) and settles.
      if (total > options.maxBytes) throw new UpstreamResponseTooLargeError(options.host, options.maxBytes);
      parts.push(chunk);
    }
    return Buffer.concat(parts, total).toString('utf8');
  }

  return {
    [Symbol.asyncIterator]() {
      claim();
      return chunks();
    },
    text,
    async json() {
      const body = await text();
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new SyntaxError(`Response from ${options.host} is not valid JSON`);
      }
    },
    cancel() {
      claimed = true;
      discard();
      settle();
    },
  };
}

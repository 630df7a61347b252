/**
 * Test helpers for adapter round trips: send an UpstreamRequest with fetch, and read an SSE
 * response through the real parser into a decoder or observer (tolerating a connection the fake
 * cut mid-stream, as the gateway must).
 */
import type { StreamEvent } from '../../src/gateway/canonical/types.js';
import { createSseParser, type SseEvent } from '../../src/providers/sse.js';
import type { StreamDecoder, UpstreamRequest } from '../../src/providers/types.js';

export function send(request: UpstreamRequest): Promise<Response> {
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
}

/** All SSE events of a response body; stops quietly where the connection was cut. */
export async function readSse(response: Response): Promise<{ events: SseEvent[]; cut: boolean }> {
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let cut = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      events.push(...parser.push(decoder.decode(value, { stream: true })));
    }
  } catch {
    cut = true;
  }
  events.push(...parser.push(decoder.decode()), ...parser.end());
  return { events, cut };
}

export async function decodeStream(response: Response, decoder: StreamDecoder): Promise<StreamEvent[]> {
  const { events } = await readSse(response);
  return [...events.flatMap((e) => decoder.push(e)), ...decoder.end()];
}

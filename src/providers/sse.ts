/**
 * Server-sent events, as every provider streams them: incremental parsing that is safe across
 * arbitrary chunk boundaries (a multi-byte character or a `\r\n` split between two network reads),
 * and serialisation for the client side.
 */

export type SseEvent = {
  /** The `event:` field, when present (Anthropic and the Responses API name their events). */
  event?: string;
  /** All `data:` lines of the event joined with `\n`. */
  data: string;
  id?: string;
};

/** Upper bound on one event, so a hostile or broken upstream cannot grow a buffer without limit. */
export const MAX_SSE_EVENT_BYTES = 8 * 1024 * 1024;

export class SseParseError extends Error {}

/**
 * Feed decoded text with `push`, receive complete events. Handles `\n`, `\r\n` and `\r` line
 * endings, comments (`: ping`), multi-line data and a missing trailing blank line at `end()`.
 */
export function createSseParser() {
  let buffer = '';
  let pendingCr = false;
  let event: string | undefined;
  let id: string | undefined;
  let data: string[] = [];
  let size = 0;

  const flush = (out: SseEvent[]) => {
    if (data.length > 0 || event !== undefined) {
      if (data.length > 0)
        out.push({ ...(event !== undefined ? { event } : {}), data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
    }
    event = undefined;
    data = [];
    size = 0;
  };

  const line = (text: string, out: SseEvent[]) => {
    if (text === '') return flush(out);
    if (text.startsWith(':')) return; // comment / keep-alive
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    size += value.length;
    if (size > MAX_SSE_EVENT_BYTES) throw new SseParseError('upstream stream event exceeds the size limit');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    // `retry` and unknown fields are ignored, as the spec says.
  };

  return {
    push(chunk: string): SseEvent[] {
      const out: SseEvent[] = [];
      let text = chunk;
      if (pendingCr && text.startsWith('\n')) text = text.slice(1); // a \r\n split across chunks
      pendingCr = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i);
        if (ch === 10 || ch === 13) {
          line(buffer.slice(start, i), out);
          if (ch === 13) {
            if (i + 1 < buffer.length) {
              if (buffer.charCodeAt(i + 1) === 10) i++;
            } else {
              pendingCr = true;
            }
          }
          start = i + 1;
        }
      }
      buffer = buffer.slice(start);
      if (buffer.length > MAX_SSE_EVENT_BYTES) throw new SseParseError('upstream stream line exceeds the size limit');
      return out;
    },
    /** The stream closed: a final event without its blank line still counts. */
    end(): SseEvent[] {
      const out: SseEvent[] = [];
      if (buffer.length > 0) line(buffer, out);
      buffer = '';
      flush(out);
      return out;
    },
  };
}

/** One SSE frame. `data` must not contain a bare newline requirement: JSON.stringify output never does. */
export function formatSse(data: string, event?: string): string {
  const lines = data.split('\n').map((l) => `data: ${l}`);
  return (event ? `event: ${event}\n` : '') + lines.join('\n') + '\n\n';
}

/** OpenAI-style streams end with this sentinel. */
export const SSE_DONE = 'data: [DONE]\n\n';

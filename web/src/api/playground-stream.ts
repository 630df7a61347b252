/**
 * Reads the playground's NDJSON stream with fetch and a ReadableStream reader, handing each event
 * to the caller as it arrives. Refusals before the stream (403, 404, 400, 429, 503) throw an
 * ApiError in words, as every other call does. Nothing is cached or stored: the conversation lives
 * in the page's state only.
 */
import { ApiError, messageForStatus, seg } from './client.ts';
import { playgroundEventSchema, type PlaygroundChatRequest, type PlaygroundEvent } from './playground-schemas.ts';

const UNREADABLE = new ApiError(
  200,
  'The api streamed an answer in a form this dashboard does not understand. Reload the page; if it persists, the dashboard and api versions may differ.',
  'unexpected_response',
);

function parseLine(line: string): PlaygroundEvent {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw UNREADABLE;
  }
  const result = playgroundEventSchema.safeParse(json);
  if (!result.success) throw UNREADABLE;
  return result.data;
}

export async function streamPlaygroundChat(
  orgId: string,
  projectId: string,
  body: PlaygroundChatRequest,
  onEvent: (event: PlaygroundEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/playground/chat`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-portcullis-csrf': '1', accept: 'application/x-ndjson', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Cannot reach the Portcullis api. Check your connection, then try again.', 'network_error');
  }
  if (!response.ok || response.body === null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await response.text());
    } catch {
      parsed = undefined;
    }
    const { message, code } = messageForStatus(response.status, parsed);
    throw new ApiError(response.status, message, code);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onEvent(parseLine(line));
  }
  if (buffered.trim() !== '') onEvent(parseLine(buffered));
}

/**
 * The shared machinery of the fake providers in this folder: a real HTTP server on loopback that
 * records every request, validates it the way the real API would (each provider module decides
 * what "valid" means), answers with a scripted reply rendered in the provider's wire format, and
 * can be told to misbehave for the next requests (errors, delays, hangs, resets, dying streams).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RecordedRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  rawBody: string;
};

/** What the model "says": provider modules render it as JSON or as their SSE stream. */
export type ScriptedReply = {
  text?: string;
  reasoning?: { text: string; signature?: string };
  /**
   * `arguments` is a JSON string; with `custom`, it is a custom tool's free-text input (OpenAI's
   * `custom` tool calls; the other fakes write every call as a function call).
   */
  toolCalls?: { id: string; name: string; arguments: string; custom?: true }[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: { input: number; output: number; cached?: number; cacheWrite?: number; reasoning?: number };
  /** The model id the fake reports having served (default: the requested one). */
  model?: string;
  /** How many pieces a streamed text is cut into (default 3), for tests that watch it grow. */
  chunks?: number;
};

export type Fault =
  /** Answer with this status and body (provider error shape is up to the caller). */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Accept the request and never answer (client timeout). */
  | { kind: 'hang' }
  /** Destroy the connection without a response (connection error). */
  | { kind: 'reset' }
  /** Stream this many events, then destroy the connection (mid-stream failure). */
  | { kind: 'die-mid-stream'; afterEvents: number }
  /** Stream with a pause between events (slow stream). */
  | { kind: 'slow-stream'; eventDelayMs: number }
  /**
   * Hold the answer until `until` resolves, then answer normally: a JSON answer waits whole; a
   * stream sends its first `afterEvents` events (default 0) and then waits. Lets a test keep
   * requests in progress for exactly as long as it needs, without timing guesses.
   */
  | { kind: 'hold'; until: Promise<void>; afterEvents?: number };

/** What a provider route returns: a JSON answer, an SSE stream (list of frames), or an error. */
export type RouteResult =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'sse'; frames: string[]; headers?: Record<string, string> }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> };

export type RouteContext = {
  request: RecordedRequest;
  /** The reply scripted for this request (from `reply()` or the default responder). */
  reply: ScriptedReply;
  /** Path parameters captured by the route pattern (e.g. `:model`). */
  params: Record<string, string>;
};

export type Route = {
  method: 'GET' | 'POST';
  /** Path pattern with `:name` segments, e.g. `/v1beta/models/:model\\:generateContent` is written `/v1beta/models/:modelAction`. */
  pattern: string;
  handle(context: RouteContext): RouteResult;
};

export type FakeUpstreamOptions = {
  name: string;
  routes: Route[];
  /** Default reply for requests with nothing scripted: derived from the request when given a function. */
  defaultReply?: (request: RecordedRequest) => ScriptedReply;
};

export type FakeUpstream = {
  readonly url: string;
  readonly name: string;
  readonly requests: RecordedRequest[];
  /** Replies for the next requests, in order (then the default again). */
  reply(...replies: ScriptedReply[]): void;
  /** Faults for the next requests, in order. */
  fail(...faults: Fault[]): void;
  /** Forget recorded requests, scripted replies and faults. */
  reset(): void;
  close(): Promise<void>;
};

function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return undefined;
  }
  return params;
}

export const defaultEchoReply = (request: RecordedRequest): ScriptedReply => ({
  text: `Hello from ${typeof request.body === 'object' && request.body && 'model' in request.body ? String(request.body.model) : 'the fake'}.`,
  usage: { input: 11, output: 7 },
  finishReason: 'stop',
});

export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const replies: ScriptedReply[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = rawBody ? JSON.parse(rawBody) : undefined;
        } catch {
          body = undefined;
        }
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          rawBody,
        };
        requests.push(recorded);

        let fault = faults.shift();
        if (fault?.kind === 'delay') {
          await new Promise((r) => setTimeout(r, fault && fault.kind === 'delay' ? fault.ms : 0));
          fault = undefined;
        }
        if (fault?.kind === 'hang') return;
        const hold = fault?.kind === 'hold' ? fault : undefined;
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'status') {
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(JSON.stringify(fault.body ?? { error: { message: `fake ${options.name} failure`, type: 'server_error' } }));
          return;
        }

        let params: Record<string, string> | undefined;
        const route = options.routes.find(
          (r) => r.method === recorded.method && (params = matchRoute(r.pattern, recorded.path)) !== undefined,
        );
        if (!route || !params) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { message: `fake ${options.name}: no route for ${recorded.method} ${recorded.path}`, type: 'not_found' },
            }),
          );
          return;
        }
        const reply = replies.shift() ?? (options.defaultReply ?? defaultEchoReply)(recorded);
        const result = route.handle({ request: recorded, reply, params });
        if (result.kind !== 'sse') {
          if (hold) await hold.until;
          // The caller may have given up meanwhile.
          if (res.destroyed) return;
          res.writeHead(result.kind === 'error' ? result.status : (result.status ?? 200), {
            'content-type': 'application/json',
            ...result.headers,
          });
          res.end(JSON.stringify(result.body));
          return;
        }
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          ...result.headers,
        });
        const dieAfter = fault?.kind === 'die-mid-stream' ? fault.afterEvents : Infinity;
        const delay = fault?.kind === 'slow-stream' ? fault.eventDelayMs : 0;
        if (dieAfter === 0) res.flushHeaders();
        for (let i = 0; i < result.frames.length; i++) {
          if (hold && i === (hold.afterEvents ?? 0)) {
            await hold.until;
            if (res.destroyed) return;
          }
          if (i >= dieAfter) {
            // Let the frames already written reach the client first: Node flushes response
            // writes on a later tick, and destroying now would discard them with the headers.
            await new Promise((r) => setTimeout(r, 25));
            req.socket.destroy();
            return;
          }
          res.write(result.frames[i]);
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        }
        res.end();
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    name: options.name,
    requests,
    reply: (...r) => replies.push(...r),
    fail: (...f) => faults.push(...f),
    reset() {
      requests.length = 0;
      replies.length = 0;
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Splits text into a few deltas so streams have more than one chunk. */
export function chunkText(text: string, parts = 3): string[] {
  if (text.length <= parts) return [text];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

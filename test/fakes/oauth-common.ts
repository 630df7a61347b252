/**
 * Plumbing shared by the fake identity providers (github.ts, oidc.ts): a loopback HTTP server that
 * records every request with its form or JSON body decoded, plus the small crypto helpers both need
 * (PKCE, random tokens, constant-time compares). Kept apart from fake-upstream.ts because identity
 * endpoints speak forms and redirects, not scripted JSON/SSE model replies.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type OAuthRecordedRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /**
   * The body's fields: OAuth token endpoints take `application/x-www-form-urlencoded`, and GitHub
   * also takes JSON; both are flattened to one shape so handlers read `form.get('code')` either way.
   */
  form: URLSearchParams;
  rawBody: string;
};

export type FakeReply = {
  status: number;
  headers?: Record<string, string>;
  body?: string;
};

export type FakeServer = {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
};

/** Decodes a form or JSON body into fields; JSON values that are not scalars are dropped. */
export function parseBody(contentType: string | undefined, rawBody: string): URLSearchParams {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    const form = new URLSearchParams();
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') form.set(key, String(value));
        }
      }
    } catch {
      // A malformed JSON body reads as empty: the endpoint then reports the missing parameters,
      // which is what a client sending garbage needs to see.
    }
    return form;
  }
  if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(rawBody);
  return new URLSearchParams();
}

/**
 * Starts a loopback server that records each request into `requests` before `handle` answers it.
 * A handler that throws answers 500 with the message, so a bug in a fake shows up in the test
 * output instead of as a hung request.
 */
export async function startRecordingServer(
  requests: OAuthRecordedRequest[],
  handle: (request: OAuthRecordedRequest, origin: string) => FakeReply | Promise<FakeReply>,
): Promise<FakeServer> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', origin);
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const recorded: OAuthRecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          form: parseBody(req.headers['content-type'], rawBody),
          rawBody,
        };
        requests.push(recorded);
        let reply: FakeReply;
        try {
          reply = await handle(recorded, origin);
        } catch (error) {
          reply = text(500, `fake identity provider bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeReply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): FakeReply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

export function html(status: number, body: string): FakeReply {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><body><p>${escapeHtml(body)}</p></body></html>`,
  };
}

/** 302 to `target` with `params` added to its query (keeping whatever query it already had). */
export function redirect(target: string, params: Record<string, string | undefined> = {}): FakeReply {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' }, body: '' };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1 / §4.2: 43–128 characters from the unreserved set (verifier and challenge alike). */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 string, the alphabet GitHub's tokens use (and harmless for any other provider). */
export function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
  for (let i = 0; i < bytes.length && out.length < length; i++) if (bytes[i]! < 248) out += BASE62[bytes[i]! % 62];
  return out.length === length ? out : out + randomBase62(length - out.length);
}

/** Constant-time string compare: the fakes check secrets the way a real server should. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Reads `Authorization: <scheme> <credentials>`; the scheme is matched case-insensitively (RFC 9110 §11.1). */
export function authorizationCredentials(
  headers: http.IncomingHttpHeaders,
  schemes: readonly string[],
): { scheme: string; credentials: string } | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  return schemes.includes(scheme) ? { scheme, credentials: match[2]! } : undefined;
}

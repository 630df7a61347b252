import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamRequest } from '../../providers/types.js';
import { UpstreamNetworkError, UpstreamResponseTooLargeError } from './errors.js';
import { createUpstreamClient, type UpstreamClient } from './http-client.js';
import { startLocalServer, unusedPort, type Handler, type LocalServer } from './test-helpers.js';

const SECRET = 'sk-test-secret-0123456789';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: Handler): Promise<LocalServer> {
  const started = await startLocalServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function client(options: Parameters<typeof createUpstreamClient>[0] = { allowPrivate: true }): UpstreamClient {
  const created = createUpstreamClient(options);
  cleanups.push(() => created.close());
  return created;
}

function post(url: string, body = '{"model":"m"}'): UpstreamRequest {
  return { url, method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }, body };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function networkFailure(promise: Promise<unknown>): Promise<UpstreamNetworkError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(UpstreamNetworkError);
  const networkError = error as UpstreamNetworkError;
  expect(networkError.message).not.toContain(SECRET);
  return networkError;
}

const never: Handler = () => undefined;

describe('createUpstreamClient: requests and responses', () => {
  it('sends method, path, query, headers and body, and reads status, headers and JSON', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      response.end('{"ok":true}');
    });
    const response = await client().send(post(`${upstream.origin}/v1/chat/completions?api-version=1`), { timeoutMs: 10_000 });

    expect(response.status).toBe(201);
    expect(response.headers).toBeInstanceOf(Headers);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.body.json()).toEqual({ ok: true });
    const [received] = upstream.requests;
    expect(received).toMatchObject({ method: 'POST', url: '/v1/chat/completions?api-version=1', body: '{"model":"m"}' });
    expect(received?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('reuses one keep-alive connection across sequential requests', async () => {
    const upstream = await server((_request, response) => response.end('ok'));
    const upstreamClient = client();
    for (let i = 0; i < 5; i++) {
      const response = await upstreamClient.send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
      expect(await response.body.text()).toBe('ok');
      // undici hands a socket back to the pool one event-loop turn after the response ends (so a
      // server's stray bytes or FIN are seen first); a request sent within that turn would get a
      // second connection, which is not what sequential traffic looks like.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(upstream.requests).toHaveLength(5);
    expect(upstream.connections()).toBe(1);
  });

  it('streams the body chunk by chunk', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
      setImmediate(() => response.end('data: 2\n\n'));
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    let text = '';
    for await (const chunk of response.body) text += Buffer.from(chunk).toString('utf8');
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
  });

  it('refuses to read a body twice', async () => {
    const upstream = await server((_request, response) => response.end('once'));
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    expect(await response.body.text()).toBe('once');
    await expect(response.body.text()).rejects.toThrow(TypeError);
  });

  it('rejects a non-JSON body without echoing it', async () => {
    const upstream = await server((_request, response) => response.end('<html>oops</html>'));
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    const error = await failure(response.body.json());
    expect(error).toBeInstanceOf(SyntaxError);
    expect((error as Error).message).not.toContain('oops');
  });
});

describe('createUpstreamClient: redirects', () => {
  it('returns a 3xx as-is and never follows it', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
      response.end();
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/iam/security-credentials/');
    await response.body.text();
    expect(upstream.requests).toHaveLength(1);
  });

  it('does not follow a 307 to another path on the same server either', async () => {
    const upstream = await server((request, response) => {
      if (request.url === '/v1') response.writeHead(307, { location: '/internal' }).end();
      else response.end('followed');
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    expect(response.status).toBe(307);
    await response.body.text();
    expect(upstream.requests.map((request) => request.url)).toEqual(['/v1']);
  });
});

describe('createUpstreamClient: SSRF', () => {
  it('refuses a loopback target when private addresses are not allowed, without connecting', async () => {
    const upstream = await server((_request, response) => response.end('reached'));
    const error = await networkFailure(
      client({ allowPrivate: false }).send(post(`${upstream.origin}/v1?key=${SECRET}`), { timeoutMs: 10_000 }),
    );
    expect(error.kind).toBe('refused-address');
    expect(error.message).toContain('127.0.0.1');
    expect(upstream.connections()).toBe(0);
  });

  it('refuses at connect time a name that resolves to a forbidden address (rebinding)', async () => {
    const upstream = await server((_request, response) => response.end('reached'));
    const upstreamClient = client({ allowPrivate: false, resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
    const error = await networkFailure(upstreamClient.send(post(`http://provider.test:${upstream.port}/v1`), { timeoutMs: 10_000 }));
    expect(error.kind).toBe('refused-address');
    expect(error.message).toContain('provider.test');
    expect(error.message).not.toContain('127.0.0.1');
    expect(upstream.connections()).toBe(0);
  });

  it('connects through the guarded lookup to an allowed answer', async () => {
    const upstream = await server((_request, response) => response.end('reached'));
    const upstreamClient = client({ allowPrivate: true, resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
    const response = await upstreamClient.send(post(`http://provider.test:${upstream.port}/v1`), { timeoutMs: 10_000 });
    expect(await response.body.text()).toBe('reached');
    expect(upstream.requests[0]?.headers.host).toBe(`provider.test:${upstream.port}`);
  });

  it('refuses metadata and bad URLs under any policy', async () => {
    const upstreamClient = client({ allowPrivate: true });
    expect((await networkFailure(upstreamClient.send(post('http://169.254.169.254/latest'), { timeoutMs: 10_000 }))).kind).toBe(
      'refused-address',
    );
    expect((await networkFailure(upstreamClient.send(post('http://u:p@api.example.com/'), { timeoutMs: 10_000 }))).kind).toBe(
      'refused-address',
    );
  });
});

describe('createUpstreamClient: timeouts and aborts', () => {
  it('times out when the server never answers, and closes the connection', async () => {
    const upstream = await server(never);
    const error = await networkFailure(client().send(post(`${upstream.origin}/v1`), { timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain(`127.0.0.1:${upstream.port}`);
    await upstream.allSocketsClosed();
  });

  it('applies the first-byte timeout before the overall deadline', async () => {
    const upstream = await server(never);
    const error = await networkFailure(client().send(post(`${upstream.origin}/v1`), { timeoutMs: 60_000, firstByteTimeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/did not start answering within 200 ms/);
  });

  it('applies the overall deadline to a body that stalls midway', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: partial\n\n');
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 300, firstByteTimeoutMs: 10_000 });
    expect(response.status).toBe(200);
    const error = await networkFailure(response.body.text());
    expect(error.kind).toBe('timeout');
    await upstream.allSocketsClosed();
  });

  it('stops a streamed body at the deadline', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200);
      response.write('first');
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 300 });
    const chunks: string[] = [];
    const error = await networkFailure(
      (async () => {
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk).toString('utf8'));
      })(),
    );
    expect(chunks).toEqual(['first']);
    expect(error.kind).toBe('timeout');
  });

  it("aborts the upstream request when the caller's signal fires before the response", async () => {
    const upstream = await server(never);
    const controller = new AbortController();
    void upstream.nextRequest().then(() => controller.abort(new Error('client went away')));
    const error = await networkFailure(client().send(post(`${upstream.origin}/v1`), { timeoutMs: 60_000, signal: controller.signal }));
    expect(error.kind).toBe('aborted');
    await upstream.allSocketsClosed();
  });

  it("aborts a stream midway when the caller's signal fires (stop paying the provider)", async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 60_000, signal: controller.signal });
    const error = await networkFailure(
      (async () => {
        for await (const _chunk of response.body) controller.abort();
      })(),
    );
    expect(error.kind).toBe('aborted');
    await upstream.allSocketsClosed();
  });

  it('does not connect at all when the signal is already aborted', async () => {
    const upstream = await server((_request, response) => response.end('reached'));
    const error = await networkFailure(client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000, signal: AbortSignal.abort() }));
    expect(error.kind).toBe('aborted');
    expect(upstream.connections()).toBe(0);
  });

  it('closes the connection when the consumer stops reading a stream early', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 60_000 });
    for await (const chunk of response.body) {
      expect(Buffer.from(chunk).toString('utf8')).toBe('data: 1\n\n');
      break;
    }
    await upstream.allSocketsClosed();
  });

  it('closes the connection when the caller cancels the body', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200);
      response.write('data: 1\n\n');
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 60_000 });
    response.body.cancel();
    response.body.cancel();
    await upstream.allSocketsClosed();
  });
});

describe('createUpstreamClient: connection failures', () => {
  it("reports a refused connection as kind 'connect'", async () => {
    const port = await unusedPort();
    const error = await networkFailure(client().send(post(`http://127.0.0.1:${port}/v1`), { timeoutMs: 10_000 }));
    expect(error.kind).toBe('connect');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe(`Could not connect to 127.0.0.1:${port}: connection refused`);
  });

  it("reports a connection cut mid-body as kind 'reset'", async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('only part of it');
      setImmediate(() => response.socket?.destroy());
    });
    const response = await client().send(post(`${upstream.origin}/v1`), { timeoutMs: 10_000 });
    const error = await networkFailure(response.body.text());
    expect(error.kind).toBe('reset');
  });
});

describe('createUpstreamClient: response size cap', () => {
  const LIMIT = 1024;

  it('rejects a declared Content-Length over the cap before reading', async () => {
    const upstream = await server((_request, response) => response.end('x'.repeat(4096)));
    const response = await client({ allowPrivate: true, maxResponseBytes: LIMIT }).send(post(`${upstream.origin}/v1`), {
      timeoutMs: 10_000,
    });
    const error = await failure(response.body.text());
    expect(error).toBeInstanceOf(UpstreamResponseTooLargeError);
    expect((error as Error).message).toBe(`Response from 127.0.0.1:${upstream.port} exceeded ${LIMIT} bytes`);
  });

  it('rejects a chunked body that grows over the cap, and closes the connection', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const write = (left: number): void => {
        if (left === 0) return void response.end();
        response.write('y'.repeat(512), () => write(left - 1));
      };
      write(8);
    });
    const response = await client({ allowPrivate: true, maxResponseBytes: LIMIT }).send(post(`${upstream.origin}/v1`), {
      timeoutMs: 10_000,
    });
    expect(response.headers.get('content-length')).toBeNull();
    await expect(response.body.json()).rejects.toBeInstanceOf(UpstreamResponseTooLargeError);
    await upstream.allSocketsClosed();
  });

  it('accepts a body of exactly the cap', async () => {
    const upstream = await server((_request, response) => response.end('z'.repeat(LIMIT)));
    const response = await client({ allowPrivate: true, maxResponseBytes: LIMIT }).send(post(`${upstream.origin}/v1`), {
      timeoutMs: 10_000,
    });
    expect(await response.body.text()).toHaveLength(LIMIT);
  });

  it('does not cap streamed iteration (the deadline bounds streams)', async () => {
    const upstream = await server((_request, response) => response.end('s'.repeat(4 * LIMIT)));
    const response = await client({ allowPrivate: true, maxResponseBytes: LIMIT }).send(post(`${upstream.origin}/v1`), {
      timeoutMs: 10_000,
    });
    let total = 0;
    for await (const chunk of response.body) total += chunk.byteLength;
    expect(total).toBe(4 * LIMIT);
  });
});

describe('createUpstreamClient: options', () => {
  it.each([0, -1, Number.NaN, 2 ** 31])('rejects timeoutMs %s instead of firing at once', async (timeoutMs) => {
    await expect(client().send(post('http://127.0.0.1:9/v1'), { timeoutMs })).rejects.toThrow(RangeError);
  });
});

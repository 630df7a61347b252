import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from './serve.js';

const logger = pino({ level: 'silent' });

type Reply = { status: number; body: string; headers: http.IncomingHttpHeaders };

function get(url: string, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An app whose /slow handler waits until the test releases it. */
function slowApp() {
  const entered = deferred();
  const release = deferred();
  const app = new Hono();
  app.get('/', (c) => c.text('hello'));
  app.get('/slow', async (c) => {
    entered.resolve();
    await release.promise;
    return c.text('finished');
  });
  return { app, entered: entered.promise, release: release.resolve };
}

let running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.map((server) => server.close(500)));
  running = [];
});

async function start(app: Hono, extra: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
  const server = await startHttpServer({ app, host: '127.0.0.1', port: 0, logger, ...extra });
  running.push(server);
  return server;
}

describe('startHttpServer', () => {
  it('binds port 0 to a real port and reports it', async () => {
    const server = await start(slowApp().app);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await get(`${server.url}/`)).toMatchObject({ status: 200, body: 'hello' });
  });

  it('formats IPv6 hosts in the url', async () => {
    let server: RunningServer;
    try {
      server = await start(slowApp().app, { host: '::1' });
    } catch {
      return; // no IPv6 loopback in this environment
    }
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await get(`${server.url}/`)).body).toBe('hello');
  });

  it('rejects with host:port when the port is taken', async () => {
    const first = await start(slowApp().app);
    await expect(startHttpServer({ app: slowApp().app, host: '127.0.0.1', port: first.port, logger })).rejects.toThrow(
      `Cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`,
    );
  });

  it('lets an in-flight request finish after close() starts and refuses new connections', async () => {
    const { app, entered, release } = slowApp();
    const server = await start(app);
    const inFlight = get(`${server.url}/slow`);
    await entered;

    let closed = false;
    const closing = server.close(5000).then(() => (closed = true));
    await expect(get(`${server.url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toBe(false);

    release();
    const reply = await inFlight;
    expect(reply).toMatchObject({ status: 200, body: 'finished' });
    expect(reply.headers['connection']).toBe('close');
    await closing;
    expect(closed).toBe(true);
  });

  it('closes idle keep-alive connections without waiting for the drain timeout', async () => {
    const server = await start(slowApp().app);
    const agent = new http.Agent({ keepAlive: true });
    try {
      expect((await get(`${server.url}/`, agent)).status).toBe(200);
      const started = Date.now();
      await server.close(10_000);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      agent.destroy();
    }
  });

  it('closes a keep-alive connection once its in-flight request ends', async () => {
    const { app, entered, release } = slowApp();
    const server = await start(app);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const inFlight = get(`${server.url}/slow`, agent);
      await entered;
      const started = Date.now();
      const closing = server.close(10_000);
      release();
      expect((await inFlight).body).toBe('finished');
      await closing;
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      agent.destroy();
    }
  });

  it('destroys what is left when the drain timeout passes', async () => {
    const { app, entered } = slowApp();
    const server = await start(app);
    const inFlight = get(`${server.url}/slow`);
    inFlight.catch(() => undefined);
    await entered;
    const started = Date.now();
    await server.close(200);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('also closes connections that never sent a request', async () => {
    const server = await start(slowApp().app);
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    await server.close(10_000);
    expect(Date.now() - started).toBeLessThan(2000);
    socket.destroy();
  });

  it('close() is idempotent', async () => {
    const server = await start(slowApp().app);
    const first = server.close(1000);
    expect(server.close(1000)).toBe(first);
    await first;
  });

  it('names the TLS file it cannot read', async () => {
    await expect(
      startHttpServer({
        app: slowApp().app,
        host: '127.0.0.1',
        port: 0,
        logger,
        tls: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' },
      }),
    ).rejects.toThrow(/Cannot read TLS certificate file \/nonexistent\/cert\.pem: ENOENT/);
  });

  describe('with TLS', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    function makeCertificate(): { certFile: string; keyFile: string } | undefined {
      dir = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
      const certFile = join(dir, 'cert.pem');
      const keyFile = join(dir, 'key.pem');
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=localhost',
            '-keyout',
            keyFile,
            '-out',
            certFile,
          ],
          { stdio: 'ignore' },
        );
      } catch {
        return undefined;
      }
      return { certFile, keyFile };
    }

    it('serves HTTPS', async (ctx) => {
      const tls = makeCertificate();
      if (tls === undefined) return ctx.skip();
      const server = await start(slowApp().app, { tls });
      expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
      const body = await new Promise<string>((resolve, reject) => {
        const req = https.get(`${server.url}/`, { rejectUnauthorized: false, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
      });
      expect(body).toBe('hello');
    });
  });
});

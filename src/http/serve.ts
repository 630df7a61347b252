import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { Logger } from 'pino';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Anything with Hono's `fetch`, e.g. a `Hono<AppEnv>` app. */
export interface FetchApp {
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;
}

export interface StartHttpServerOptions {
  app: FetchApp;
  host: string;
  port: number;
  tls?: TlsFiles;
  logger: Logger;
}

export interface RunningServer {
  /** The bound port (the real one when 0 was requested). */
  port: number;
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish, closes idle keep-alive
   * connections, and after `drainTimeoutMs` destroys whatever is still open. Idempotent.
   */
  close(drainTimeoutMs: number): Promise<void>;
}

/**
 * TLS 1.2 and 1.3 only, with forward-secret AEAD suites (Mozilla's "intermediate" profile without
 * finite-field DHE): no CBC, no static RSA key exchange, no SHA-1 MACs. Every current browser,
 * SDK and HTTP library negotiates one of these. Set explicitly rather than inherited from Node's
 * defaults, which still accept CBC suites and follow `--tls-min-v1.0` style flags.
 */
export const TLS_SERVER_OPTIONS = {
  minVersion: 'TLSv1.2',
  ciphers: [
    // TLS 1.3 (always forward secret and AEAD)
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    // TLS 1.2: ECDHE + AEAD only
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const satisfies https.ServerOptions;

// While draining, idle keep-alive sockets are swept at this interval, since a socket
// becomes idle only after its in-flight response ends.
const IDLE_SWEEP_MS = 50;

/**
 * Serves a Hono app with @hono/node-server's request listener on a Node HTTP or HTTPS
 * (HTTP/1.1) server. The server is created here rather than via `serve()` so listen errors
 * can be awaited and connection draining has the http.Server API to work with.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<RunningServer> {
  const { app, host, port, tls, logger } = options;
  const honoListener = getRequestListener(app.fetch, { hostname: host });
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    honoListener(req, res).catch((err: unknown) => {
      logger.error({ err }, 'request listener failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = tls === undefined ? http.createServer(listener) : https.createServer(await loadTls(tls), listener);

  const sockets = trackSockets(server, tls !== undefined);
  await listen(server, host, port);
  // After startup an 'error' event without a listener would crash the process.
  server.on('error', (err) => logger.error({ err }, 'http server error'));

  const address = server.address() as AddressInfo;
  const url = `${tls === undefined ? 'http' : 'https'}://${formatHost(host)}:${address.port}`;
  logger.info({ url }, 'http server listening');

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url,
    close(drainTimeoutMs: number): Promise<void> {
      closing ??= drain(server, sockets, drainTimeoutMs, logger);
      return closing;
    },
  };
}

async function loadTls(tls: TlsFiles): Promise<https.ServerOptions> {
  const read = async (path: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'unknown error';
      throw new Error(`Cannot read TLS ${what} file ${path}: ${code}`, { cause: err });
    }
  };
  // Sequential so that, when both are missing, the error always names the certificate first.
  const cert = await read(tls.certFile, 'certificate');
  const key = await read(tls.keyFile, 'key');
  return { cert, key, ...TLS_SERVER_OPTIONS };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(new Error(`Cannot listen on ${formatHost(host)}:${port}: ${err.code ?? err.message}`, { cause: err }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

// Node's closeIdleConnections() only counts a socket as idle between requests, so a
// connection that was opened but never used (browser preconnects, pooling proxies) would
// hold shutdown for the whole drain timeout. We track sockets to find those.
function trackSockets(server: http.Server, secure: boolean): ReadonlySet<Socket> {
  const sockets = new Set<Socket>();
  // For HTTPS, the TLS socket (after the handshake) is the one whose bytesRead counts request bytes.
  server.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

function closeIdle(server: http.Server, sockets: ReadonlySet<Socket>): void {
  server.closeIdleConnections();
  for (const socket of sockets) {
    // Not one byte received means no request can be in progress on it.
    if (socket.bytesRead === 0) socket.destroy();
  }
}

function drain(server: http.Server, sockets: ReadonlySet<Socket>, drainTimeoutMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    // Requests that still arrive on already-open keep-alive sockets are served, but told to
    // close the connection afterwards. Prepended so it runs before the app writes headers.
    server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    });

    const sweep = setInterval(() => closeIdle(server, sockets), IDLE_SWEEP_MS);
    const force = setTimeout(() => {
      logger.warn({ drainTimeoutMs }, 'drain timeout reached, closing remaining connections');
      server.closeAllConnections();
    }, drainTimeoutMs);

    server.close((err) => {
      clearInterval(sweep);
      clearTimeout(force);
      if (err) reject(err);
      else resolve();
    });
    closeIdle(server, sockets);
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

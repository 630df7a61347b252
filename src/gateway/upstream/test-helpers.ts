/**
 * A local HTTP server for the upstream client tests that records what the client did to it:
 * connections opened, requests received (with bodies), sockets closed. Excluded from the build.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ReceivedRequest = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

export type LocalServer = {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  connections(): number;
  requests: ReceivedRequest[];
  /** Resolves when the server has received the next request (after its body). */
  nextRequest(): Promise<ReceivedRequest>;
  /** Resolves once every socket opened so far has been closed (by either side). */
  allSocketsClosed(): Promise<void>;
  close(): Promise<void>;
};

export type Handler = (request: IncomingMessage, response: ServerResponse, received: ReceivedRequest) => void;

export async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const open = new Set<Socket>();
  const closeWaiters: (() => void)[] = [];
  const requestWaiters: ((request: ReceivedRequest) => void)[] = [];
  const requests: ReceivedRequest[] = [];

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      for (const waiter of requestWaiters.splice(0)) waiter(received);
      handler(request, response, received);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    open.add(socket);
    socket.on('close', () => {
      open.delete(socket);
      if (open.size === 0) for (const waiter of closeWaiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    connections: () => sockets.size,
    requests,
    nextRequest: () => new Promise((resolve) => requestWaiters.push(resolve)),
    allSocketsClosed: () => (open.size === 0 ? Promise.resolve() : new Promise((resolve) => closeWaiters.push(resolve))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

import type { LookupFunction, Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuardedConnector } from './connector.js';
import { UnsafeUpstreamUrlError } from './ssrf.js';
import { startLocalServer, type LocalServer } from './test-helpers.js';

// A lookup with no checks at all: stands in for any path that would bypass the guarded lookup.
const unguardedLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function connect(
  connector: buildConnector.connector,
  hostname: string,
  port: number,
): Promise<{ error: Error | null; socket: Socket | null }> {
  return new Promise((resolve) => {
    connector({ hostname, host: `${hostname}:${port}`, protocol: 'http:', port: String(port) }, (error, socket) =>
      resolve({ error, socket }),
    );
  });
}

let upstream: LocalServer;
afterEach(async () => {
  await upstream.close();
});

describe('createGuardedConnector', () => {
  it('refuses after connecting when the peer address is forbidden, even if the lookup let it through', async () => {
    upstream = await startLocalServer(() => undefined);
    const connector = createGuardedConnector({ allowPrivate: false }, { lookup: unguardedLoopback, connectTimeoutMs: 5_000 });
    const { error, socket } = await connect(connector, 'provider.test', upstream.port);
    expect(socket).toBeNull();
    expect(error).toBeInstanceOf(UnsafeUpstreamUrlError);
    expect((error as UnsafeUpstreamUrlError).resolvedAddress).toBe('127.0.0.1');
    await upstream.allSocketsClosed();
  });

  it.each(['127.0.0.1', '[::1]', '::1'])(
    'refuses the IP literal %s before connecting (net.connect skips lookup for IPs)',
    async (hostname) => {
      upstream = await startLocalServer(() => undefined);
      const connector = createGuardedConnector({ allowPrivate: false }, { lookup: unguardedLoopback, connectTimeoutMs: 5_000 });
      const { error } = await connect(connector, hostname, upstream.port);
      expect(error).toBeInstanceOf(UnsafeUpstreamUrlError);
      expect(upstream.connections()).toBe(0);
    },
  );

  it('hands over the socket when the address is allowed', async () => {
    upstream = await startLocalServer(() => undefined);
    const connector = createGuardedConnector({ allowPrivate: true }, { lookup: unguardedLoopback, connectTimeoutMs: 5_000 });
    const { error, socket } = await connect(connector, 'provider.test', upstream.port);
    expect(error).toBeNull();
    expect(socket?.remoteAddress).toBe('127.0.0.1');
    socket?.destroy();
  });
});

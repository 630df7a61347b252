/**
 * The undici connector for upstream calls: undici's own TCP/TLS connector with the guarded DNS
 * lookup, wrapped with two more checks:
 * - before connecting, an IP-literal host is checked, because net.connect skips `lookup` for IPs;
 * - after connecting, the peer address the socket actually reached is checked. This is the one
 *   check that does not depend on which resolution path was taken (lookup options, Happy
 *   Eyeballs, a future Node change), so a bypass of the lookup still cannot talk to the target.
 */
import { buildConnector } from 'undici';
import type { LookupFunction } from 'node:net';
import { checkResolvedAddress, ipLiteral, type SsrfPolicy } from './ssrf.js';

export function createGuardedConnector(
  policy: SsrfPolicy,
  options: { lookup: LookupFunction; connectTimeoutMs: number },
): buildConnector.connector {
  const connect = buildConnector({ lookup: options.lookup, timeout: options.connectTimeoutMs });
  return (target, callback) => {
    const literal = ipLiteral(target.hostname);
    const literalRefusal = literal === undefined ? undefined : checkResolvedAddress(target.hostname, literal, policy);
    if (literalRefusal !== undefined) {
      callback(literalRefusal, null);
      return;
    }
    connect(target, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      const peer = socket.remoteAddress;
      const refusal =
        peer === undefined
          ? Object.assign(new Error('socket closed while connecting'), { code: 'ECONNRESET' })
          : checkResolvedAddress(target.hostname, peer, policy);
      if (refusal !== undefined) {
        socket.destroy();
        callback(refusal, null);
        return;
      }
      callback(null, socket);
    });
  };
}

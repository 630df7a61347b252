import { Hono } from 'hono';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from './serve.js';
import { clientIpMiddleware, parseIp, parseTrustProxy, resolveClientIp, type TrustProxy } from './trust-proxy.js';
import type { AppEnv } from './types.js';

function rangesOf(trust: TrustProxy): string[] {
  if (trust.kind !== 'cidrs') throw new Error(`expected cidrs, got ${trust.kind}`);
  return trust.ranges.map(([network, prefix]) => `${network.toString()}/${prefix}`);
}

describe('parseTrustProxy', () => {
  it.each([undefined, '', '  ', 'none', 'FALSE'])('%j trusts nothing', (value) => {
    expect(parseTrustProxy(value)).toEqual({ kind: 'none' });
  });

  it.each([
    ['1', 1],
    [' 2 ', 2],
    ['10', 10],
  ])('%j is a hop count of %i', (value, hops) => {
    expect(parseTrustProxy(value)).toEqual({ kind: 'hops', hops });
  });

  it.each([
    ['10.0.0.1', ['10.0.0.1/32']],
    ['10.0.0.0/8, 192.168.1.0/24', ['10.0.0.0/8', '192.168.1.0/24']],
    ['2001:db8::/32', ['2001:db8::/32']],
    ['::1', ['::1/128']],
    ['fc00::/7', ['fc00::/7']],
    ['::ffff:10.1.2.3', ['10.1.2.3/32']],
    ['::ffff:10.0.0.0/104', ['10.0.0.0/8']],
    ['loopback', ['127.0.0.1/8', '::1/128']],
    ['Uniquelocal', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
  ])('%j -> %j', (value, expected) => {
    expect(rangesOf(parseTrustProxy(value))).toEqual(expected);
  });

  it.each([
    ['true', /trusting every proxy/],
    ['TRUE', /trusting every proxy/],
    ['*', /trusting every proxy/],
    ['all', /trusting every proxy/],
    ['yes', /trusting every proxy/],
    ['0', /must be 1-10/],
    ['11', /must be 1-10/],
    ['0.0.0.0/0', /"0\.0\.0\.0\/0": trusts every address/],
    ['::/0', /"::\/0": trusts every address/],
    ['10.0.0.0/8, ::/0', /"::\/0"/],
    ['::ffff:0.0.0.0/96', /trusts every address/],
    ['0.0.0.0/1', /too broad/],
    ['128.0.0.0/7', /too broad/],
    ['2000::/3', /too broad/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33": prefix longer than 32/],
    ['2001:db8::/129', /prefix longer than 128/],
    ['10.0.0.0/', /"10\.0\.0\.0\/": bad prefix/],
    ['10.0.0.0/-1', /bad prefix/],
    ['10.0.0.0/8/8', /bad prefix/],
    ['10.0.0.256', /"10\.0\.0\.256": not an IPv4\/IPv6/],
    ['127.1', /"127\.1": not an IPv4\/IPv6/],
    ['0x7f.0.0.1', /not an IPv4\/IPv6/],
    ['010.0.0.1', /not an IPv4\/IPv6/],
    ['example.com', /"example\.com": not an IPv4\/IPv6/],
    ['10.0.0.1,,10.0.0.2', /empty entry/],
    ['1.5', /not an IPv4\/IPv6/],
    ['-1', /not an IPv4\/IPv6/],
  ])('rejects %j', (value, message) => {
    expect(() => parseTrustProxy(value)).toThrow(message);
  });
});

describe('parseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['2001:DB8::0001', '2001:db8::1'],
    ['127.1', null],
    ['2130706433', null],
    ['1.2.3.4 ', null],
    ['', null],
  ])('%j -> %j', (input, expected) => {
    expect(parseIp(input)?.toString() ?? null).toBe(expected);
  });
});

describe('resolveClientIp', () => {
  const none = parseTrustProxy(undefined);
  const oneHop = parseTrustProxy('1');
  const twoHops = parseTrustProxy('2');
  const internal = parseTrustProxy('10.0.0.0/8, fd00::/8');

  it.each<[string, string, string | undefined, TrustProxy, string]>([
    // No proxy trusted: whatever the client wrote in X-Forwarded-For is ignored.
    ['spoofed XFF ignored', '203.0.113.7', '1.1.1.1', none, '203.0.113.7'],
    ['no XFF', '203.0.113.7', undefined, none, '203.0.113.7'],
    ['mapped remote', '::ffff:203.0.113.7', undefined, none, '203.0.113.7'],
    ['unparseable remote', 'garbage', undefined, none, '0.0.0.0'],

    // Hop counting (Express semantics).
    ['1 hop', '10.0.0.1', '198.51.100.1', oneHop, '198.51.100.1'],
    ['1 hop, client prepended a fake', '10.0.0.1', '6.6.6.6, 198.51.100.1', oneHop, '198.51.100.1'],
    ['2 hops', '10.0.0.1', '6.6.6.6, 198.51.100.1, 10.0.0.2', twoHops, '198.51.100.1'],
    ['1 hop, no XFF', '10.0.0.1', undefined, oneHop, '10.0.0.1'],
    ['2 hops, short XFF', '10.0.0.1', '198.51.100.1', twoHops, '198.51.100.1'],
    ['1 hop, empty XFF', '10.0.0.1', '', oneHop, '10.0.0.1'],
    ['1 hop, garbage entry', '10.0.0.1', 'not-an-ip', oneHop, '10.0.0.1'],
    ['2 hops, garbage in the middle', '10.0.0.1', '198.51.100.1, bogus', twoHops, '10.0.0.1'],
    ['1 hop, mapped entry', '10.0.0.1', '::ffff:198.51.100.1', oneHop, '198.51.100.1'],
    ['1 hop, entry with port', '10.0.0.1', '198.51.100.1:51234', oneHop, '198.51.100.1'],
    ['1 hop, bracketed v6 with port', '10.0.0.1', '[2001:db8::1]:443', oneHop, '2001:db8::1'],
    ['1 hop, entry with odd spacing', '10.0.0.1', '6.6.6.6 ,   198.51.100.1  ', oneHop, '198.51.100.1'],

    // CIDR trust: walk left while the hop is one of ours.
    ['untrusted peer, XFF ignored', '203.0.113.9', '1.1.1.1', internal, '203.0.113.9'],
    ['trusted peer', '10.0.0.1', '198.51.100.1', internal, '198.51.100.1'],
    ['two trusted hops', '10.0.0.1', '6.6.6.6, 198.51.100.1, 10.0.0.2', internal, '198.51.100.1'],
    ['all trusted', '10.0.0.1', '10.0.0.3, 10.0.0.2', internal, '10.0.0.3'],
    ['mapped peer is trusted', '::ffff:10.0.0.1', '198.51.100.1', internal, '198.51.100.1'],
    ['v6 trusted peer', 'fd00::1', '2001:db8::5', internal, '2001:db8::5'],
    ['garbage after trusted hops', '10.0.0.1', '6.6.6.6, <script>, 10.0.0.2', internal, '10.0.0.2'],
    ['weird ipv4 form is garbage', '10.0.0.1', '2130706433', internal, '10.0.0.1'],
    ['unparseable peer', 'garbage', '198.51.100.1', internal, '0.0.0.0'],
  ])('%s', (_name, remote, xff, trust, expected) => {
    expect(resolveClientIp(remote, xff, trust)).toBe(expected);
  });
});

describe('clientIpMiddleware', () => {
  function buildApp(trust: TrustProxy) {
    const app = new Hono<AppEnv>();
    app.use(clientIpMiddleware(trust));
    app.get('/', (c) => c.text(c.get('clientIp')));
    return app;
  }

  it('falls back to 0.0.0.0 without a socket and ignores XFF when no proxy is trusted', async () => {
    const res = await buildApp(parseTrustProxy(undefined)).request('/', { headers: { 'x-forwarded-for': '1.1.1.1' } });
    expect(await res.text()).toBe('0.0.0.0');
  });

  it('applies hop trust without a socket', async () => {
    const res = await buildApp(parseTrustProxy('1')).request('/', {
      headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.1' },
    });
    expect(await res.text()).toBe('198.51.100.1');
  });

  describe('on a real server', () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.close(1000);
      server = undefined;
    });

    it('reads the peer address from the socket', async () => {
      const logger = pino({ level: 'silent' });
      server = await startHttpServer({ app: buildApp(parseTrustProxy(undefined)), host: '127.0.0.1', port: 0, logger });
      const res = await fetch(server.url, { headers: { 'x-forwarded-for': '1.1.1.1' } });
      expect(await res.text()).toBe('127.0.0.1');
    });

    it('trusts XFF from a trusted loopback peer', async () => {
      const logger = pino({ level: 'silent' });
      server = await startHttpServer({ app: buildApp(parseTrustProxy('loopback')), host: '127.0.0.1', port: 0, logger });
      const res = await fetch(server.url, { headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(await res.text()).toBe('198.51.100.1');
    });
  });
});

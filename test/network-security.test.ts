/**
 * Network security of both services, end to end on real sockets:
 * - CORS: the api's one instance-wide allow-list (CORS_ORIGINS + the dashboard's own origin),
 *   preflights and actual requests from listed and unlisted origins; the gateway without CORS by
 *   default, and with GATEWAY_CORS_ORIGINS for exactly the headers the OpenAI and Anthropic
 *   browser SDKs send;
 * - security headers on api, dashboard pages and errors; HSTS only over TLS or from a trusted TLS proxy;
 * - `isSecureRequest`: X-Forwarded-Proto counts only from a proxy TRUST_PROXY trusts;
 * - TLS: both services over HTTPS with TLS 1.2+ and forward-secret AEAD suites only;
 * - SSRF through provider base URLs, with the upstream client's injectable resolver: names that
 *   resolve to metadata addresses, IPv6 metadata, `file:` URLs, a redirect to 169.254.169.254,
 *   loopback names with ALLOW_PRIVATE_PROVIDER_URLS=false.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { join } from 'node:path';
import tls from 'node:tls';
import Anthropic from '@anthropic-ai/sdk';
import { Hono } from 'hono';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordUser } from './support/sessions.js';
import { systemActor } from '../src/audit/context.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { createProviderKey } from '../src/credentials/provider-keys.js';
import { createGatewayApp } from '../src/gateway/app.js';
import { createGatewayServices, type GatewayServices } from '../src/gateway/services.js';
import { createUpstreamClient } from '../src/gateway/upstream/http-client.js';
import type { Resolver } from '../src/gateway/upstream/guarded-lookup.js';
import { apiCors, CORS_MAX_AGE_SECONDS } from '../src/http/cors.js';
import { isSecureRequest } from '../src/http/security-headers.js';
import { startHttpServer, TLS_SERVER_OPTIONS, type RunningServer } from '../src/http/serve.js';
import { parseTrustProxy, type TrustProxy } from '../src/http/trust-proxy.js';
import { createLogger } from '../src/logging/logger.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { findProjectByName } from '../src/tenancy/projects.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { makeTempDir, removeTempDirs } from './support/cli.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { startTestServer, type TestServer } from './support/server.js';
import { uniqueName } from './support/database.js';

const LISTED = 'https://app.example.com';
const ALSO_LISTED = 'http://localhost:5173';
const DASHBOARD = 'https://portcullis.example.com';
const UNLISTED = [
  'https://evil.example.com',
  'https://app.example.com.evil.com',
  'http://app.example.com',
  'https://app.example.com:8443',
  'null',
  'https://portcullis.example.com.attacker.net',
];
const API_METHODS = 'GET, POST, PUT, PATCH, DELETE';

type Raw = { status: number; headers: Headers; text: string };

async function request(url: string, init: RequestInit = {}): Promise<Raw> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const corsHeaders = (headers: Headers) => [...headers.keys()].filter((name) => name.startsWith('access-control-'));
const varyOf = (headers: Headers) => (headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
const listOf = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase());

function preflight(url: string, origin: string, method = 'POST', requestHeaders = 'authorization, content-type'): Promise<Raw> {
  return request(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders },
  });
}

// ---------------------------------------------------------------------------------------------

describe('CORS on the api: one instance-wide allow-list', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      services: ['gateway', 'api'],
      env: { CORS_ORIGINS: `${LISTED},${ALSO_LISTED}`, PUBLIC_URL: `${DASHBOARD}/portcullis` },
    });
  });
  afterAll(async () => server?.stop());

  it.each([LISTED, ALSO_LISTED, DASHBOARD])('approves a preflight from %s, echoing it exactly, with credentials', async (origin) => {
    for (const path of ['/api/orgs/00000000-0000-4000-8000-000000000000/api-keys/x', '/api/setup', '/api/no-such-route']) {
      const response = await preflight(`${server.apiUrl}${path}`, origin, 'DELETE');
      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toBe(API_METHODS);
      expect(response.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SECONDS));
      expect(listOf(response.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(['authorization', 'content-type']),
      );
      expect(varyOf(response.headers)).toContain('origin');
    }
  });

  it.each(UNLISTED)('gives a preflight from %s no CORS header at all (and does not run the route)', async (origin) => {
    const response = await preflight(`${server.apiUrl}/api/orgs/00000000-0000-4000-8000-000000000000`, origin, 'DELETE');
    expect(corsHeaders(response.headers)).toEqual([]);
    expect(response.text).toBe('');
    expect(varyOf(response.headers)).toContain('origin');
  });

  it('does not reflect requested headers it does not allow', async () => {
    const response = await preflight(`${server.apiUrl}/api/setup`, LISTED, 'POST', 'content-type, x-evil, cookie');
    const allowed = listOf(response.headers.get('access-control-allow-headers'));
    expect(allowed).toContain('content-type');
    expect(allowed).not.toContain('x-evil');
    expect(allowed).not.toContain('cookie');
  });

  it('adds CORS to actual requests from listed origins only, errors included, never `*`', async () => {
    const paths = ['/api/setup', '/api/openapi.json', '/api/orgs/00000000-0000-4000-8000-000000000000'];
    for (const path of paths) {
      for (const origin of [LISTED, DASHBOARD]) {
        const response = await request(`${server.apiUrl}${path}`, { headers: { origin } });
        expect(response.headers.get('access-control-allow-origin'), path).toBe(origin);
        expect(response.headers.get('access-control-allow-credentials'), path).toBe('true');
        expect(listOf(response.headers.get('access-control-expose-headers'))).toContain('x-request-id');
        expect(varyOf(response.headers)).toContain('origin');
      }
      for (const origin of UNLISTED) {
        const response = await request(`${server.apiUrl}${path}`, { headers: { origin } });
        expect(corsHeaders(response.headers), `${path} from ${origin}`).toEqual([]);
        expect(varyOf(response.headers)).toContain('origin');
      }
      // Same-origin and non-browser requests carry no Origin: nothing to add, but caches still key on it.
      const none = await request(`${server.apiUrl}${path}`);
      expect(corsHeaders(none.headers)).toEqual([]);
      expect(varyOf(none.headers)).toContain('origin');
    }
    // A 401 the dashboard must be able to read (its session expired) is readable from its origin.
    const unauthorized = await request(`${server.apiUrl}/api/orgs/00000000-0000-4000-8000-000000000000`, {
      headers: { origin: DASHBOARD },
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
  });

  it('the gateway has no CORS unless GATEWAY_CORS_ORIGINS is set, not even for the api’s origins', async () => {
    for (const origin of [LISTED, DASHBOARD, 'https://evil.example.com']) {
      const pre = await preflight(`${server.gatewayUrl}/v1/chat/completions`, origin);
      expect(corsHeaders(pre.headers), origin).toEqual([]);
      const actual = await request(`${server.gatewayUrl}/v1/models`, { headers: { origin, authorization: 'Bearer pc_live_x' } });
      expect(corsHeaders(actual.headers), origin).toEqual([]);
    }
  });

  it('CORS_ORIGINS=* (refused in production) means any origin WITHOUT credentials', async () => {
    const app = new Hono();
    app.use('/api/*', apiCors({ corsOrigins: '*', publicUrl: DASHBOARD }));
    app.get('/api/x', (c) => c.json({ ok: true }));
    const actual = await app.request('/api/x', { headers: { origin: 'https://anyone.example.com' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
    expect(actual.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await app.request('/api/x', {
      method: 'OPTIONS',
      headers: { origin: 'https://anyone.example.com', 'access-control-request-method': 'PUT' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('CORS on the gateway with GATEWAY_CORS_ORIGINS', () => {
  const BROWSER_APP = 'https://chat.example.com';
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ env: { GATEWAY_CORS_ORIGINS: BROWSER_APP, CORS_ORIGINS: LISTED } });
  });
  afterAll(async () => fx?.stop());

  /** The headers an official SDK sends, captured from its own fetch, and the answer it got. */
  async function sdkRequest(run: (fetchImpl: typeof fetch) => Promise<unknown>): Promise<{ sent: Headers[]; received: Response[] }> {
    const sent: Headers[] = [];
    const received: Response[] = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('origin', BROWSER_APP);
      sent.push(headers);
      const response = await fetch(input, { ...init, headers });
      received.push(response.clone());
      return response;
    };
    await run(fetchImpl);
    return { sent, received };
  }

  /** What a browser would put in Access-Control-Request-Headers for these request headers. */
  function needingApproval(headers: Headers): string[] {
    // CORS-safelisted, or set by the browser itself (forbidden to scripts).
    const exempt = new Set([
      'accept',
      'accept-language',
      'content-language',
      'origin',
      'user-agent',
      'content-length',
      'connection',
      'host',
    ]);
    return [...headers.keys()].map((h) => h.toLowerCase()).filter((h) => !exempt.has(h));
  }

  async function expectApproved(path: string, headers: string[]) {
    const response = await preflight(`${fx.gatewayUrl}${path}`, BROWSER_APP, 'POST', headers.join(', '));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(BROWSER_APP);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SECONDS));
    expect(listOf(response.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post']));
    const approved = listOf(response.headers.get('access-control-allow-headers'));
    for (const header of headers) expect(approved, `${header} approved for ${path}`).toContain(header);
  }

  it('approves every header the OpenAI SDK sends from a browser, and its request gets CORS headers', async () => {
    const { sent, received } = await sdkRequest((fetchImpl) =>
      new OpenAI({
        apiKey: fx.apiKey,
        baseURL: `${fx.gatewayUrl}/v1`,
        dangerouslyAllowBrowser: true,
        maxRetries: 0,
        fetch: fetchImpl,
      }).chat.completions.create({
        model: 'openai/gpt-5.4-mini',
        messages: [{ role: 'user', content: 'from a browser' }],
      }),
    );
    const headers = needingApproval(sent[0]!);
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-stainless-os', 'x-stainless-retry-count']));
    await expectApproved('/v1/chat/completions', headers);
    const response = received[0]!;
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(BROWSER_APP);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listOf(response.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(['x-request-id', 'x-portcullis-provider', 'x-ratelimit-remaining-requests']),
    );
  });

  it('approves every header the Anthropic SDK sends from a browser (x-api-key, anthropic-version, anthropic-beta…)', async () => {
    const { sent, received } = await sdkRequest((fetchImpl) =>
      new Anthropic({
        apiKey: fx.apiKey,
        baseURL: fx.gatewayUrl,
        dangerouslyAllowBrowser: true,
        maxRetries: 0,
        fetch: fetchImpl,
      }).beta.messages.create({
        model: 'anthropic/claude-haiku-4-5',
        max_tokens: 16,
        betas: ['prompt-caching-2024-07-31'],
        messages: [{ role: 'user', content: 'from a browser' }],
      }),
    );
    const headers = needingApproval(sent[0]!);
    expect(headers).toEqual(
      // @anthropic-ai/sdk 1.x sends the key as a bearer token; x-api-key (older SDKs, curl) is checked below.
      expect.arrayContaining([
        'authorization',
        'anthropic-version',
        'anthropic-beta',
        'anthropic-dangerous-direct-browser-access',
        'x-stainless-lang',
      ]),
    );
    await expectApproved('/v1/messages', headers);
    await expectApproved('/v1/messages', ['x-api-key', 'anthropic-version', 'content-type']);
    expect(received[0]!.status).toBe(200);
    expect(received[0]!.headers.get('access-control-allow-origin')).toBe(BROWSER_APP);
  });

  it('does not approve other headers, and reflects x-stainless-* only by name', async () => {
    const response = await preflight(
      `${fx.gatewayUrl}/v1/chat/completions`,
      BROWSER_APP,
      'POST',
      'authorization, x-evil, cookie, x-stainless-new-thing',
    );
    const approved = listOf(response.headers.get('access-control-allow-headers'));
    expect(approved).toContain('x-stainless-new-thing');
    expect(approved).not.toContain('x-evil');
    expect(approved).not.toContain('cookie');
  });

  it('other origins (the api’s included) get nothing; errors from the listed one are readable', async () => {
    for (const origin of [LISTED, 'https://evil.example.com', 'null']) {
      expect(corsHeaders((await preflight(`${fx.gatewayUrl}/v1/chat/completions`, origin)).headers), origin).toEqual([]);
      const actual = await request(`${fx.gatewayUrl}/v1/models`, { headers: { origin, authorization: `Bearer ${fx.apiKey}` } });
      expect(actual.status).toBe(200);
      expect(corsHeaders(actual.headers), origin).toEqual([]);
    }
    const denied = await request(`${fx.gatewayUrl}/v1/models`, { headers: { origin: BROWSER_APP, authorization: 'Bearer pc_live_nope' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(BROWSER_APP);
    expect(varyOf(denied.headers)).toContain('origin');
  });
});

// ---------------------------------------------------------------------------------------------

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['gateway', 'api'], env: { PUBLIC_URL: DASHBOARD } });
  });
  afterAll(async () => server?.stop());

  function expectBrowserIsolation(headers: Headers, where: string) {
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp, where).toContain("default-src 'self'");
    expect(csp, where).toContain("script-src 'self'");
    expect(csp, where).toContain("frame-ancestors 'none'");
    expect(csp, where).not.toContain('unsafe-inline');
    expect(csp, where).not.toContain('unsafe-eval');
    expect(headers.get('x-content-type-options'), where).toBe('nosniff');
    expect(headers.get('referrer-policy'), where).toBe('no-referrer');
    expect(headers.get('x-frame-options'), where).toBe('DENY');
    const permissions = headers.get('permissions-policy') ?? '';
    for (const feature of ['camera=()', 'microphone=()', 'geolocation=()']) expect(permissions, where).toContain(feature);
  }

  it('on every kind of api and dashboard response: pages, assets, JSON, errors', async () => {
    const cases: [string, RequestInit, number][] = [
      ['/', {}, 302],
      ['/setup', {}, 200],
      ['/setup/setup.js', {}, 200],
      ['/api/setup', {}, 200],
      ['/api/openapi.json', {}, 200],
      ['/api/orgs/00000000-0000-4000-8000-000000000000', {}, 401],
      ['/no-such-page', {}, 404],
      ['/api/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }, 400],
      ['/healthz', {}, 200],
    ];
    for (const [path, init, status] of cases) {
      const response = await fetch(`${server.apiUrl}${path}`, { ...init, redirect: 'manual' });
      await response.arrayBuffer();
      expect(response.status, path).toBe(status);
      expectBrowserIsolation(response.headers, path);
      // Plain HTTP, no TLS proxy: no HSTS, even with an https PUBLIC_URL.
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('the dashboard pages need no inline script or style (the CSP forbids them)', async () => {
    for (const path of ['/setup']) {
      const html = await (await fetch(`${server.apiUrl}${path}`)).text();
      expect(html).toMatch(/<script[^>]*\bsrc="\/setup\/setup\.js"/);
      expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [], path).toEqual([]);
      expect(html, path).not.toMatch(/<style\b/);
      expect(html, path).not.toMatch(/\sstyle=/);
      expect(html, path).not.toMatch(/\son[a-z]+=/i);
      expect(html, path).not.toMatch(/javascript:/i);
    }
  });

  it('an X-Forwarded-Proto from an untrusted sender does not turn HSTS on', async () => {
    const response = await fetch(`${server.apiUrl}/api/setup`, { headers: { 'x-forwarded-proto': 'https' } });
    await response.arrayBuffer();
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('the gateway: nothing to render, nothing to cache', async () => {
    const response = await fetch(`${server.gatewayUrl}/v1/models`);
    await response.arrayBuffer();
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: DASHBOARD, TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => server?.stop());

  it.each([
    ['https', true],
    ['HTTPS', true],
    ['http', false],
    [undefined, false],
    // A proxy that appends: the client claimed https, the proxy saw http.
    ['https, http', false],
    ['http, https', true],
  ])('X-Forwarded-Proto %j from the trusted proxy → HSTS %s', async (proto, hsts) => {
    const response = await fetch(`${server.apiUrl}/api/setup`, { headers: proto === undefined ? {} : { 'x-forwarded-proto': proto } });
    await response.arrayBuffer();
    expect(response.headers.get('strict-transport-security')).toBe(hsts ? 'max-age=31536000; includeSubDomains' : null);
  });
});

describe('isSecureRequest (the cookie Secure flag)', () => {
  const running: RunningServer[] = [];
  afterAll(async () => Promise.all(running.map((s) => s.close(1_000))));

  async function serve(trust: TrustProxy): Promise<string> {
    const app = new Hono();
    app.get('/', (c) => c.text(String(isSecureRequest(c, trust))));
    const server = await startHttpServer({ app, host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }) });
    running.push(server);
    return server.url;
  }
  const ask = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).text();

  it('believes X-Forwarded-Proto only from a trusted peer', async () => {
    const none = await serve(parseTrustProxy(undefined));
    const loopback = await serve(parseTrustProxy('loopback'));
    const elsewhere = await serve(parseTrustProxy('10.0.0.0/8'));
    const hops = await serve(parseTrustProxy('1'));
    const https_ = { 'x-forwarded-proto': 'https' };
    expect(await ask(none, https_)).toBe('false');
    expect(await ask(elsewhere, https_)).toBe('false'); // 127.0.0.1 is not in 10.0.0.0/8
    expect(await ask(loopback, https_)).toBe('true');
    expect(await ask(hops, https_)).toBe('true');
    expect(await ask(loopback)).toBe('false');
    expect(await ask(loopback, { 'x-forwarded-proto': 'https, http' })).toBe('false');
    expect(await ask(loopback, { 'x-forwarded-proto': 'wss' })).toBe('false');
  });

  it('without a socket (app.request in tests) a request is not secure', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text(String(isSecureRequest(c, parseTrustProxy('1')))));
    expect(await (await app.request('/', { headers: { 'x-forwarded-proto': 'https' } })).text()).toBe('false');
  });
});

// ---------------------------------------------------------------------------------------------

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

type Handshake = { ok: true; protocol: string | null; cipher: string } | { ok: false; code: string };

function handshake(url: string, ca: Buffer, options: tls.ConnectionOptions = {}): Promise<Handshake> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca, servername: 'localhost', ...options }, () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code ?? error.message }));
  });
}

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, servername: 'localhost' }, (res) => {
      // Read while the socket is attached: after 'end' it may be back in the agent's pool or gone.
      const protocol = (res.socket as tls.TLSSocket).getProtocol();
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, protocol }));
    });
    req.on('error', reject);
  });
}

describe.skipIf(!hasOpenssl)('TLS on both services (TLS_CERT_FILE / TLS_KEY_FILE)', () => {
  let server: TestServer;
  let ca: Buffer;
  let certFile: string;
  let keyFile: string;
  const loose: https.Server[] = [];

  beforeAll(async () => {
    const dir = makeTempDir('portcullis-tls-');
    certFile = join(dir, 'cert.pem');
    keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(certFile);
    server = await startTestServer({ services: ['gateway', 'api'], env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } });
  });
  afterAll(async () => {
    await server?.stop();
    for (const s of loose) s.close();
    removeTempDirs();
  });

  it('serves both services over HTTPS, TLS 1.3 by default, with HSTS', async () => {
    expect(server.gatewayUrl).toMatch(/^https:/);
    expect(server.apiUrl).toMatch(/^https:/);
    const gateway = await httpsGet(`${server.gatewayUrl}/healthz`, ca);
    const api = await httpsGet(`${server.apiUrl}/api/setup`, ca);
    for (const response of [gateway, api]) {
      expect(response.status).toBe(200);
      expect(response.protocol).toBe('TLSv1.3');
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('sets the session cookie Secure with the __Secure- prefix when it terminates TLS itself, even in development', async () => {
    const user = await createPasswordUser(server);
    const origin = new URL(server.runtime.config.publicUrl).origin;
    const setCookies = await new Promise<string[]>((resolve, reject) => {
      const req = https.request(
        `${server.apiUrl}/api/auth/sign-in/email`,
        {
          method: 'POST',
          ca,
          servername: 'localhost',
          headers: { 'content-type': 'application/json', origin, 'x-portcullis-csrf': '1' },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve(res.headers['set-cookie'] ?? []) : reject(new Error(`sign-in: ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ email: user.email, password: user.password }));
    });
    const session = setCookies.find((c) => c.startsWith('__Secure-portcullis.session_token='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; HttpOnly/i);
    expect(setCookies.some((c) => c.startsWith('portcullis.session_token='))).toBe(false);
  });

  it('accepts a TLS 1.2 client with an ECDHE+AEAD suite', async () => {
    for (const url of [server.gatewayUrl, server.apiUrl]) {
      expect(await handshake(url, ca, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toEqual({
        ok: true,
        protocol: 'TLSv1.2',
        cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      });
    }
  });

  it('refuses TLS 1.1 and TLS 1.2 clients offering only CBC or static-RSA suites', async () => {
    const old = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const weak = ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384'];
    // Control: a server with permissive options does accept these clients, so a refusal below is
    // the services' configuration, not a client unable to offer them.
    const permissive = https.createServer({ cert: ca, key: readFileSync(keyFile), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    loose.push(permissive);
    await new Promise<void>((resolve) => permissive.listen(0, '127.0.0.1', resolve));
    const permissiveUrl = `https://127.0.0.1:${(permissive.address() as AddressInfo).port}`;
    expect(await handshake(permissiveUrl, ca, old)).toMatchObject({ ok: true, protocol: 'TLSv1.1' });
    for (const cipher of weak)
      expect(await handshake(permissiveUrl, ca, { maxVersion: 'TLSv1.2', ciphers: cipher }), cipher).toMatchObject({ ok: true });

    for (const url of [server.gatewayUrl, server.apiUrl]) {
      expect(await handshake(url, ca, old), `${url} TLS 1.1`).toMatchObject({ ok: false });
      for (const cipher of weak)
        expect(await handshake(url, ca, { maxVersion: 'TLSv1.2', ciphers: cipher }), `${url} ${cipher}`).toMatchObject({ ok: false });
    }
    expect(TLS_SERVER_OPTIONS.minVersion).toBe('TLSv1.2');
  });
});

// ---------------------------------------------------------------------------------------------

describe('SSRF through provider base URLs, end to end (injected DNS)', () => {
  let server: TestServer;
  let fake: FakeOpenAI;
  let redirector: http.Server;
  let redirectorHits = 0;
  let redirectTarget = '';
  let orgId: string;
  const lookups: string[] = [];
  const gateways: { running: RunningServer; services: GatewayServices; upstream: { close(): Promise<void> } }[] = [];
  let strictUrl = '';
  let lenientUrl = '';
  const keys = new Map<string, string>();

  /** Names the "DNS" knows; everything else is NXDOMAIN. */
  const DNS: Record<string, LookupAddress[]> = {
    'metadata-alias.test': [{ address: '169.254.169.254', family: 4 }],
    'v6-metadata.test': [{ address: 'fd00:ec2::254', family: 6 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ],
    'mapped-metadata.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
    'loopback-alias.test': [{ address: '127.0.0.1', family: 4 }],
    'redirector.test': [{ address: '127.0.0.1', family: 4 }],
  };
  const resolver: Resolver = (hostname) => {
    lookups.push(hostname);
    const answer = DNS[hostname];
    if (!answer) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(answer);
  };

  async function startGateway(allowPrivate: boolean): Promise<string> {
    const base = createGatewayServices(server.runtime);
    const upstream = createUpstreamClient({ allowPrivate, resolver });
    const services: GatewayServices = { ...base, upstream };
    const running = await startHttpServer({
      app: createGatewayApp(server.runtime, services),
      host: '127.0.0.1',
      port: 0,
      logger: server.runtime.logger.child({ service: `gateway-${allowPrivate ? 'lenient' : 'strict'}` }),
    });
    gateways.push({ running, services: base, upstream });
    return running.url;
  }

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    redirector = http.createServer((req, res) => {
      redirectorHits += 1;
      req.resume();
      res.writeHead(307, { location: redirectTarget, 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const fakePort = new URL(fake.baseUrl).port;
    const redirectorPort = (redirector.address() as AddressInfo).port;
    server = await startTestServer({ services: ['api'], env: { LOG_LEVEL: 'warn' } });
    // One project per base URL, each with its own project-scoped key and API key.
    const cases: Record<string, string> = {
      'metadata-name': 'http://metadata-alias.test/v1',
      'v6-metadata-name': 'http://v6-metadata.test/v1',
      'mixed-answers': 'https://mixed.test/v1',
      'mapped-metadata-name': 'http://mapped-metadata.test/v1',
      'v6-metadata-literal': 'http://[fd00:ec2::254]/v1',
      'loopback-name': `http://loopback-alias.test:${fakePort}/v1`,
      redirect: `http://redirector.test:${redirectorPort}/v1`,
    };
    const orgName = uniqueName('ssrf');
    const result = await applyBootstrap(
      parseBootstrapText(
        stringify({
          orgs: [
            {
              name: orgName,
              projects: [
                ...Object.entries(cases).map(([name, baseUrl]) => ({
                  name,
                  providerKeys: [{ provider: 'openai', key: fake.apiKey, baseUrl }],
                  apiKeys: [{ name }],
                })),
                { name: 'file-url', apiKeys: [{ name: 'file-url' }] },
              ],
            },
          ],
        }),
        'ssrf.yaml',
      ),
      { db: server.runtime.apiDb, keyring: server.runtime.keyring, ctx: { actor: systemActor('cli', 'test'), requestId: null } },
    );
    for (const created of result.apiKeys) keys.set(created.project, created.key);
    orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
    // A `file:` base URL cannot come in through bootstrap or the api (both validate it); write it the
    // way a row edited by hand would look, to prove the gateway refuses it anyway.
    await server.runtime.apiDb.withTenant(orgId, async (tx) => {
      const project = await findProjectByName(tx, orgId, 'file-url');
      await createProviderKey(
        tx,
        { orgId, provider: 'openai', label: 'file-url', baseUrl: 'file:///etc/passwd', secret: fake.apiKey, projectIds: [project!.id] },
        server.runtime.keyring,
        { actor: systemActor('cli', 'test'), requestId: null },
      );
    });
    strictUrl = await startGateway(false);
    lenientUrl = await startGateway(true);
  });
  afterAll(async () => {
    for (const g of gateways) {
      await g.running.close(1_000);
      await g.services.close();
      await g.upstream.close();
    }
    await server?.stop();
    await fake?.close();
    await new Promise((resolve) => redirector?.close(resolve));
  });
  beforeEach(() => {
    fake.reset();
    lookups.length = 0;
    redirectorHits = 0;
  });

  async function chat(gatewayUrl: string, project: string): Promise<Raw & { code: string | undefined }> {
    const response = await request(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.get(project)!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: `ssrf ${randomUUID()}` }] }),
    });
    let code: string | undefined;
    try {
      code = (JSON.parse(response.text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    return { ...response, code };
  }

  /** Refused by policy: never a connect error or timeout, and the answer reveals no address. */
  function expectRefused(response: Raw & { code: string | undefined }, what: string) {
    expect(response.status, `${what}: ${response.text}`).toBe(502);
    expect(response.code, what).toBe('upstream_url_refused');
    // The request id is random hex and can contain "a9fe" by chance: it is not an address.
    const withoutRequestId = response.text.replace(/req_[0-9a-f]+/g, 'req_…');
    for (const secret of ['169.254', 'fd00:ec2', 'a9fe', '93.184', '/etc/passwd', 'file:'])
      expect(withoutRequestId, what).not.toContain(secret);
  }

  it.each(['metadata-name', 'v6-metadata-name', 'mapped-metadata-name', 'mixed-answers'])(
    'a name that resolves to a metadata address (%s) is refused, even with private URLs allowed',
    async (project) => {
      for (const url of [lenientUrl, strictUrl]) expectRefused(await chat(url, project), `${project} via ${url}`);
      // Refused at DNS: the name was looked up, nothing was contacted.
      expect(lookups.length).toBeGreaterThan(0);
      expect(fake.requests).toHaveLength(0);
    },
  );

  it('the IPv6 metadata literal [fd00:ec2::254] is refused without any lookup', async () => {
    for (const url of [lenientUrl, strictUrl]) expectRefused(await chat(url, 'v6-metadata-literal'), url);
    expect(lookups).toEqual([]);
  });

  it('a file: base URL is refused, whatever is stored', async () => {
    for (const url of [lenientUrl, strictUrl]) expectRefused(await chat(url, 'file-url'), url);
    expect(lookups).toEqual([]);
  });

  it('a loopback name is refused with ALLOW_PRIVATE_PROVIDER_URLS=false, and reaches the local model when allowed', async () => {
    expectRefused(await chat(strictUrl, 'loopback-name'), 'strict');
    expect(fake.requests).toHaveLength(0);
    const allowed = await chat(lenientUrl, 'loopback-name');
    expect(allowed.status, allowed.text).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ['the metadata IP', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['a name for it', 'http://metadata-alias.test/latest/meta-data/'],
    ['a loopback service', 'http://loopback-alias.test/admin'],
  ])('a provider redirecting to %s is not followed: one request, no second lookup', async (_what, target) => {
    redirectTarget = target;
    const response = await chat(lenientUrl, 'redirect');
    expect(response.status).toBe(502);
    expect(redirectorHits).toBe(1 + 0); // no retry of a redirect either… or if retried, never elsewhere:
    expect(lookups.every((name) => name === 'redirector.test')).toBe(true);
    expect(fake.requests).toHaveLength(0);
    for (const secret of ['169.254', 'meta-data', 'metadata-alias', target]) expect(response.text).not.toContain(secret);
  });
});

import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { setResponseHeader } from './response-header.js';
import { parseIp, type TrustProxy } from './trust-proxy.js';

export interface SecurityHeadersOptions {
  /**
   * Send Strict-Transport-Security: always (true), never (false), or per request (a predicate,
   * e.g. "this request reached us over HTTPS"). Enable only when clients reach the service over
   * HTTPS (TLS here, or a TLS-terminating proxy in front); browsers ignore it over plain HTTP
   * but it would pin a hostname that is later served without TLS.
   */
  hsts?: boolean | ((c: Context) => boolean);
}

export const HSTS = 'max-age=31536000; includeSubDomains';

type SocketLike = { encrypted?: unknown; remoteAddress?: unknown };

/** The Node socket behind a request served by @hono/node-server, if any (none under `app.request()`). */
function requestSocket(c: Context): SocketLike | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  const incoming: unknown = env.incoming;
  if (typeof incoming !== 'object' || incoming === null || !('socket' in incoming)) return undefined;
  const socket: unknown = incoming.socket;
  return typeof socket === 'object' && socket !== null ? socket : undefined;
}

function peerIsTrustedProxy(peer: string, trust: TrustProxy): boolean {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'hops':
      // A hop count trusts whoever connected to us (the nearest proxy), as for X-Forwarded-For.
      return true;
    case 'cidrs': {
      const address = parseIp(peer);
      return (
        address !== null && trust.ranges.some(([network, prefix]) => network.kind() === address.kind() && address.match(network, prefix))
      );
    }
  }
}

/**
 * Whether the client reached us over HTTPS: the connection itself is TLS, or it came from a
 * proxy that TRUST_PROXY trusts and that proxy says `X-Forwarded-Proto: https`. Anyone else's
 * X-Forwarded-Proto is ignored, so a client talking plain HTTP cannot claim to be secure.
 *
 * Only the last entry of the header counts: it is the one the trusted proxy that connected to us
 * wrote (a proxy that appends rather than overwrites leaves the client's own value in front).
 * This decides the `Secure` flag of cookies and per-request HSTS.
 */
export function isSecureRequest(c: Context, trust: TrustProxy): boolean {
  const socket = requestSocket(c);
  if (socket?.encrypted === true) return true;
  const peer = socket?.remoteAddress;
  if (typeof peer !== 'string' || !peerIsTrustedProxy(peer, trust)) return false;
  const proto = c.req.header('x-forwarded-proto');
  if (proto === undefined) return false;
  return proto.split(',').at(-1)?.trim().toLowerCase() === 'https';
}

// Routes that answer under a policy of their own (the dashboard's, stricter than the api's), by
// request: apiSecurityHeaders writes its CSP after the handler ran, so it applies theirs instead.
const contentSecurityPolicies = new WeakMap<Context, string>();

/** Makes this response carry `policy` as its Content-Security-Policy instead of the api's default. */
export function setContentSecurityPolicy(c: Context, policy: string): void {
  contentSecurityPolicies.set(c, policy);
}

/** For the api service and dashboard: a strict CSP and browser isolation headers. */
export function apiSecurityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  const hsts = options.hsts;
  const base = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
    },
    strictTransportSecurity: hsts === true ? HSTS : false,
    xContentTypeOptions: true,
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    // Older browsers ignore frame-ancestors.
    xFrameOptions: 'DENY',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
  });
  return async (c, next) => {
    await base(c, next);
    const policy = contentSecurityPolicies.get(c);
    if (policy !== undefined) setResponseHeader(c, 'Content-Security-Policy', policy);
    if (typeof hsts === 'function' && hsts(c)) setResponseHeader(c, 'Strict-Transport-Security', HSTS);
  };
}

/**
 * For the gateway: machine-to-machine JSON, often carrying prompts and completions, so
 * nothing may be cached and the HTML-oriented isolation headers are left off.
 */
export function gatewaySecurityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  // A fixed set, applied in place after the handler (see response-header.ts for why in place).
  const fixed: [string, string][] = [
    // A JSON API has nothing to load or frame; this neuters a response rendered as a page.
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cache-Control', 'no-store'],
  ];
  const hsts = options.hsts;
  if (hsts === true) fixed.push(['Strict-Transport-Security', HSTS]);
  return async (c, next) => {
    await next();
    for (const [name, value] of fixed) setResponseHeader(c, name, value);
    if (typeof hsts === 'function' && hsts(c)) setResponseHeader(c, 'Strict-Transport-Security', HSTS);
  };
}

/** Forbids any cache (browser, proxy, CDN) from keeping the response. */
export function noStoreMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  };
}

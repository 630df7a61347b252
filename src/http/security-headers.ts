import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { setResponseHeader } from './response-header.js';

export interface SecurityHeadersOptions {
  /**
   * Send Strict-Transport-Security. Enable only when clients reach the service over HTTPS
   * (TLS here, or a TLS-terminating proxy in front); browsers ignore it over plain HTTP
   * but it would pin a hostname that is later served without TLS.
   */
  hsts?: boolean;
}

const HSTS = 'max-age=31536000; includeSubDomains';

/** For the api service and dashboard: a strict CSP and browser isolation headers. */
export function apiSecurityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  return secureHeaders({
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
    strictTransportSecurity: options.hsts === true ? HSTS : false,
    xContentTypeOptions: true,
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    // Older browsers ignore frame-ancestors.
    xFrameOptions: 'DENY',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
  });
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
  if (options.hsts === true) fixed.push(['Strict-Transport-Security', HSTS]);
  return async (c, next) => {
    await next();
    for (const [name, value] of fixed) setResponseHeader(c, name, value);
  };
}

/** Forbids any cache (browser, proxy, CDN) from keeping the response. */
export function noStoreMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  };
}

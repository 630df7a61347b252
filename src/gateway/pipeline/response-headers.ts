/** Response headers that tell the caller how Portcullis served the request. */
export function portcullisHeaders(info: {
  provider: string;
  attempts: number;
  cache: 'HIT' | 'MISS' | 'BYPASS' | undefined;
}): Record<string, string> {
  const headers: Record<string, string> = { 'x-portcullis-provider': info.provider, 'x-portcullis-attempts': String(info.attempts) };
  if (info.cache) headers['x-portcullis-cache'] = info.cache;
  return headers;
}

/**
 * `Cache-Control: no-cache` (or `x-portcullis-cache: bypass`) skips the lookup but stores the
 * fresh answer; `no-store` neither reads nor writes.
 */
export function cacheDirective(cacheControl: string | undefined, override: string | undefined): { read: boolean; write: boolean } {
  const directives = new Set(
    (cacheControl ?? '')
      .toLowerCase()
      .split(',')
      .map((d) => d.trim()),
  );
  const bypass = override?.trim().toLowerCase() === 'bypass';
  if (directives.has('no-store')) return { read: false, write: false };
  if (directives.has('no-cache') || bypass) return { read: false, write: true };
  return { read: true, write: true };
}

const DEFAULT_REDIS_PORT = '6379';

/**
 * "host:port" for messages and logs. Built from the parsed URL rather than the URL text
 * so a password in the URL can never end up in an error message.
 */
export function describeRedisTarget(redisUrl: string): string {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    // Echoing the input could print its password.
    throw new TypeError('Invalid Redis URL: expected redis://[user:password@]host[:port][/db] or rediss://...');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TypeError(`Invalid Redis URL: unsupported scheme "${url.protocol}", expected redis: or rediss:`);
  }
  if (url.hostname === '') throw new TypeError('Invalid Redis URL: missing host');
  return `${url.hostname}:${url.port || DEFAULT_REDIS_PORT}`;
}

import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import { StoreUnavailableError } from './errors.js';
import { describeRedisTarget } from './redis-target.js';

export interface RedisConnectionOptions {
  /** Limit for one TCP (and TLS) connection attempt. */
  connectTimeoutMs?: number;
  /** Limit for one command once sent; protects against half-open connections. */
  commandTimeoutMs?: number;
}

// ioredis (~1.8 MB of heap) is required at the first connection: a process without REDIS_URL
// (embedded, or a single gateway on PostgreSQL) imports this module but never connects.
const loadIoredis = (): typeof IORedis => createRequire(import.meta.url)('ioredis') as typeof IORedis;

const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
const DISCONNECT_TIMEOUT_MS = 100;

// Server replies meaning "cannot serve right now" rather than "you sent something wrong".
const UNAVAILABLE_REPLY = /^(?:LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOAUTH|WRONGPASS|NOPERM)\b/;

/**
 * One ioredis client configured to fail fast: while Redis is down, commands reject at once
 * with StoreUnavailableError naming the host, and ioredis keeps reconnecting in the
 * background so the gateway recovers by itself when Redis returns.
 */
export class RedisConnection {
  readonly client: Redis;
  /** "host:port", never the password. */
  readonly target: string;
  /** Upper bound for one connection attempt, including the ready check. */
  readonly attemptTimeoutMs: number;
  private lastError: Error | undefined;
  private pendingAttempt: Promise<void> | undefined;
  private closed = false;

  constructor(redisUrl: string, opts: RedisConnectionOptions = {}, overrides: Partial<RedisOptions> = {}) {
    this.target = describeRedisTarget(redisUrl);
    const connectTimeout = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const commandTimeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    // A connection attempt ends by connectTimeout, then the ready check (INFO) by
    // commandTimeout; waiting longer than both means something is wrong.
    this.attemptTimeoutMs = connectTimeout + commandTimeout;
    this.client = new (loadIoredis().Redis)(redisUrl, {
      connectTimeout,
      commandTimeout,
      // Queued commands would wait for a reconnect that may never come; callers need an
      // answer now so they can apply their fail-open/closed policy.
      enableOfflineQueue: false,
      // Commands in flight when the connection drops are rejected instead of resent: a
      // resent INCRBY that had already been applied would double-count usage.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      // ioredis arms this timer on every disconnect(), even when the socket is already gone
      // (e.g. closing while Redis is down), and nothing clears it: with the 2 s default a
      // closed store would keep the process alive for 2 s.
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
      ...overrides,
    });
    // Without a listener ioredis prints every connection error to stderr; we keep the
    // latest so rejections can say why the store is unavailable.
    this.client.on('error', (error: Error) => {
      this.lastError = error;
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
    });
  }

  /** Runs a command once connected; every failure comes back sanitized (see toError). */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    await this.whenReady();
    try {
      return await command(this.client);
    } catch (error) {
      throw this.toError(error);
    }
  }

  /**
   * Resolves when commands can be sent. Waits only while a connection attempt is actually
   * in progress (typically right after startup); during an outage it rejects immediately.
   */
  whenReady(): Promise<void> {
    if (this.closed) return Promise.reject(this.unavailable('connection is closed'));
    const { status } = this.client;
    if (status === 'ready') return Promise.resolve();
    if (status === 'connecting' || status === 'connect') {
      // Shared so a burst of requests at startup adds one set of listeners, not one each.
      this.pendingAttempt ??= this.awaitConnectAttempt().finally(() => {
        this.pendingAttempt = undefined;
      });
      return this.pendingAttempt;
    }
    return Promise.reject(this.unavailable(this.lastError?.message ?? `connection is ${status}`));
  }

  /**
   * ioredis attaches the command and its arguments to reply errors (for AUTH that is the
   * password, for SET the cached value), so errors are rebuilt from the message alone
   * instead of being wrapped as a `cause` that a logger might serialize.
   */
  toError(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    const isReply = error instanceof Error && error.name === 'ReplyError';
    if (isReply && !UNAVAILABLE_REPLY.test(message)) {
      return new Error(`Redis at ${this.target} rejected the command: ${message}`);
    }
    return this.unavailable(message);
  }

  /** Why the connection last failed, for callers building their own unavailable error. */
  get lastFailure(): string | undefined {
    return this.lastError?.message;
  }

  unavailable(reason: string): StoreUnavailableError {
    return new StoreUnavailableError(`Redis at ${this.target} is unavailable: ${reason}`);
  }

  /** Idempotent; resolves once the socket is gone so no handle outlives the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { status } = this.client;
    if (status === 'end') return;
    const hasSocket = status === 'ready' || status === 'connect' || status === 'connecting';
    const ended = hasSocket ? this.awaitEnd() : Promise.resolve();
    if (status === 'ready') {
      // QUIT lets Redis finish replies already in flight before the socket closes.
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
    await ended;
  }

  private awaitConnectAttempt(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('close', onClose);
        this.client.off('end', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => settle();
      const onClose = (): void =>
        settle(this.unavailable(this.closed ? 'connection is closed' : (this.lastError?.message ?? 'connection closed')));
      const timer = setTimeout(() => settle(this.unavailable(`no connection within ${this.attemptTimeoutMs} ms`)), this.attemptTimeoutMs);
      this.client.once('ready', onReady);
      this.client.once('close', onClose);
      // Closing before the socket exists ends the client without a 'close' event.
      this.client.once('end', onClose);
    });
  }

  private awaitEnd(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('end', done);
        resolve();
      };
      // Backstop only: a socket stuck mid-connect is destroyed by connectTimeout anyway.
      const timer = setTimeout(done, this.attemptTimeoutMs);
      timer.unref();
      this.client.once('end', done);
    });
  }
}

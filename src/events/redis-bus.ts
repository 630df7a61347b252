import { EventEmitter } from 'node:events';
import { RedisConnection, type RedisConnectionOptions } from '../store/redis-connection.js';
import { DEFAULT_STORE_PREFIX } from '../store/store.js';
import { decodeBusEvent } from './decode-bus-event.js';
import { busClosedError, busEventSchema, type BusEvent, type BusEventHandler, type EventBus, type HandlerErrorHook } from './event-bus.js';
import { HandlerRegistry } from './handler-registry.js';

export interface RedisEventBusOptions extends RedisConnectionOptions {
  /** redis:// or rediss:// URL; may carry credentials, which never appear in errors. */
  url: string;
  /** Events travel on the channel `${prefix}events`, isolating deployments sharing a Redis. */
  prefix?: string;
  onHandlerError?: HandlerErrorHook;
  /**
   * How often the subscriber connection is probed. A connection that died without TCP
   * noticing (NAT or load-balancer idle timeouts) would otherwise miss invalidations silently.
   */
  healthCheckIntervalMs?: number;
}

const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 15_000;

/** EventBus over Redis pub/sub, reaching every replica subscribed to the same channel. */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis';
  readonly channel: string;
  private readonly handlers: HandlerRegistry;
  // Pub/sub needs its own connection: once subscribed, Redis accepts no other commands on it.
  private readonly publisher: RedisConnection;
  private readonly subscriber: RedisConnection;
  // Emits 'subscribed' and 'lost' (with the error) so ready() can wait for the subscription.
  private readonly subscription = new EventEmitter();
  private readonly healthTimer: NodeJS.Timeout;
  private subscribed = false;
  private closed = false;
  private dropped = 0;
  private pendingReady: Promise<void> | undefined;

  constructor(opts: RedisEventBusOptions) {
    const prefix = opts.prefix ?? DEFAULT_STORE_PREFIX;
    this.channel = `${prefix}events`;
    this.handlers = new HandlerRegistry(opts.onHandlerError);
    this.publisher = new RedisConnection(opts.url, opts, { connectionName: `${prefix}events:pub` });
    // We subscribe on every 'ready' ourselves rather than rely on ioredis autoResubscribe,
    // so the first subscription and every re-subscription take the same path and we always
    // know whether we are live.
    this.subscriber = new RedisConnection(opts.url, opts, {
      connectionName: `${prefix}events:sub`,
      autoResubscribe: false,
    });
    const client = this.subscriber.client;
    client.on('ready', () => this.subscribeChannel());
    client.on('close', () => this.lose(this.subscriber.unavailable(this.subscriber.lastFailure ?? 'connection closed')));
    client.on('message', (channel: string, payload: string) => this.receive(channel, payload));
    this.healthTimer = setInterval(() => this.probe(), opts.healthCheckIntervalMs ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS);
    this.healthTimer.unref();
  }

  get droppedInvalidEvents(): number {
    return this.dropped;
  }

  get handlerErrors(): number {
    return this.handlers.errorCount;
  }

  async publish(event: BusEvent): Promise<void> {
    const payload = JSON.stringify(busEventSchema.parse(event));
    if (this.closed) throw busClosedError();
    // Publishing only once our own subscription is live guarantees this replica receives
    // its own event; if it cannot, the caller hears about it instead of silently diverging.
    await this.ready();
    await this.publisher.run((redis) => redis.publish(this.channel, payload));
  }

  subscribe(handler: BusEventHandler): () => void {
    return this.handlers.add(handler);
  }

  ready(): Promise<void> {
    if (this.closed) return Promise.reject(busClosedError());
    if (this.subscribed) return Promise.resolve();
    // Shared so a burst of publishes at startup adds one set of listeners, not one each.
    this.pendingReady ??= this.awaitSubscription().finally(() => {
      this.pendingReady = undefined;
    });
    return this.pendingReady;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.healthTimer);
    this.handlers.clear();
    this.lose(busClosedError());
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }

  private awaitSubscription(): Promise<void> {
    const timeoutMs = this.subscriber.attemptTimeoutMs;
    return new Promise((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.subscription.off('subscribed', onSubscribed);
        this.subscription.off('lost', onLost);
        if (error) reject(error);
        else resolve();
      };
      const onSubscribed = (): void => settle();
      const onLost = (error: Error): void => settle(error);
      const timer = setTimeout(() => settle(this.subscriber.unavailable(`not subscribed within ${timeoutMs} ms`)), timeoutMs);
      this.subscription.once('subscribed', onSubscribed);
      this.subscription.once('lost', onLost);
    });
  }

  private subscribeChannel(): void {
    if (this.closed) return;
    this.subscriber.client.subscribe(this.channel).then(
      () => {
        if (this.closed) return;
        this.subscribed = true;
        this.subscription.emit('subscribed');
      },
      (error: unknown) => this.lose(this.subscriber.toError(error)),
    );
  }

  private lose(error: Error): void {
    this.subscribed = false;
    this.subscription.emit('lost', error);
  }

  private receive(channel: string, payload: string): void {
    if (channel !== this.channel || this.closed) return;
    const event = decodeBusEvent(payload);
    if (event) this.handlers.dispatch(event);
    else this.dropped++;
  }

  private probe(): void {
    if (!this.subscribed) return;
    this.subscriber.client.ping().catch(() => {
      // Reconnecting replaces the dead socket; the 'ready' handler then re-subscribes.
      if (!this.closed) this.subscriber.client.disconnect(true);
    });
  }
}

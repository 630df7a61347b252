/**
 * SIEM delivery worker (api process): for every sink, takes the chains with undelivered events,
 * and sends each chain's events in seq order, in batches, advancing the sink's cursor after each
 * accepted batch. A failing batch stays at the head of its chain (later events of that chain wait:
 * order is never broken) and is retried with backoff; other chains go on meanwhile.
 *
 * At-least-once: the cursor moves only after the sink accepted a batch, so a crash or a lost
 * lease between the POST and the cursor update sends that batch again (receivers dedupe by id or
 * by chain and seq). Several replicas: a chain is leased to one replica at a time (claimed with
 * SKIP LOCKED), and no database transaction is held while a sink is called.
 */
import { randomUUID } from 'node:crypto';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { Logger } from '../../logging/logger.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { SiemDeliveryError, type SiemSink } from './sink.js';
import { ackDelivered, claimChains, pendingEvents, recordFailure, type ClaimedChain } from './store.js';

export type SiemWorkerDeps = {
  /** The api's scoped database: reads and moves cursors only through the definer functions. */
  db: ScopedDatabase;
  sinks: readonly SiemSink[];
  logger: Logger;
  /** Tests move the clock (backoff and leases are computed from it). */
  now?: () => Date;
  random?: () => number;
  /** This worker's lease id; one per process. */
  owner?: string;
};

export type SiemWorkerOptions = {
  /** Events per sink call (one POST, or one write). */
  batchSize?: number;
  /** Batches per chain per pass: a long backlog of one chain does not starve the others. */
  maxBatchesPerChain?: number;
  /** Chains taken per sink per pass. */
  maxChains?: number;
  /** Chains sent to at the same time, per sink. */
  concurrency?: number;
  /** How long a claimed chain is ours; longer than a sink call can take (the webhook times out at 10 s). */
  leaseMs?: number;
  backoff?: BackoffOptions;
};

export type SiemPassSummary = { delivered: number; failed: number };

const DEFAULTS = { batchSize: 100, maxBatchesPerChain: 20, maxChains: 100, concurrency: 4, leaseMs: 60_000 };

type Pass = Required<Pick<SiemWorkerDeps, 'now' | 'random' | 'owner'>> &
  SiemWorkerDeps & { options: typeof DEFAULTS & { backoff: BackoffOptions } };

async function deliverChain(pass: Pass, sink: SiemSink, claimed: ClaimedChain, summary: SiemPassSummary): Promise<void> {
  const { db, logger, owner, options } = pass;
  const key = { sink: sink.name, chain: claimed.chain, owner };
  let after = claimed.lastSeq;
  for (let batch = 0; batch < options.maxBatchesPerChain; batch++) {
    const events = await db.withRole((tx) => pendingEvents(tx, { ...key, limit: options.batchSize }));
    const first = events[0];
    if (first === undefined) {
      // Retention removed every event beyond the cursor before it was delivered: move past them.
      if (claimed.headSeq > after)
        logger.warn(
          { sink: sink.name, chain: claimed.chain, from: after + 1, to: claimed.headSeq },
          'audit events pruned before SIEM delivery',
        );
      await db.withRole((tx) => ackDelivered(tx, { ...key, seq: Math.max(after, claimed.headSeq), leaseUntil: null }));
      return;
    }
    if (first.seq > after + 1)
      logger.warn(
        { sink: sink.name, chain: claimed.chain, from: after + 1, to: first.seq - 1 },
        'audit events pruned before SIEM delivery',
      );
    try {
      await sink.deliver(claimed.chain, events);
    } catch (error) {
      const reason = error instanceof SiemDeliveryError ? error.message : 'sink failed';
      const attempts = claimed.attempts + 1;
      const nextAttemptAt = new Date(pass.now().getTime() + backoffDelayMs(attempts, options.backoff, pass.random));
      await db.withRole((tx) => recordFailure(tx, { ...key, nextAttemptAt, error: reason }));
      summary.failed += 1;
      // Status or short reason only: never the events, the URL's query or the secret.
      logger.warn({ sink: sink.name, chain: claimed.chain, attempts, reason, nextAttemptAt }, 'SIEM delivery failed; retrying later');
      return;
    }
    const last = events.at(-1)!.seq;
    summary.delivered += events.length;
    const more = events.length === options.batchSize && batch + 1 < options.maxBatchesPerChain;
    const leaseUntil = more ? new Date(pass.now().getTime() + options.leaseMs) : null;
    const held = await db.withRole((tx) => ackDelivered(tx, { ...key, seq: last, leaseUntil }));
    if (!held) {
      logger.warn({ sink: sink.name, chain: claimed.chain }, 'SIEM lease lost to another replica; it continues this chain');
      return;
    }
    // A short batch reached the end; a full one at the batch limit leaves the rest to the next pass.
    if (!more) return;
    after = last;
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/** One delivery pass over every sink. Errors of one chain are logged and do not stop the others. */
export async function runSiemDelivery(deps: SiemWorkerDeps, options: SiemWorkerOptions = {}): Promise<SiemPassSummary> {
  const pass: Pass = {
    ...deps,
    now: deps.now ?? (() => new Date()),
    random: deps.random ?? Math.random,
    owner: deps.owner ?? randomUUID(),
    options: {
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      maxBatchesPerChain: options.maxBatchesPerChain ?? DEFAULTS.maxBatchesPerChain,
      maxChains: options.maxChains ?? DEFAULTS.maxChains,
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
    },
  };
  const summary: SiemPassSummary = { delivered: 0, failed: 0 };
  for (const sink of deps.sinks) {
    const now = pass.now();
    const claimed = await deps.db.withRole((tx) =>
      claimChains(tx, {
        sink: sink.name,
        owner: pass.owner,
        now,
        leaseUntil: new Date(now.getTime() + pass.options.leaseMs),
        limit: pass.options.maxChains,
      }),
    );
    await eachLimited(claimed, pass.options.concurrency, async (chain) => {
      try {
        await deliverChain(pass, sink, chain, summary);
      } catch (error) {
        // A database error mid-chain: the lease expires and the chain is taken again later.
        deps.logger.error({ err: error, sink: sink.name, chain: chain.chain }, 'SIEM delivery of a chain failed');
      }
    });
  }
  return summary;
}

/** Runs a pass every `pollIntervalMs` (the next one starts after the previous ended); stop() waits for a pass in progress. */
export function startSiemSchedule(
  deps: SiemWorkerDeps,
  options: SiemWorkerOptions & { pollIntervalMs: number },
): { stop(): Promise<void> } {
  // One lease id for the process: leases of a pass that outlived its lease are recognised as ours.
  const owned: SiemWorkerDeps = { ...deps, owner: deps.owner ?? randomUUID() };
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    running = runSiemDelivery(owned, options)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'SIEM delivery pass failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, options.pollIntervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.pollIntervalMs).unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

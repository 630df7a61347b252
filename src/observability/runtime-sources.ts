/**
 * The parts of a running process that metrics read at scrape time rather than count as they
 * happen: request-log writers (queue depth, drops) and the database handle (pool usage). A process
 * normally has one of each; tests run several servers in one process, so each is watched until
 * its service stops, and the metrics report the sum.
 */
import type { DatabaseHandle } from '../db/open.js';
import type { RequestLogWriter } from '../gateway/request-log/types.js';

type WatchedWriter = { writer: RequestLogWriter; reportedDrops: number };

const writers = new Set<WatchedWriter>();
/** Drops of writers no longer watched that no scrape has reported yet. */
let unreportedDropsOfRemoved = 0;
/** Handles by how many services watch them (two servers in one test process may share one). */
const databases = new Map<DatabaseHandle, number>();

/** Watches a writer until the returned function is called (after the writer is closed). */
export function watchRequestLogWriter(writer: RequestLogWriter): () => void {
  const watched: WatchedWriter = { writer, reportedDrops: 0 };
  writers.add(watched);
  return () => {
    if (!writers.delete(watched)) return;
    unreportedDropsOfRemoved += newDrops(watched);
  };
}

function newDrops(watched: WatchedWriter): number {
  const dropped = watched.writer.stats().dropped;
  const added = Math.max(0, dropped - watched.reportedDrops);
  watched.reportedDrops = dropped;
  return added;
}

export function requestLogQueueTotal(): number {
  let buffered = 0;
  for (const { writer } of writers) buffered += writer.stats().buffered;
  return buffered;
}

/** Entries dropped since the previous call, so the counter fed from it only ever grows. */
export function takeNewRequestLogDrops(): number {
  let added = unreportedDropsOfRemoved;
  unreportedDropsOfRemoved = 0;
  for (const watched of writers) added += newDrops(watched);
  return added;
}

export function watchDatabasePool(handle: DatabaseHandle): () => void {
  databases.set(handle, (databases.get(handle) ?? 0) + 1);
  let watching = true;
  return () => {
    if (!watching) return;
    watching = false;
    const count = (databases.get(handle) ?? 1) - 1;
    if (count <= 0) databases.delete(handle);
    else databases.set(handle, count);
  };
}

export type PoolTotals = { total: number; idle: number | undefined; waiting: number | undefined };

/** pg's pool counts; PGlite is one in-process connection, with no idle or waiting figures. */
export function databasePoolTotals(): PoolTotals | undefined {
  if (databases.size === 0) return undefined;
  const totals: PoolTotals = { total: 0, idle: undefined, waiting: undefined };
  for (const handle of databases.keys()) {
    if (handle.kind === 'pglite') {
      totals.total += 1;
      continue;
    }
    totals.total += handle.pool.totalCount;
    totals.idle = (totals.idle ?? 0) + handle.pool.idleCount;
    totals.waiting = (totals.waiting ?? 0) + handle.pool.waitingCount;
  }
  return totals;
}

/**
 * The gateway's request-log writer against a real database (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL), writing as the gateway role under RLS. Failures are injected by wrapping
 * the gateway's ScopedDatabase; time-dependent behaviour runs on manual timers, and everything
 * else waits on flush() or on generous waitFor timeouts, never on a measured duration.
 */
import { randomUUID } from 'node:crypto';
import { eq, getTableName, type Table } from 'drizzle-orm';
import { pino, type Logger } from 'pino';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/audit/context.js';
import { activeDataKey, dataKeyById } from '../src/credentials/tenant-keys.js';
import { DecryptionError } from '../src/crypto/aead.js';
import { decryptSecret, generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { guardrailEvents, organizations, requestBodies, requestLogs, tenantKeys, type CacheStatus } from '../src/db/schema/index.js';
import type { ScopedDatabase } from '../src/db/tenant.js';
import type { Tx } from '../src/db/types.js';
import type { GuardrailEventRecord } from '../src/gateway/guardrails/event-record.js';
import type { WriterTimers } from '../src/gateway/request-log/timers.js';
import type { RequestLogEntry, RequestLogWriterOptions } from '../src/gateway/request-log/types.js';
import { createRequestLogWriter } from '../src/gateway/request-log/writer.js';
import { openTestDatabase, uniqueName, type TestDatabase } from './support/database.js';

const keyring = createMasterKeyring(parseMasterKey(generateMasterKey()));
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.close());

async function createOrg(options: { withDataKey: boolean }): Promise<string> {
  const orgId = randomUUID();
  await db.api.withTenant(orgId, async (tx) => {
    await tx.insert(organizations).values({ id: orgId, name: uniqueName('org') });
    if (options.withDataKey) await activeDataKey(tx, orgId, keyring, { actor: systemActor('cli', 'test'), requestId: null });
  });
  return orgId;
}

function entry(orgId: string, overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { orgId, requestId: uniqueName('req'), endpoint: '/v1/chat/completions', status: 200, createdAt: new Date(), ...overrides };
}

/** Read back as the api role, which may SELECT what the gateway may only INSERT. */
function logsOf(orgId: string) {
  return db.api.withTenant(orgId, (tx) => tx.select().from(requestLogs));
}
function bodiesOf(orgId: string) {
  return db.api.withTenant(orgId, (tx) => tx.select().from(requestBodies));
}
function eventsOf(orgId: string) {
  return db.api.withTenant(orgId, (tx) => tx.select().from(guardrailEvents));
}

function guardrailEvent(overrides: Partial<GuardrailEventRecord> = {}): GuardrailEventRecord {
  return {
    direction: 'input',
    detector: 'pii',
    rule: 'EMAIL',
    category: 'EMAIL',
    action: 'redact',
    location: 'messages[0].content',
    start: 6,
    end: 21,
    valueHash: 'ab'.repeat(32),
    ...overrides,
  };
}

type LogLine = { level: number; msg: string } & Record<string, unknown>;

function captureLogger(): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  // A plain pino logger, without the production scrubber: what the writer itself chose to log.
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  return { logger, lines, raw };
}

const WARN = 40;
const ERROR = 50;

/** The gateway's database with hooks: counts transactions and INSERTs, and injects outages. */
type Probe = {
  db: ScopedDatabase;
  /** Org of every withTenant call, in order, and whether it committed. */
  calls: { orgId: string; ok: boolean }[];
  /** INSERT statements by table name. */
  inserts: Map<string, number>;
  /** When set, withTenant fails with this error before touching the database. */
  failWith: (() => Error) | null;
  /** When set, withTenant never settles (a hung connection). */
  hang: boolean;
  /** Calls left that commit and then fail anyway, as when the connection dies during COMMIT. */
  lostCommitAcks: number;
};

function countInserts(tx: Tx, inserts: Map<string, number>): Tx {
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === 'insert') {
        return (table: Table) => {
          inserts.set(getTableName(table), (inserts.get(getTableName(table)) ?? 0) + 1);
          return target.insert(table);
        };
      }
      // Log rows are inserted with one hand-built statement (see insert.ts): count those too.
      if (property === 'execute') {
        return (query: SQL) => {
          const text = new PgDialect().sqlToQuery(query).sql;
          const table = /^insert into (\w+)/i.exec(text)?.[1];
          if (table) inserts.set(table, (inserts.get(table) ?? 0) + 1);
          return target.execute(query);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return value;
    },
  });
}

function probe(inner: ScopedDatabase): Probe {
  const state: Probe = {
    calls: [],
    inserts: new Map(),
    failWith: null,
    hang: false,
    lostCommitAcks: 0,
    db: {
      role: inner.role,
      withRole: (fn) => inner.withRole(fn),
      async withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
        const call = { orgId, ok: false };
        state.calls.push(call);
        if (state.hang) return new Promise<T>(() => undefined);
        if (state.failWith) throw state.failWith();
        const result = await inner.withTenant(orgId, (tx) => fn(countInserts(tx, state.inserts)));
        if (state.lostCommitAcks > 0) {
          state.lostCommitAcks -= 1;
          throw new Error('Connection terminated unexpectedly');
        }
        call.ok = true;
        return result;
      },
    },
  };
  return state;
}

const connectionRefused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** Timers that only move when the test says so. */
class ManualTimers implements WriterTimers {
  private time = 0;
  private nextId = 0;
  private readonly pending = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  schedule(ms: number, fn: () => void): () => void {
    const id = ++this.nextId;
    this.pending.set(id, { due: this.time + Math.max(0, ms), fn });
    return () => this.pending.delete(id);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const item of this.pending) if (item[1].due <= end && (!next || item[1].due < next[1].due)) next = item;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].due;
      next[1].fn();
    }
    this.time = end;
  }
}

function writerFor(target: Probe, logger: Logger, options: Partial<RequestLogWriterOptions> = {}) {
  return createRequestLogWriter({ db: target.db, keyring, logger, ...options });
}

describe('request log writer', () => {
  it('writes exactly one row per entry under 200 concurrent enqueues interleaved with write rounds', async () => {
    const orgs = [await createOrg({ withDataKey: false }), await createOrg({ withDataKey: false })];
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { maxBatch: 16, flushIntervalMs: 1 });
    const sent = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        // Spread over a few milliseconds so enqueues land while rounds are being written.
        await new Promise((resolve) => setTimeout(resolve, i % 25));
        const item = entry(orgs[i % 2]!);
        writer.enqueue(item);
        return item;
      }),
    );
    await writer.flush();

    expect(writer.stats()).toEqual({
      buffered: 0,
      written: 200,
      dropped: 0,
      failedFlushes: 0,
      bodiesSkipped: 0,
      guardrailEventsDropped: 0,
    });
    for (const orgId of orgs) {
      const rows = await logsOf(orgId);
      const expected = sent.filter((item) => item.orgId === orgId).map((item) => item.requestId);
      expect(rows.map((row) => row.requestId).sort()).toEqual(expected.sort());
      expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    }
    // maxBatch 16 bounds each round, so 200 entries took at least 13 rounds.
    expect(target.calls.length).toBeGreaterThanOrEqual(13);
    await writer.close();
  });

  it('writes each org in one transaction with one multi-row INSERT, under that org (RLS)', async () => {
    const orgs = [
      await createOrg({ withDataKey: false }),
      await createOrg({ withDataKey: false }),
      await createOrg({ withDataKey: false }),
    ];
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { flushIntervalMs: 60_000 });
    const sent: RequestLogEntry[] = [];
    for (let i = 0; i < 30; i++) sent.push(entry(orgs[i % 3]!));
    for (const item of sent) writer.enqueue(item);
    expect(target.calls).toEqual([]); // enqueue never touches the database itself
    await writer.flush();

    expect(target.calls.map((call) => call.orgId).sort()).toEqual([...orgs].sort());
    expect(target.calls.every((call) => call.ok)).toBe(true);
    expect(target.inserts).toEqual(new Map([['request_logs', 3]]));
    for (const orgId of orgs) {
      const rows = await logsOf(orgId);
      expect(rows).toHaveLength(10);
      expect(rows.every((row) => row.orgId === orgId)).toBe(true);
      expect(rows.map((row) => row.requestId).sort()).toEqual(
        sent
          .filter((item) => item.orgId === orgId)
          .map((item) => item.requestId)
          .sort(),
      );
    }
    await writer.close();
  });

  it('keeps the request start time as createdAt, the given id, and every column', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const writer = writerFor(probe(db.gateway), captureLogger().logger);
    const startedAt = new Date('2024-02-03T04:05:06.789Z');
    const id = randomUUID();
    writer.enqueue(
      entry(orgId, {
        id,
        createdAt: startedAt,
        model: 'gpt-x',
        provider: 'openai',
        stream: true,
        attempts: 2,
        status: 502,
        errorCode: 'upstream_error',
        inputTokens: 12,
        costMicroUsd: 3400,
        cacheStatus: 'miss',
      }),
    );
    writer.enqueue(entry(orgId));
    // The writer keeps its own copy: what the caller does with its object afterwards changes nothing.
    const reused = entry(orgId, { status: 201 });
    writer.enqueue(reused);
    reused.status = 500;
    await writer.close();
    const rows = await logsOf(orgId);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.requestId === reused.requestId)?.status).toBe(201);
    const row = rows.find((r) => r.id === id);
    expect(row).toMatchObject({
      model: 'gpt-x',
      provider: 'openai',
      stream: true,
      attempts: 2,
      status: 502,
      inputTokens: 12,
      costMicroUsd: 3400,
    });
    expect(row?.createdAt.toISOString()).toBe(startedAt.toISOString());
    const other = rows.find((r) => r.id !== id);
    expect(other?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a retry after a commit whose acknowledgement was lost writes nothing twice', async () => {
    const orgId = await createOrg({ withDataKey: true });
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { retryBaseMs: 1, retryMaxMs: 5, flushIntervalMs: 60_000, poisonAttempts: 1 });
    target.lostCommitAcks = 1;
    const sent = Array.from({ length: 8 }, () => entry(orgId, { bodies: { request: '{"q":1}', response: '{"a":2}' } }));
    for (const item of sent) writer.enqueue(item);
    await writer.flush();

    // The same ids were written again, and ON CONFLICT DO NOTHING turned that into a no-op.
    expect(target.calls.map((call) => call.ok)).toEqual([false, true]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 8, dropped: 0, failedFlushes: 1 });
    expect((await logsOf(orgId)).map((row) => row.requestId).sort()).toEqual(sent.map((item) => item.requestId).sort());
    expect(await bodiesOf(orgId)).toHaveLength(8);
    await writer.close();
  });

  it('writes guardrail events with their log row, in its transaction, with its org, project, key, request id and time', async () => {
    const orgs = [await createOrg({ withDataKey: false }), await createOrg({ withDataKey: false })];
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { flushIntervalMs: 60_000 });
    const projectId = randomUUID();
    const apiKeyId = randomUUID();
    const startedAt = new Date('2025-05-06T07:08:09.123Z');
    const events = [
      guardrailEvent(),
      guardrailEvent({
        direction: 'output',
        detector: 'secret',
        rule: 'github-pat',
        category: 'secret',
        action: 'block',
        location: 'output',
      }),
    ];
    const flagged = entry(orgs[0]!, { projectId, apiKeyId, createdAt: startedAt, guardrailEvents: events });
    const plain = entry(orgs[0]!);
    const other = entry(orgs[1]!, { guardrailEvents: [guardrailEvent({ rule: 'PHONE', category: 'PHONE' })] });
    for (const item of [flagged, plain, other]) writer.enqueue(item);
    // The writer keeps its own copies: changing the caller's events afterwards changes nothing.
    events[0]!.rule = 'CHANGED';
    events.push(guardrailEvent({ rule: 'LATE' }));
    await writer.flush();

    expect(writer.stats()).toMatchObject({ written: 3, dropped: 0, guardrailEventsDropped: 0 });
    // One transaction per org, one INSERT for its events next to the one for its rows.
    expect(target.calls.map((call) => call.orgId).sort()).toEqual([...orgs].sort());
    expect(target.inserts).toEqual(
      new Map([
        ['request_logs', 2],
        ['guardrail_events', 2],
      ]),
    );
    const [logRow] = (await logsOf(orgs[0]!)).filter((row) => row.requestId === flagged.requestId);
    expect(logRow).toBeDefined();
    const written = await eventsOf(orgs[0]!);
    expect(written).toHaveLength(2);
    for (const row of written) {
      expect(row).toMatchObject({ orgId: orgs[0], projectId, apiKeyId, requestId: flagged.requestId });
      expect(row.createdAt.toISOString()).toBe(startedAt.toISOString());
    }
    expect(written.find((row) => row.direction === 'input')).toMatchObject({
      detector: 'pii',
      findingType: 'EMAIL',
      category: 'EMAIL',
      action: 'redact',
      location: 'messages[0].content',
      startOffset: 6,
      endOffset: 21,
      valueHash: 'ab'.repeat(32),
    });
    expect(written.find((row) => row.direction === 'output')).toMatchObject({
      detector: 'secret',
      findingType: 'github-pat',
      category: 'secret',
      action: 'block',
      location: 'output',
    });
    expect(await eventsOf(orgs[1]!)).toMatchObject([{ orgId: orgs[1], requestId: other.requestId, findingType: 'PHONE' }]);
    await writer.close();
  });

  it('a retried write after a lost commit acknowledgement does not duplicate guardrail events', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { retryBaseMs: 1, retryMaxMs: 5, flushIntervalMs: 60_000 });
    target.lostCommitAcks = 1;
    const sent = Array.from({ length: 4 }, () =>
      entry(orgId, { guardrailEvents: [guardrailEvent(), guardrailEvent({ direction: 'output', location: 'output' })] }),
    );
    for (const item of sent) writer.enqueue(item);
    await writer.flush();

    // The same event ids were written again, and ON CONFLICT DO NOTHING turned that into a no-op.
    expect(target.calls.map((call) => call.ok)).toEqual([false, true]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 4, dropped: 0, failedFlushes: 1, guardrailEventsDropped: 0 });
    expect(await logsOf(orgId)).toHaveLength(4);
    const events = await eventsOf(orgId);
    expect(events).toHaveLength(8);
    expect(new Set(events.map((event) => event.id)).size).toBe(8);
    await writer.close();
  });

  it('a guardrail event the database refuses is dropped (counted, logged without values); its log row is still written', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const { logger, lines, raw } = captureLogger();
    const writer = writerFor(target, logger, { retryBaseMs: 1, retryMaxMs: 5, poisonAttempts: 1, flushIntervalMs: 60_000 });
    const marker = 'cd'.repeat(32);
    // Violates guardrail_events_direction_check: a bug upstream, which must not cost the log row.
    const bad = entry(orgId, {
      guardrailEvents: [guardrailEvent({ valueHash: marker }), guardrailEvent({ direction: 'sideways' as 'input', valueHash: marker })],
    });
    const good = entry(orgId, { guardrailEvents: [guardrailEvent()] });
    for (const item of [bad, good]) writer.enqueue(item);
    await writer.flush(30_000);

    expect(writer.stats()).toMatchObject({ buffered: 0, written: 2, dropped: 0, guardrailEventsDropped: 2 });
    expect((await logsOf(orgId)).map((row) => row.requestId).sort()).toEqual([bad.requestId, good.requestId].sort());
    expect((await eventsOf(orgId)).map((row) => row.requestId)).toEqual([good.requestId]);
    expect(lines.filter((line) => line.msg.startsWith('guardrail events rejected by the database'))).toMatchObject([
      { level: ERROR, orgId, events: 2, error: { code: '23514', constraint: 'guardrail_events_direction_check' } },
    ]);
    for (const line of raw) {
      expect(line).not.toContain(marker);
      expect(line).not.toContain('sideways');
    }
    await writer.close();
  });

  it('close() writes everything buffered, then refuses (and counts) later entries', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const { logger, lines } = captureLogger();
    const writer = writerFor(probe(db.gateway), logger, { flushIntervalMs: 60_000, maxBatch: 10 });
    for (let i = 0; i < 37; i++) writer.enqueue(entry(orgId));
    await writer.close();
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 37, dropped: 0 });
    expect(await logsOf(orgId)).toHaveLength(37);

    const late = entry(orgId);
    expect(() => writer.enqueue(late)).not.toThrow();
    expect(writer.stats()).toMatchObject({ written: 37, dropped: 1 });
    await writer.close(); // idempotent
    await writer.flush();
    expect((await logsOf(orgId)).some((row) => row.requestId === late.requestId)).toBe(false);
    // Nothing was dropped before, so this first drop is reported at once.
    expect(lines.filter((line) => line.msg === 'request log entries dropped')).toMatchObject([{ dropped: { closed: 1 }, totalDropped: 1 }]);
  });

  it('survives a database outage: entries stay buffered, are retried, and all land once it recovers', async () => {
    const orgs = [await createOrg({ withDataKey: false }), await createOrg({ withDataKey: false })];
    const target = probe(db.gateway);
    const { logger, lines } = captureLogger();
    const writer = writerFor(target, logger, { retryBaseMs: 2, retryMaxMs: 10, flushIntervalMs: 60_000, poisonAttempts: 2 });
    target.failWith = connectionRefused;
    const sent = Array.from({ length: 40 }, (_, i) => entry(orgs[i % 2]!));
    for (const item of sent) writer.enqueue(item);

    const flushing = writer.flush(60_000);
    // Well past poisonAttempts: availability failures must never send rows down the drop path.
    await vi.waitFor(() => expect(target.calls.length).toBeGreaterThanOrEqual(6), { timeout: 20_000 });
    expect(writer.stats()).toMatchObject({ buffered: 40, written: 0, dropped: 0 });
    expect(writer.stats().failedFlushes).toBeGreaterThanOrEqual(6);
    target.failWith = null;
    await flushing;

    expect(writer.stats()).toMatchObject({ buffered: 0, written: 40, dropped: 0 });
    for (const orgId of orgs) {
      const rows = await logsOf(orgId);
      expect(rows.map((row) => row.requestId).sort()).toEqual(
        sent
          .filter((item) => item.orgId === orgId)
          .map((item) => item.requestId)
          .sort(),
      );
    }
    // Recovered with one batch per org, not row by row.
    expect(target.calls.filter((call) => call.ok)).toHaveLength(2);
    // One warning for the outage, not one per retry, and one line when it is over.
    expect(lines.filter((line) => line.msg === 'request log writes failing: buffering and retrying')).toHaveLength(1);
    expect(lines.filter((line) => line.msg === 'request log writes failing: buffering and retrying')[0]).toMatchObject({
      error: { code: 'ECONNREFUSED' },
    });
    expect(lines.some((line) => line.msg === 'request log writes recovered')).toBe(true);
    await writer.close();
  });

  it('retries in the background after an outage, without anyone calling flush', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { retryBaseMs: 2, retryMaxMs: 10, flushIntervalMs: 5 });
    target.failWith = connectionRefused;
    for (let i = 0; i < 25; i++) writer.enqueue(entry(orgId));
    await vi.waitFor(() => expect(target.calls.length).toBeGreaterThanOrEqual(3), { timeout: 20_000 });
    expect(writer.stats()).toMatchObject({ buffered: 25, written: 0, dropped: 0 });
    target.failWith = null;
    await vi.waitFor(() => expect(writer.stats()).toMatchObject({ buffered: 0, written: 25, dropped: 0 }), { timeout: 20_000 });
    expect(await logsOf(orgId)).toHaveLength(25);
    await writer.close();
  });

  it('when the buffer is full, refuses new entries, counts them, and warns at most once per interval without contents', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const timers = new ManualTimers();
    const { logger, lines, raw } = captureLogger();
    const writer = writerFor(probe(db.gateway), logger, { timers, maxBuffered: 5, maxBatch: 5, warnIntervalMs: 1_000 });
    const sent = Array.from({ length: 12 }, () => entry(orgId));
    for (const item of sent) writer.enqueue(item);
    expect(writer.stats()).toMatchObject({ buffered: 5, dropped: 7 });
    const dropWarnings = () => lines.filter((line) => line.msg === 'request log entries dropped');
    expect(dropWarnings()).toHaveLength(1);
    expect(dropWarnings()[0]).toMatchObject({ level: WARN, dropped: { buffer_full: 1 }, maxBuffered: 5 });

    for (let i = 0; i < 3; i++) writer.enqueue(entry(orgId));
    expect(dropWarnings()).toHaveLength(1); // still inside the interval
    timers.advance(1_000);
    expect(dropWarnings()).toHaveLength(2);
    expect(dropWarnings()[1]).toMatchObject({ dropped: { buffer_full: 9 }, totalDropped: 10 });

    await writer.close();
    // The five oldest were kept and written; the newest were the ones refused.
    const rows = await logsOf(orgId);
    expect(rows.map((row) => row.requestId).sort()).toEqual(
      sent
        .slice(0, 5)
        .map((item) => item.requestId)
        .sort(),
    );
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 5, dropped: 10 });
    for (const line of raw) for (const item of sent) expect(line).not.toContain(item.requestId);
  });

  it('isolates a poison row: other orgs are not held back, good rows are written, only the bad one is dropped', async () => {
    const poisoned = await createOrg({ withDataKey: false });
    const healthy = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const { logger, lines, raw } = captureLogger();
    const writer = writerFor(target, logger, { retryBaseMs: 1, retryMaxMs: 5, poisonAttempts: 2, flushIntervalMs: 60_000 });
    const bad = entry(poisoned, { cacheStatus: 'not-a-cache-status' as CacheStatus, requestId: uniqueName('poison-marker') });
    const good = [entry(poisoned), entry(poisoned), bad, entry(poisoned), entry(poisoned)];
    const others = Array.from({ length: 5 }, () => entry(healthy));
    // An org id withTenant refuses outright: a caller bug, which must not block anything either.
    const malformed = entry('not-an-org-id');
    for (const item of [...good, malformed, ...others]) writer.enqueue(item);
    await writer.flush(30_000);

    // The healthy org was written by the very first round.
    expect(target.calls.find((call) => call.orgId === healthy)).toEqual({ orgId: healthy, ok: true });
    expect(target.calls.filter((call) => call.orgId === healthy)).toHaveLength(1);
    expect((await logsOf(healthy)).map((row) => row.requestId).sort()).toEqual(others.map((item) => item.requestId).sort());
    expect((await logsOf(poisoned)).map((row) => row.requestId).sort()).toEqual(
      good
        .filter((item) => item !== bad)
        .map((item) => item.requestId)
        .sort(),
    );
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 9, dropped: 2 });

    const dropped = lines.filter((line) => line.msg === 'request log rows rejected by the database: dropped');
    expect(dropped).toHaveLength(2);
    expect(dropped.find((line) => line.orgId === poisoned)).toMatchObject({
      level: ERROR,
      dropped: 1,
      errors: [{ code: '23514', constraint: 'request_logs_cache_status_check' }],
    });
    expect(dropped.find((line) => line.orgId !== poisoned)).toMatchObject({ orgId: '(not a uuid)', dropped: 1 });
    // Neither the rejected row's values nor the failed query (drizzle's message holds its parameters).
    for (const line of raw) {
      expect(line).not.toContain(bad.requestId);
      expect(line).not.toContain('not-a-cache-status');
      expect(line).not.toContain('insert into');
    }

    // The org is healthy again: its next entries go back to one batch.
    const callsBefore = target.calls.filter((call) => call.orgId === poisoned).length;
    for (let i = 0; i < 3; i++) writer.enqueue(entry(poisoned));
    await writer.flush();
    expect(target.calls.filter((call) => call.orgId === poisoned).length).toBe(callsBefore + 1);
    expect(await logsOf(poisoned)).toHaveLength(7);
    await writer.close();
  });

  it('encrypts bodies under the org data key (AAD: org, row, purpose) in the same transaction, and skips them for an org without a key', async () => {
    const keyed = await createOrg({ withDataKey: true });
    const keyless = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const writer = writerFor(target, captureLogger().logger, { flushIntervalMs: 60_000 });
    const marker = `secret-prompt-${randomUUID()}`;
    const withBoth = entry(keyed, {
      bodies: { request: JSON.stringify({ prompt: marker }), response: JSON.stringify({ answer: `re-${marker}` }) },
    });
    const requestOnly = entry(keyed, { bodies: { request: JSON.stringify({ prompt: marker }), response: null } });
    const noBodies = entry(keyed);
    const skipped = [
      entry(keyless, { bodies: { request: marker, response: marker } }),
      entry(keyless, { bodies: { request: marker, response: null } }),
    ];
    for (const item of [withBoth, requestOnly, noBodies, ...skipped]) writer.enqueue(item);
    await writer.flush();

    expect(writer.stats()).toMatchObject({ written: 5, dropped: 0, bodiesSkipped: 2 });
    // One transaction per org, the bodies inside it: two INSERTs for the keyed org, one for the other.
    expect(target.calls.map((call) => call.orgId).sort()).toEqual([keyed, keyless].sort());
    expect(target.inserts).toEqual(
      new Map([
        ['request_logs', 2],
        ['request_bodies', 1],
      ]),
    );

    const logs = await logsOf(keyed);
    const bodies = await bodiesOf(keyed);
    expect(bodies).toHaveLength(2);
    const idOf = (requestId: string) => logs.find((row) => row.requestId === requestId)?.id;
    for (const body of bodies) {
      expect(body.orgId).toBe(keyed);
      expect(body.requestCiphertext.includes(Buffer.from(marker))).toBe(false);
      if (body.responseCiphertext) expect(body.responseCiphertext.includes(Buffer.from(marker))).toBe(false);
    }
    const dataKey = await db.api.withTenant(keyed, (tx) => dataKeyById(tx, keyed, bodies[0]!.tenantKeyId, keyring));
    const both = bodies.find((body) => body.requestLogId === idOf(withBoth.requestId))!;
    expect(decryptSecret(dataKey.key, both.requestCiphertext, { orgId: keyed, rowId: both.id, purpose: 'request_body' })).toBe(
      withBoth.bodies!.request,
    );
    expect(decryptSecret(dataKey.key, both.responseCiphertext!, { orgId: keyed, rowId: both.id, purpose: 'response_body' })).toBe(
      withBoth.bodies!.response,
    );
    expect(both.createdAt.toISOString()).toBe(withBoth.createdAt.toISOString());
    // Bound to its purpose, row and org: swapped or copied ciphertext does not decrypt.
    expect(() => decryptSecret(dataKey.key, both.requestCiphertext, { orgId: keyed, rowId: both.id, purpose: 'response_body' })).toThrow(
      DecryptionError,
    );
    expect(() => decryptSecret(dataKey.key, both.requestCiphertext, { orgId: keyless, rowId: both.id, purpose: 'request_body' })).toThrow(
      DecryptionError,
    );
    const single = bodies.find((body) => body.requestLogId === idOf(requestOnly.requestId))!;
    expect(single.responseCiphertext).toBeNull();
    expect(decryptSecret(dataKey.key, single.requestCiphertext, { orgId: keyed, rowId: single.id, purpose: 'request_body' })).toBe(
      requestOnly.bodies!.request,
    );

    expect(await logsOf(keyless)).toHaveLength(2);
    expect(await bodiesOf(keyless)).toEqual([]);
    await writer.close();
  });

  it('seals under the key that is active at each flush: a key created or rotated in is used at once', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const timers = new ManualTimers();
    const writer = writerFor(probe(db.gateway), captureLogger().logger, { timers, dataKeyTtlMs: 60_000, flushIntervalMs: 60_000 });
    const withBody = () => entry(orgId, { bodies: { request: '{"a":1}', response: null } });

    writer.enqueue(withBody());
    await writer.flush();
    expect(writer.stats().bodiesSkipped).toBe(1);

    const ctx = { actor: systemActor('cli', 'test'), requestId: null };
    const first = await db.api.withTenant(orgId, (tx) => activeDataKey(tx, orgId, keyring, ctx));
    writer.enqueue(withBody());
    await writer.flush();
    expect(writer.stats()).toMatchObject({ bodiesSkipped: 1 });
    expect((await bodiesOf(orgId)).map((b) => b.tenantKeyId)).toEqual([first.id]);

    // A rotation retires the key well within the cache's TTL: the next flush already uses the new one.
    await db.api.withTenant(orgId, (tx) =>
      tx.update(tenantKeys).set({ status: 'retired', retiredAt: new Date() }).where(eq(tenantKeys.id, first.id)),
    );
    const second = await db.api.withTenant(orgId, (tx) => activeDataKey(tx, orgId, keyring, ctx));
    writer.enqueue(withBody());
    await writer.flush();
    expect((await bodiesOf(orgId)).map((b) => b.tenantKeyId).sort()).toEqual([first.id, second.id].sort());
    await writer.close();
  });

  it('close() gives up at its deadline during an outage, and counts and logs what was not written', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const { logger, lines } = captureLogger();
    const writer = writerFor(target, logger, { retryBaseMs: 5, retryMaxMs: 20, flushIntervalMs: 60_000 });
    target.failWith = connectionRefused;
    for (let i = 0; i < 6; i++) writer.enqueue(entry(orgId));
    await writer.close(100);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 0, dropped: 6 });
    expect(lines.find((line) => line.msg === 'request log writer closed before every entry was written')).toMatchObject({
      level: ERROR,
      unwritten: 6,
      inFlight: 0,
    });
    target.failWith = null;
    expect(await logsOf(orgId)).toEqual([]);
  });

  it('close() returns at its deadline even when a write hangs', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    const { logger, lines } = captureLogger();
    const writer = writerFor(target, logger, { flushIntervalMs: 60_000 });
    target.hang = true;
    for (let i = 0; i < 4; i++) writer.enqueue(entry(orgId));
    await writer.close(50);
    expect(lines.find((line) => line.msg === 'request log writer closed before every entry was written')).toMatchObject({
      unwritten: 0,
      inFlight: 4,
    });
    writer.enqueue(entry(orgId));
    expect(writer.stats()).toMatchObject({ buffered: 4, written: 0, dropped: 1 });
  });

  it('enqueue never throws, even for something that is not an entry', () => {
    const writer = writerFor(probe(db.gateway), captureLogger().logger);
    expect(() => writer.enqueue(null as unknown as RequestLogEntry)).not.toThrow();
    expect(writer.stats()).toMatchObject({ buffered: 0, dropped: 1 });
  });

  it('rejects settings that could not work', () => {
    const { logger } = captureLogger();
    expect(() => writerFor(probe(db.gateway), logger, { maxBatch: 0 })).toThrow(RangeError);
    expect(() => writerFor(probe(db.gateway), logger, { maxBatch: 100, maxBuffered: 50 })).toThrow(RangeError);
    expect(() => writerFor(probe(db.gateway), logger, { maxBatch: 100_000, maxBuffered: 200_000 })).toThrow(RangeError);
    expect(() => writerFor(probe(db.gateway), logger, { flushIntervalMs: 1.5 })).toThrow(RangeError);
  });
});

// Guards the test helper itself: a counting proxy that broke the transaction would prove nothing.
describe('probe', () => {
  it('passes writes through to the real transaction', async () => {
    const orgId = await createOrg({ withDataKey: false });
    const target = probe(db.gateway);
    await target.db.withTenant(orgId, (tx) => tx.insert(requestLogs).values({ orgId, requestId: 'probe', endpoint: '/x', status: 200 }));
    expect(target.inserts.get('request_logs')).toBe(1);
    expect(await db.api.withTenant(orgId, (tx) => tx.select().from(requestLogs).where(eq(requestLogs.requestId, 'probe')))).toHaveLength(1);
  });
});

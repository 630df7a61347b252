/**
 * SIEM delivery through the cursor outbox (src/audit/siem/), over real HTTP to a local webhook, on
 * PGlite by default and on PostgreSQL with TEST_DATABASE_URL. The worker's clock is injected, so
 * backoff is driven by moving it, never by waiting.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../src/audit/record.js';
import { backoffDelayMs } from '../src/audit/siem/backoff.js';
import type { SiemEvent } from '../src/audit/siem/event.js';
import type { SiemSink } from '../src/audit/siem/sink.js';
import { createStdoutSink } from '../src/audit/siem/stdout-sink.js';
import { createWebhookSink } from '../src/audit/siem/webhook-sink.js';
import { runSiemDelivery, type SiemWorkerDeps } from '../src/audit/siem/worker.js';
import { hmacSha256 } from '../src/crypto/hash.js';
import { queryRows } from '../src/db/rows.js';
import { createUpstreamClient, type UpstreamClient } from '../src/gateway/upstream/http-client.js';
import { openIsolatedTestDatabase, type TestDatabase } from './support/database.js';

const SECRET = 'siem-test-secret-0123456789abcdef0123456789';
const MINUTE = 60_000;

let db: TestDatabase;
let upstream: UpstreamClient;
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

// Its own database: a fresh sink starts at the beginning of every chain, and the shared test
// database holds every other file's orgs and events (on PostgreSQL, thousands), which a pass would
// deliver too.
beforeAll(async () => {
  db = await openIsolatedTestDatabase();
  upstream = createUpstreamClient({ allowPrivate: true });
}, 60_000);
afterAll(async () => {
  await upstream?.close();
  await db?.close();
});

async function record(orgId: string, reason: string): Promise<void> {
  await db.api.withTenant(orgId, (tx) =>
    recordAudit(tx, { orgId, actor: { type: 'system', id: 'siem-test' }, action: 'project.created', reason }),
  );
}

/** The chain's events as the org sees them, in seq order. */
async function chainOf(orgId: string): Promise<{ id: string; seq: number }[]> {
  const rows = await db.api.withTenant(orgId, (tx) =>
    queryRows<{ id: string; seq: string | number }>(tx, sql`select id, seq from audit_events order by seq`),
  );
  return rows.map((r) => ({ id: r.id, seq: Number(r.seq) }));
}

/** A fake clock the test moves by hand. */
function clock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/** A sink with a fresh cursor name: tests sharing one PostgreSQL database never share a position. */
function named(sink: SiemSink): SiemSink {
  return { name: `${sink.name}-${randomUUID().slice(0, 8)}`, deliver: (chain, events) => sink.deliver(chain, events) };
}

/** Runs passes until one delivers nothing more (every chain drained or backing off). */
async function drain(deps: SiemWorkerDeps, batchSize = 100): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const summary = await runSiemDelivery(deps, { batchSize, maxBatchesPerChain: 2 });
    if (summary.delivered === 0 && summary.failed === 0) return;
  }
  throw new Error('delivery did not settle');
}

type Received = { status: number; chain: string; events: SiemEvent[]; signature: string; body: string };

/** A webhook receiver on a fixed port that can answer 503, be switched off (connection refused) and come back. */
async function webhookReceiver() {
  const received: Received[] = [];
  let status = 503;
  let server: Server | undefined;
  let port = 0;
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        void readBody(req).then((body) => {
          const parsed = JSON.parse(body) as { chain: string; events: SiemEvent[] };
          received.push({
            status,
            chain: parsed.chain,
            events: parsed.events,
            signature: String(req.headers['x-portcullis-signature']),
            body,
          });
          res
            .writeHead(status, { 'content-type': 'text/plain' })
            .end(status === 200 ? 'ok' : 'secret-looking body that must not be logged');
        });
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // Kept-alive connections too: the next attempt has to connect, and be refused.
      server.closeAllConnections();
    });
  await listen();
  return {
    received,
    url: () => `http://127.0.0.1:${port}/siem`,
    answer: (next: number) => (status = next),
    down: close,
    up: listen,
    close,
  };
}

function verifySignature(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = hmacSha256(SECRET, `${match[1]}.${body}`);
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe('SIEM outbox', () => {
  it('outbox delivers in order after the sink was down', async () => {
    const orgA = randomUUID();
    const orgB = randomUUID();
    const receiver = await webhookReceiver();
    const time = clock();
    const sink = named(createWebhookSink({ url: receiver.url(), secret: SECRET, upstream, now: time.now }));
    const deps: SiemWorkerDeps = { db: db.api, sinks: [sink], logger, now: time.now, random: () => 0.5 };
    try {
      for (let i = 1; i <= 3; i++) await record(orgA, `a${i}`);
      for (let i = 1; i <= 2; i++) await record(orgB, `b${i}`);

      // Down (503): every chain fails, nothing is acknowledged.
      const failing = await runSiemDelivery(deps, { batchSize: 2 });
      expect(failing.delivered).toBe(0);
      expect(failing.failed).toBeGreaterThanOrEqual(2);
      const rejected = receiver.received.filter((r) => r.chain === orgA || r.chain === orgB);
      expect(rejected.map((r) => r.status)).toEqual([503, 503]);
      // Each failed batch is the head of its chain.
      for (const r of rejected) expect(r.events[0]!.seq).toBe(1);

      // More events while down; before the backoff passed, no attempt at all.
      await record(orgA, 'a4');
      await record(orgA, 'a5');
      const before = receiver.received.length;
      await runSiemDelivery(deps, { batchSize: 2 });
      expect(receiver.received.slice(before).filter((r) => r.chain === orgA || r.chain === orgB)).toEqual([]);

      // Gone (connection refused) once the backoff passed: failed again, with a short reason only.
      await receiver.down();
      time.advance(10 * MINUTE);
      const refused = await runSiemDelivery(deps, { batchSize: 2 });
      expect(refused.delivered).toBe(0);
      const cursors = await queryRows<{ chain: string; attempts: number; last_error: string; last_seq: string | number }>(
        db.handle.db,
        sql`select chain, attempts, last_error, last_seq from siem_cursors where sink = ${sink.name} and chain in (${orgA}, ${orgB})`,
      );
      expect(cursors).toHaveLength(2);
      for (const c of cursors) {
        expect(c.attempts).toBe(2);
        // A connection the server dropped may be noticed as a reset before a new one is refused.
        expect(c.last_error).toMatch(/^webhook unreachable: (connect \(ECONNREFUSED\)|reset \(\w+\))$/);
      }
      for (const c of cursors) expect(Number(c.last_seq)).toBe(0);

      // Back up: after the backoff, everything arrives, in seq order per chain, in batches of 2.
      await receiver.up();
      receiver.answer(200);
      time.advance(60 * MINUTE);
      await drain(deps, 2);

      for (const orgId of [orgA, orgB]) {
        const accepted = receiver.received.filter((r) => r.chain === orgId && r.status === 200);
        const seqs = accepted.flatMap((r) => r.events.map((e) => e.seq));
        const chain = await chainOf(orgId);
        // Nothing lost, nothing twice (no failure happened after a batch was accepted), in order.
        expect(seqs).toEqual(chain.map((e) => e.seq));
        expect(accepted.flatMap((r) => r.events.map((e) => e.id))).toEqual(chain.map((e) => e.id));
        for (const r of accepted) {
          expect(r.events.length).toBeLessThanOrEqual(2);
          for (const e of r.events) expect(e.org_id).toBe(orgId);
        }
      }
      expect(receiver.received.filter((r) => r.chain === orgA && r.status === 200).flatMap((r) => r.events.map((e) => e.reason))).toEqual([
        'a1',
        'a2',
        'a3',
        'a4',
        'a5',
      ]);
      // Every request, accepted or not, is signed with the secret over "<t>.<body>".
      for (const r of receiver.received) expect(verifySignature(r.signature, r.body)).toBe(true);
      // Failures are logged with a status or reason only: no secret, no response body, no event.
      const logged = logLines.join('');
      expect(logged).toContain('webhook answered 503');
      expect(logged).not.toContain(SECRET);
      expect(logged).not.toContain('must not be logged');
      expect(logged).not.toContain('"a1"');
    } finally {
      await receiver.close();
    }
  });

  it('a failing chain blocks only itself: other chains go on', async () => {
    const ok = randomUUID();
    const broken = randomUUID();
    const delivered: SiemEvent[] = [];
    const sink: SiemSink = named({
      name: 'picky',
      deliver(chain, events) {
        if (chain === broken) return Promise.reject(new Error('no'));
        delivered.push(...events);
        return Promise.resolve();
      },
    });
    const time = clock();
    await record(broken, 'x1');
    await record(ok, 'y1');
    await record(ok, 'y2');
    await drain({ db: db.api, sinks: [sink], logger, now: time.now });
    expect(delivered.filter((e) => e.org_id === ok).map((e) => e.reason)).toEqual(['y1', 'y2']);
    expect(delivered.filter((e) => e.org_id === broken)).toEqual([]);
  });

  it('stdout: one audit_event JSON line per event, in order', async () => {
    const orgId = randomUUID();
    const writes: string[] = [];
    const sink = named(createStdoutSink((line) => writes.push(line)));
    for (let i = 1; i <= 4; i++) await record(orgId, `s${i}`);
    await drain({ db: db.api, sinks: [sink], logger, now: clock().now }, 3);
    const lines = writes
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as SiemEvent & { type: string });
    const mine = lines.filter((l) => l.org_id === orgId);
    expect(mine.map((l) => [l.type, l.seq, l.reason])).toEqual([
      ['audit_event', 1, 's1'],
      ['audit_event', 2, 's2'],
      ['audit_event', 3, 's3'],
      ['audit_event', 4, 's4'],
    ]);
    expect(mine[0]).toMatchObject({ action: 'project.created', actor: { type: 'system', id: 'siem-test' }, outcome: 'success' });
    expect(mine[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the event of a rolled-back transaction is never delivered', async () => {
    const orgId = randomUUID();
    const writes: string[] = [];
    const sink = named(createStdoutSink((line) => writes.push(line)));
    await record(orgId, 'kept-1');
    await expect(
      db.api.withTenant(orgId, async (tx) => {
        await recordAudit(tx, { orgId, actor: { type: 'system', id: 'siem-test' }, action: 'project.created', reason: 'rolled-back' });
        throw new Error('abort the change');
      }),
    ).rejects.toThrow('abort the change');
    await record(orgId, 'kept-2');
    await drain({ db: db.api, sinks: [sink], logger, now: clock().now });
    const mine = writes
      .join('')
      .split('\n')
      .filter((l) => l.includes(orgId))
      .map((l) => JSON.parse(l) as SiemEvent);
    expect(mine.map((e) => [e.seq, e.reason])).toEqual([
      [1, 'kept-1'],
      [2, 'kept-2'],
    ]);
  });

  it('a chain is sent by one worker at a time (lease)', async () => {
    const orgId = randomUUID();
    await record(orgId, 'l1');
    const time = clock();
    const name = `lease-${randomUUID().slice(0, 8)}`;
    const rivalChains: string[] = [];
    let rivalRan = false;
    const seen: string[] = [];
    // Another replica: same sink, its own lease id.
    const rival: SiemSink = {
      name,
      deliver(chain) {
        rivalChains.push(chain);
        return Promise.resolve();
      },
    };
    const sink: SiemSink = {
      name,
      async deliver(chain, events) {
        // While this worker holds the chain's lease, the other replica's pass cannot take it.
        if (chain === orgId && !rivalRan) {
          rivalRan = true;
          await runSiemDelivery({ db: db.api, sinks: [rival], logger, now: time.now, owner: randomUUID() });
        }
        seen.push(...events.filter((e) => e.org_id === orgId).map((e) => e.reason ?? ''));
      },
    };
    await drain({ db: db.api, sinks: [sink], logger, now: time.now });
    expect(rivalRan).toBe(true);
    expect(rivalChains).not.toContain(orgId);
    expect(seen).toEqual(['l1']);
  });

  it('backoff doubles with jitter and is capped', () => {
    const options = { baseMs: 1_000, maxMs: 60_000 };
    expect(backoffDelayMs(1, options, () => 0)).toBe(500);
    expect(backoffDelayMs(1, options, () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, options, () => 0)).toBe(2_000);
    expect(backoffDelayMs(3, options, () => 1)).toBe(4_000);
    expect(backoffDelayMs(50, options, () => 1)).toBe(60_000);
    expect(backoffDelayMs(50, options, () => 0)).toBe(30_000);
  });
});

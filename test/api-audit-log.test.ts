/**
 * The audit log through the api: the filtered, paged list and the streamed export (JSON Lines and
 * CSV), for owners and admins only, never another org's events; CSV cells that a spreadsheet would
 * run as formulas are neutralised; every export is itself audited; and an export of any size is
 * streamed in constant memory.
 */
import { randomUUID } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/index.js';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

type EventView = {
  id: string;
  seq: number;
  occurredAt: string;
  actor: { type: string; id: string | null; ip: string | null; userAgent: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  outcome: 'success' | 'failure';
  reason: string | null;
  requestId: string | null;
  diff: Record<string, unknown> | null;
  hash: string;
};
type EventList = { events: EventView[]; nextCursor: string | null };
type Seed = Omit<typeof auditEvents.$inferInsert, 'orgId'>;

const INJECTION = `=cmd|' /C calc'!A0`;
// Seeded events lie in 2020, apart from the ones the org's own setup wrote (now): every filter
// test narrows to this window so only seeds match.
const T0 = Date.parse('2020-01-01T00:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const WINDOW = `since=${encodeURIComponent(iso(0))}&until=${encodeURIComponent(iso(60))}`;

let server: TestServer;
let orgA: TestOrg;
let orgB: TestOrg;
let owner: ApiClient;
let admin: ApiClient;
let developer: ApiClient;
let viewer: ApiClient;
let adminOfB: ApiClient;
const userId = randomUUID();
const seedIds = { a: [] as string[], b: [] as string[] };

function seedsFor(tag: string): Seed[] {
  const event = (minutes: number, fields: Partial<Seed>): Seed => ({
    id: randomUUID(),
    occurredAt: new Date(T0 + minutes * 60_000),
    actorType: 'user',
    actorId: userId,
    action: 'project.created',
    targetType: 'project',
    targetId: `${tag}-p1`,
    outcome: 'success',
    ...fields,
  });
  return [
    event(0, {}),
    event(1, { actorType: 'token', actorId: `${tag}-tk1`, action: 'api_key.created', targetType: 'api_key', targetId: `${tag}-k1` }),
    event(2, {
      actorType: 'token',
      actorId: `${tag}-tk1`,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: `${tag}-k1`,
      outcome: 'failure',
      reason: 'key is owned by another project',
    }),
    event(3, { actorType: 'system', actorId: 'cli@host', action: 'api_key.rotated', targetType: 'api_key', targetId: `${tag}-k2` }),
    event(4, { action: 'member.added', targetType: 'member', targetId: `${tag}-m1` }),
    event(5, {
      targetId: INJECTION,
      reason: INJECTION,
      userAgent: '@SUM(1+1)*cmd|" /C calc"!A0',
      actorIp: '-2+3',
      diff: { name: '+HYPERLINK("http://evil.example")', note: 'has "quotes", commas,\nand a line break' },
    }),
  ];
}

async function seed(org: TestOrg, key: 'a' | 'b'): Promise<void> {
  const rows = seedsFor(key);
  // One at a time, through the api role under RLS: the chain trigger numbers them in this order.
  await server.runtime.apiDb.withTenant(org.orgId, async (tx) => {
    for (const row of rows) await tx.insert(auditEvents).values({ ...row, orgId: org.orgId });
  });
  seedIds[key] = rows.map((row) => row.id!);
}

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  [orgA, orgB] = [await createOrg(server, 'alog-a'), await createOrg(server, 'alog-b')];
  owner = apiClient(server, await mintToken(server, orgA, 'owner'));
  admin = apiClient(server, await mintToken(server, orgA, 'admin'));
  developer = apiClient(server, await mintToken(server, orgA, 'developer'));
  viewer = apiClient(server, await mintToken(server, orgA, 'viewer'));
  adminOfB = apiClient(server, await mintToken(server, orgB, 'admin'));
  await seed(orgA, 'a');
  await seed(orgB, 'b');
}, 60_000);
afterAll(async () => server?.stop());

const list = (client: ApiClient, query: string) => client.get<EventList>(`/api/orgs/${orgA.orgId}/audit/events?${query}`);
const seededIdsOf = (body: EventList) => body.events.map((e) => seedIds.a.indexOf(e.id));

describe('GET /api/orgs/:orgId/audit/events', () => {
  it('lists the org’s events newest first, and none of another org’s', async () => {
    const all = await list(admin, 'limit=1000');
    expect(all.status, all.text).toBe(200);
    const seqs = all.body.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(new Set(seqs).size).toBe(seqs.length);
    const ids = all.body.events.map((e) => e.id);
    for (const id of seedIds.a) expect(ids).toContain(id);
    for (const id of seedIds.b) expect(ids).not.toContain(id);
    expect(all.text).not.toContain('b-tk1');
    expect(all.text).not.toContain(orgB.orgId);
    // The setup's own events are there too (the org's creation, by the CLI).
    expect(all.body.events.map((e) => e.action)).toContain('org.created');
    const injected = all.body.events.find((e) => e.id === seedIds.a[5]);
    expect(injected).toMatchObject({ target: { type: 'project', id: INJECTION }, reason: INJECTION, actor: { type: 'user', id: userId } });
    expect(injected!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('filters by actor, action (exact or prefix), target, outcome and time, combined with AND', async () => {
    const cases: [string, number[]][] = [
      ['', [5, 4, 3, 2, 1, 0]],
      ['actorType=token', [2, 1]],
      [`actorId=${userId}`, [5, 4, 0]],
      ['actorId=cli%40host', [3]],
      ['action=api_key.created', [1]],
      ['action=api_key.*', [3, 2, 1]],
      ['action=api_key.*&outcome=success', [3, 1]],
      ['targetType=api_key&targetId=a-k1', [2, 1]],
      [`targetId=${encodeURIComponent(INJECTION)}`, [5]],
      ['outcome=failure', [2]],
      [`actorType=user&action=project.created`, [5, 0]],
    ];
    for (const [query, expected] of cases) {
      const response = await list(admin, `${WINDOW}${query ? `&${query}` : ''}`);
      expect(response.status, `${query}: ${response.text}`).toBe(200);
      expect(seededIdsOf(response.body), query).toEqual(expected);
    }
    const narrow = await list(admin, `since=${encodeURIComponent(iso(1))}&until=${encodeURIComponent(iso(3))}`);
    expect(seededIdsOf(narrow.body)).toEqual([2, 1]);
    // Org B's actor exists only in org B's events: filtering on it finds nothing here.
    const b = await list(admin, 'actorId=b-tk1');
    expect(b.body.events).toEqual([]);
  });

  it('pages with an opaque cursor: every event once, in order, then null', async () => {
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const response = await list(owner, `${WINDOW}&limit=4${cursor ? `&before=${cursor}` : ''}`);
      expect(response.status, response.text).toBe(200);
      pages.push(seededIdsOf(response.body));
      cursor = response.body.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual([
      [5, 4, 3, 2],
      [1, 0],
    ]);
    const exact = await list(owner, `${WINDOW}&limit=6`);
    expect(exact.body.nextCursor).toBeNull();
  });

  it('refuses unknown or malformed parameters with a 400', async () => {
    for (const query of [
      'actor=x',
      'limit=0',
      'limit=1001',
      'outcome=maybe',
      'actorType=robot',
      'action=api_key.creatd',
      'action=nope.*',
      'action=.*',
      'since=yesterday',
      `since=${encodeURIComponent(iso(5))}&until=${encodeURIComponent(iso(1))}`,
      'before=not-a-cursor',
      `before=${Buffer.from(JSON.stringify({ s: -1 })).toString('base64url')}`,
    ]) {
      const response = await list(admin, query);
      expect(response.status, query).toBe(400);
      expect(response.error?.code, query).toBe('validation_error');
    }
  });

  it('is for owners and admins: developers and viewers get 403, another org’s admin 404', async () => {
    for (const client of [developer, viewer]) {
      expect((await list(client, '')).status).toBe(403);
      expect((await client.get(`/api/orgs/${orgA.orgId}/audit/export?format=csv`)).status).toBe(403);
    }
    expect((await list(adminOfB, '')).status).toBe(404);
    expect((await adminOfB.get(`/api/orgs/${orgA.orgId}/audit/export?format=jsonl`)).status).toBe(404);
  });
});

/** RFC 4180, enough for the test: quoted fields with doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && ch === '"') quoted = false;
    else if (quoted) field += ch;
    else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field).toBe('');
  expect(record).toEqual([]);
  return records;
}

const exportedCount = async () =>
  (await list(admin, 'action=audit.exported&limit=1000')).body.events.filter((e) => e.actor.type === 'token').length;

describe('GET /api/orgs/:orgId/audit/export', () => {
  it('streams JSON Lines: exactly the filtered events, oldest first, as the list shows them', async () => {
    const before = await exportedCount();
    const response = await admin.get(`/api/orgs/${orgA.orgId}/audit/export?format=jsonl&${WINDOW}&action=api_key.*`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="audit-${orgA.orgId}-\\d{8}T\\d{6}Z\\.jsonl"$`),
    );
    expect(response.text.endsWith('\n')).toBe(true);
    const lines = response.text.trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as EventView);
    expect(events.map((e) => seedIds.a.indexOf(e.id))).toEqual([1, 2, 3]);
    const listed = await list(admin, `${WINDOW}&action=api_key.*`);
    expect(events).toEqual([...listed.body.events].reverse());
    expect(await exportedCount()).toBe(before + 1);
  });

  it('streams CSV with a fixed header, RFC 4180 quoting and formula cells neutralised', async () => {
    const response = await owner.get(`/api/orgs/${orgA.orgId}/audit/export?format=csv&${WINDOW}`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/filename="audit-.*\.csv"$/);
    const [header, ...rows] = parseCsv(response.text);
    expect(header).toEqual([
      'seq',
      'id',
      'occurredAt',
      'actorType',
      'actorId',
      'actorIp',
      'actorUserAgent',
      'action',
      'targetType',
      'targetId',
      'outcome',
      'reason',
      'requestId',
      'diff',
      'hash',
    ]);
    expect(rows.map((row) => seedIds.a.indexOf(row[1]!))).toEqual([0, 1, 2, 3, 4, 5]);
    const seqs = rows.map((row) => Number(row[0]));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const column = (name: string) => header!.indexOf(name);
    const injected = rows[5]!;
    expect(injected[column('targetId')]).toBe(`'${INJECTION}`);
    expect(injected[column('reason')]).toBe(`'${INJECTION}`);
    expect(injected[column('actorUserAgent')]).toBe(`'@SUM(1+1)*cmd|" /C calc"!A0`);
    expect(injected[column('actorIp')]).toBe(`'-2+3`);
    // The diff is one JSON cell; its text starts with `{`, so it is kept as is.
    expect(JSON.parse(injected[column('diff')]!)).toEqual({
      name: '+HYPERLINK("http://evil.example")',
      note: 'has "quotes", commas,\nand a line break',
    });
    // Nothing in the whole file starts a cell with a formula character.
    for (const row of rows) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows[2]![column('outcome')]).toBe('failure');
    expect(rows[0]![column('requestId')]).toBe('');
  });

  it('records exactly one audit.exported event per export, before it streams, and leaves it out of the file', async () => {
    const head = async () => (await owner.get<{ seq: number }>(`/api/orgs/${orgA.orgId}/audit/head`)).body.seq;
    const before = await head();
    const response = await admin.get(`/api/orgs/${orgA.orgId}/audit/export?format=jsonl&actorType=token`);
    expect(response.status).toBe(200);
    expect(await head()).toBe(before + 1);
    const [exported] = (await list(admin, 'action=audit.exported&limit=1')).body.events;
    expect(exported).toMatchObject({
      seq: before + 1,
      actor: { type: 'token' },
      target: { type: 'audit_log', id: null },
      outcome: 'success',
      diff: { format: 'jsonl', filters: { actorType: 'token' } },
    });
    expect(exported!.requestId).toBeTruthy();
    const exportedIds = response.text
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as EventView).id);
    expect(exportedIds).not.toContain(exported!.id);
    expect(exportedIds).toContain(seedIds.a[2]);
    // A refused export (bad query) is not recorded.
    expect((await admin.get(`/api/orgs/${orgA.orgId}/audit/export?format=xml`)).status).toBe(400);
    expect((await admin.get(`/api/orgs/${orgA.orgId}/audit/export`)).status).toBe(400);
    expect((await admin.get(`/api/orgs/${orgA.orgId}/audit/export?format=csv&limit=5`)).status).toBe(400);
    expect(await head()).toBe(before + 1);
  });
});

/** `gc()`, enabled at run time: heap samples after a collection measure what is kept, not garbage. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('a large export', () => {
  // 100,000 on PostgreSQL; PGlite (single-threaded WASM) chains rows more slowly. Enough batches
  // either way that the few in flight (queued, in socket buffers) are a small part of the file.
  const total = process.env.TEST_DATABASE_URL ? 100_000 : 50_000;

  it(`streams ${total.toLocaleString('en')} events in constant memory`, { timeout: 300_000 }, async () => {
    const org = await createOrg(server, 'alog-big');
    const token = await mintToken(server, org, 'admin');
    const started = performance.now();
    // INSERT … SELECT generate_series, the chain trigger numbering every row. In transactions of
    // 500: every row updates the chain head, and within one transaction those row versions pile up
    // (nothing can prune them before it commits), which makes one huge insert quadratic.
    for (let from = 1; from <= total; from += 500) {
      await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
        tx.execute(sql`insert into audit_events (org_id, actor_type, actor_id, action, target_type, target_id, outcome, reason, diff)
          select ${org.orgId}::uuid, 'system', 'bulk@test', 'project.updated', 'project', 'p-' || g, 'success', repeat('r', 200),
            jsonb_build_object('n', g, 'padding', repeat('x', 100))
          from generate_series(${from}::int, ${Math.min(from + 499, total)}::int) g`),
      );
    }
    const insertMs = performance.now() - started;

    const gc = collector();
    gc();
    const baseline = process.memoryUsage();
    let peakHeap = 0;
    let peakArrayBuffers = 0;
    const sample = () => {
      gc();
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed - baseline.heapUsed);
      peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers - baseline.arrayBuffers);
    };
    // A fresh connection (agent: false): PGlite runs on this thread and blocked it while inserting,
    // so a pooled keep-alive socket may have been closed by the server unnoticed.
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(
        `${server.apiUrl}/api/orgs/${org.orgId}/audit/export?format=jsonl&action=project.updated`,
        { agent: false, headers: { authorization: `Bearer ${token}` } },
        resolve,
      ).on('error', reject),
    );
    expect(response.statusCode).toBe(200);
    let bytes = 0;
    let lines = 0;
    let nextSample = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 0x0a) lines++;
      if (lines >= nextSample) {
        sample();
        nextSample += total / 20;
      }
    }
    sample();
    expect(lines).toBe(total);
    // The file is tens of megabytes; what stays in memory while it streams (sampled after a
    // collection, so garbage does not count) is the few batches in flight: a small constant.
    const exportMb = bytes / 2 ** 20;
    const report = `export ${exportMb.toFixed(1)} MB, insert ${Math.round(insertMs)} ms, peak heap +${(peakHeap / 2 ** 20).toFixed(1)} MB, array buffers +${(peakArrayBuffers / 2 ** 20).toFixed(1)} MB`;
    console.info(report);
    expect(bytes, report).toBeGreaterThan(total * 400);
    expect(peakHeap, report).toBeLessThan(bytes / 4);
    // Socket and stream buffers in flight measured 8.4 MB of a 33 MB export once (a quarter is too
    // tight a bound for them); an export held whole would need all of it.
    expect(peakArrayBuffers, report).toBeLessThan(bytes / 2);
  });
});

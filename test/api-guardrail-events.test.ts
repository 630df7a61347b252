/**
 * Guardrail events through the management api: listing (tenant- and project-scoped, filtered,
 * paged by cursor), counts by detector, category, action and direction, permissions and refusals.
 * Events are written as the gateway writes them: as portcullis_gateway under RLS.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardrailEvents } from '../src/db/schema/index.js';
import { apiClient, createOrg, mintToken, type ApiClient, type IssuedKeyBody, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

type EventView = {
  id: string;
  projectId: string | null;
  apiKeyId: string | null;
  requestId: string;
  direction: 'input' | 'output';
  detector: string;
  rule: string;
  category: string | null;
  action: string;
  location: string;
  start: number;
  end: number;
  valueHash: string;
  createdAt: string;
};
type EventList = { events: EventView[]; nextCursor: string | null };
type Counts = { counts: { detector: string; category: string | null; action: string; direction: string; count: number }[] };
type Seed = Omit<typeof guardrailEvents.$inferInsert, 'orgId'> & { id: string };

let server: TestServer;
let orgA: TestOrg;
let orgB: TestOrg;
let admin: ApiClient;
let developer: ApiClient;
let viewer: ApiClient;
let otherOrgAdmin: ApiClient;
let restricted: ApiClient;
const keys = { k1: '', k2: '', k3: '' };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const seeds: { a: Seed[]; b: Seed[] } = { a: [], b: [] };

function seed(projectId: string, apiKeyId: string, requestId: string, minutes: number, fields: Partial<Seed>): Seed {
  return {
    id: randomUUID(),
    projectId,
    apiKeyId,
    requestId,
    direction: 'input',
    detector: 'pii',
    findingType: 'EMAIL',
    category: 'EMAIL',
    action: 'redact',
    location: 'messages[0].content',
    startOffset: 3,
    endOffset: 18,
    valueHash: randomUUID().replace(/-/g, '').repeat(2),
    createdAt: at(minutes),
    ...fields,
  };
}

async function write(orgId: string, rows: Seed[]): Promise<void> {
  await server.runtime.gatewayDb.withTenant(orgId, (tx) => tx.insert(guardrailEvents).values(rows.map((row) => ({ ...row, orgId }))));
}

const eventsPath = (org: TestOrg, query = '') => `/api/orgs/${org.orgId}/guardrails/events${query ? `?${query}` : ''}`;
const summaryPath = (org: TestOrg, query = '') => `/api/orgs/${org.orgId}/guardrails/events/summary${query ? `?${query}` : ''}`;
const ids = (list: EventList) => list.events.map((event) => event.id);
/** Newest first, ties by id descending: the order the api pages in. */
const newestFirst = (rows: Seed[]) =>
  [...rows].sort((x, y) => y.createdAt!.getTime() - x.createdAt!.getTime() || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0)).map((r) => r.id);

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
  orgA = await createOrg(server, 'gev');
  orgB = await createOrg(server, 'gev');
  admin = apiClient(server, await mintToken(server, orgA, 'admin'));
  developer = apiClient(server, await mintToken(server, orgA, 'developer'));
  viewer = apiClient(server, await mintToken(server, orgA, 'viewer'));
  otherOrgAdmin = apiClient(server, await mintToken(server, orgB, 'admin'));

  // A signed-in developer limited to the `app` project.
  const user = await createPasswordUser(server, { org: { name: orgA.orgName, role: 'developer' } });
  const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
  restricted = sessionApiClient(server, session.cookie!, ORIGIN);
  const list = await admin.get<{ members: { id: string; userId: string }[] }>(`/api/orgs/${orgA.orgId}/members`);
  const memberId = list.body.members.find((m) => m.userId === user.id)!.id;
  const limited = await admin.patch(`/api/orgs/${orgA.orgId}/members/${memberId}`, { projectIds: [orgA.projectId] });
  expect(limited.status, limited.text).toBe(200);

  const app = orgA.projectId;
  const sandbox = orgA.testProjectId;
  const newKey = async (projectId: string, name: string) => {
    const issued = await admin.post<IssuedKeyBody>(`/api/orgs/${orgA.orgId}/projects/${projectId}/api-keys`, { name });
    expect(issued.status, issued.text).toBe(201);
    return issued.body.apiKey.id;
  };
  keys.k1 = await newKey(app, 'k1');
  keys.k2 = await newKey(app, 'k2');
  keys.k3 = await newKey(sandbox, 'k3');
  seeds.a = [
    seed(app, keys.k1, 'req-1', 1, {}),
    // Same instant as the one above: the cursor must break the tie by id.
    seed(app, keys.k1, 'req-1', 1, { findingType: 'PHONE', category: 'PHONE', action: 'log' }),
    seed(app, keys.k1, 'req-2', 2, {
      direction: 'output',
      detector: 'secret',
      findingType: 'github-pat',
      category: 'secret',
      action: 'block',
      location: 'output',
    }),
    seed(app, keys.k2, 'req-3', 3, {
      detector: 'injection',
      findingType: 'INSTRUCTION_HIJACKING',
      category: 'INSTRUCTION_HIJACKING',
      action: 'log',
    }),
    seed(app, keys.k2, 'req-3', 3, {}),
    seed(sandbox, keys.k3, 'req-4', 2, {}),
    seed(sandbox, keys.k3, 'req-4', 4, {
      direction: 'output',
      detector: 'custom',
      findingType: 'codename',
      category: 'custom',
      action: 'block',
    }),
    seed(sandbox, keys.k3, 'req-5', 5, {}),
  ];
  seeds.b = [
    seed(orgB.projectId, randomUUID(), 'req-1', 1, {}),
    seed(orgB.projectId, randomUUID(), 'req-9', 6, { direction: 'output', detector: 'secret', category: 'secret', action: 'block' }),
  ];
  await write(orgA.orgId, seeds.a);
  await write(orgB.orgId, seeds.b);
}, 60_000);
afterAll(async () => server?.stop());

describe('listing guardrail events', () => {
  it('returns only the caller’s org events, newest first, with every field and no value', async () => {
    const list = await developer.get<EventList>(eventsPath(orgA));
    expect(list.status, list.text).toBe(200);
    expect(ids(list.body)).toEqual(newestFirst(seeds.a));
    expect(list.body.nextCursor).toBeNull();
    const secret = seeds.a[2]!;
    expect(list.body.events.find((event) => event.id === secret.id)).toEqual({
      id: secret.id,
      projectId: orgA.projectId,
      apiKeyId: keys.k1,
      requestId: 'req-2',
      direction: 'output',
      detector: 'secret',
      rule: 'github-pat',
      category: 'secret',
      action: 'block',
      location: 'output',
      start: 3,
      end: 18,
      valueHash: secret.valueHash,
      createdAt: iso(2),
    });

    const other = await otherOrgAdmin.get<EventList>(eventsPath(orgB));
    expect(ids(other.body)).toEqual(newestFirst(seeds.b));
    // Another org's path is 404, as for every org the caller is not in.
    expect((await otherOrgAdmin.get(eventsPath(orgA))).status).toBe(404);
  });

  it('filters by project, key, request, detector, action, direction and time window (combined with AND)', async () => {
    const byFilter = async (query: string) => {
      const list = await admin.get<EventList>(eventsPath(orgA, query));
      expect(list.status, `${query}: ${list.text}`).toBe(200);
      return [...ids(list.body)].sort();
    };
    const expected = (match: (row: Seed) => boolean) =>
      seeds.a
        .filter(match)
        .map((row) => row.id)
        .sort();
    expect(await byFilter(`projectId=${orgA.testProjectId}`)).toEqual(expected((r) => r.projectId === orgA.testProjectId));
    expect(await byFilter(`apiKeyId=${keys.k1}`)).toEqual(expected((r) => r.apiKeyId === keys.k1));
    expect(await byFilter('requestId=req-3')).toEqual(expected((r) => r.requestId === 'req-3'));
    expect(await byFilter('detector=pii')).toEqual(expected((r) => r.detector === 'pii'));
    expect(await byFilter('action=block')).toEqual(expected((r) => r.action === 'block'));
    expect(await byFilter('direction=output')).toEqual(expected((r) => r.direction === 'output'));
    // since inclusive, until exclusive.
    expect(await byFilter(`since=${iso(2)}&until=${iso(4)}`)).toEqual(
      expected((r) => r.createdAt!.getTime() >= at(2).getTime() && r.createdAt!.getTime() < at(4).getTime()),
    );
    expect(await byFilter(`detector=pii&projectId=${orgA.projectId}&direction=input`)).toEqual(
      expected((r) => r.detector === 'pii' && r.projectId === orgA.projectId && r.direction === 'input'),
    );
    expect(await byFilter('requestId=req-9')).toEqual([]); // org B's request
    // Request ids are not unique across orgs (a client may choose its own): only the caller's match.
    expect(await byFilter('requestId=req-1')).toEqual(expected((r) => r.requestId === 'req-1'));
  });

  it('answers 404 for a project or API key the caller cannot see, whether another org’s or none at all', async () => {
    const otherKey = (await otherOrgAdmin.post<IssuedKeyBody>(`/api/orgs/${orgB.orgId}/projects/${orgB.projectId}/api-keys`, { name: 'b' }))
      .body.apiKey.id;
    for (const [query, code] of [
      [`projectId=${orgB.projectId}`, 'project_not_found'],
      [`projectId=${randomUUID()}`, 'project_not_found'],
      [`apiKeyId=${otherKey}`, 'api_key_not_found'],
      [`apiKeyId=${randomUUID()}`, 'api_key_not_found'],
    ] as const) {
      for (const path of [eventsPath(orgA, query), summaryPath(orgA, query)]) {
        if (path.includes('summary') && query.startsWith('apiKeyId')) continue; // the summary has no key filter
        const response = await admin.get(path);
        expect(response.status, path).toBe(404);
        expect(response.error?.code, path).toBe(code);
      }
    }
  });

  it('pages with an opaque cursor: every event once, in order, ties broken by id, filters kept', async () => {
    for (const limit of [1, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `limit=${limit}${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`;
        const page: { status: number; body: EventList; text: string } = await admin.get<EventList>(eventsPath(orgA, query));
        expect(page.status, page.text).toBe(200);
        expect(page.body.events.length).toBeLessThanOrEqual(limit);
        seen.push(...ids(page.body));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(seen).toEqual(newestFirst(seeds.a));
      expect(pages).toBe(Math.ceil(seeds.a.length / limit));
    }
    const first = await admin.get<EventList>(eventsPath(orgA, 'detector=pii&limit=2'));
    expect(first.body.nextCursor).not.toBeNull();
    const second = await admin.get<EventList>(eventsPath(orgA, `detector=pii&limit=2&before=${first.body.nextCursor!}`));
    const pii = newestFirst(seeds.a.filter((row) => row.detector === 'pii'));
    expect([...ids(first.body), ...ids(second.body)]).toEqual(pii.slice(0, 4));
  });

  it('shows a member limited to some projects only those projects’ events; another project is 404', async () => {
    const own = await restricted.get<EventList>(eventsPath(orgA));
    expect(own.status, own.text).toBe(200);
    expect(ids(own.body)).toEqual(newestFirst(seeds.a.filter((row) => row.projectId === orgA.projectId)));
    expect(ids((await restricted.get<EventList>(eventsPath(orgA, `projectId=${orgA.projectId}`))).body)).toEqual(ids(own.body));
    const elsewhere = await restricted.get(eventsPath(orgA, `projectId=${orgA.testProjectId}`));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.error?.code).toBe('project_not_found');
    expect(ids((await restricted.get<EventList>(eventsPath(orgA, `requestId=req-4`))).body)).toEqual([]);
    // A key of a project outside theirs is as unknown as the project.
    expect((await restricted.get(eventsPath(orgA, `apiKeyId=${keys.k3}`))).status).toBe(404);
    expect(ids((await restricted.get<EventList>(eventsPath(orgA, `apiKeyId=${keys.k1}`))).body)).toHaveLength(3);
    const counts = await restricted.get<Counts>(summaryPath(orgA));
    expect(counts.body.counts.reduce((sum, row) => sum + row.count, 0)).toBe(5);
    expect((await restricted.get(summaryPath(orgA, `projectId=${orgA.testProjectId}`))).status).toBe(404);
  });

  it('is refused to a viewer (no guardrails:read)', async () => {
    for (const path of [eventsPath(orgA), summaryPath(orgA)]) {
      const response = await viewer.get(path);
      expect(response.status).toBe(403);
      expect(response.error?.code).toBe('permission_denied');
    }
  });

  it('answers 400 to a query it cannot use, naming the parameter', async () => {
    const bad = [
      'limit=0',
      'limit=1001',
      'limit=ten',
      'limit=2.5',
      'detector=regex',
      'action=explode',
      'direction=sideways',
      'since=yesterday',
      'until=2026-01-01',
      `since=${iso(5)}&until=${iso(1)}`,
      'projectId=not-a-uuid',
      'apiKeyId=42',
      'before=not-a-cursor',
      `before=${Buffer.from(JSON.stringify({ t: 'x', i: 'y' })).toString('base64url')}`,
      'detectr=pii',
    ];
    for (const query of bad) {
      const response = await admin.get(eventsPath(orgA, query));
      expect(response.status, query).toBe(400);
      expect(response.error?.code, query).toBe('validation_error');
    }
    expect((await admin.get(eventsPath(orgA, 'limit=1000'))).status).toBe(200);
    for (const query of ['detector=pii', `since=${iso(5)}&until=${iso(1)}`, 'projectId=x']) {
      expect((await admin.get(summaryPath(orgA, query))).status, query).toBe(400);
    }
  });
});

describe('guardrail event summary', () => {
  it('counts events by detector, category, action and direction, largest first, within the window and project', async () => {
    const all = await developer.get<Counts>(summaryPath(orgA));
    expect(all.status, all.text).toBe(200);
    expect(all.body.counts[0]).toEqual({ detector: 'pii', category: 'EMAIL', action: 'redact', direction: 'input', count: 4 });
    expect(all.body.counts).toHaveLength(5);
    expect(all.body.counts).toEqual(
      expect.arrayContaining([
        { detector: 'pii', category: 'PHONE', action: 'log', direction: 'input', count: 1 },
        { detector: 'secret', category: 'secret', action: 'block', direction: 'output', count: 1 },
        { detector: 'injection', category: 'INSTRUCTION_HIJACKING', action: 'log', direction: 'input', count: 1 },
        { detector: 'custom', category: 'custom', action: 'block', direction: 'output', count: 1 },
      ]),
    );

    const narrowed = await developer.get<Counts>(summaryPath(orgA, `projectId=${orgA.projectId}&since=${iso(2)}&until=${iso(10)}`));
    expect(narrowed.body.counts).toHaveLength(3);
    expect(narrowed.body.counts).toEqual(
      expect.arrayContaining([
        { detector: 'pii', category: 'EMAIL', action: 'redact', direction: 'input', count: 1 },
        { detector: 'secret', category: 'secret', action: 'block', direction: 'output', count: 1 },
        { detector: 'injection', category: 'INSTRUCTION_HIJACKING', action: 'log', direction: 'input', count: 1 },
      ]),
    );
    expect((await developer.get<Counts>(summaryPath(orgA, `since=${iso(100)}`))).body.counts).toEqual([]);
    // Org B's counts are its own.
    const other = await otherOrgAdmin.get<Counts>(summaryPath(orgB));
    expect(other.body.counts.reduce((sum, row) => sum + row.count, 0)).toBe(2);
  });
});

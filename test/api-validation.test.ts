/**
 * Malformed input is refused with a 4xx that names the offending fields and never repeats what was
 * sent (bodies routinely carry credentials); nothing is created by a refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createOrg, mintToken, type ApiClient, type IssuedKeyBody, type KeyListBody, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let api: ApiClient;
let keyId: string;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'valid');
  api = apiClient(server, await mintToken(server, org, 'owner'));
  keyId = (await api.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, { name: 'existing' })).body.apiKey.id;
});
afterAll(async () => server?.stop());

const keysPath = () => `/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`;

async function expect400(
  promise: Promise<{ status: number; error?: { message: string; code: string }; text: string }>,
  fields: RegExp,
  never: string[] = [],
) {
  const response = await promise;
  expect(response.status, response.text).toBe(400);
  expect(response.error?.message).toMatch(fields);
  for (const value of never) expect(response.text).not.toContain(value);
  return response;
}

describe('input validation', () => {
  it('refuses a body that is not JSON (400) or not declared as JSON (415)', async () => {
    const broken = await api.call('POST', keysPath(), '{"name": ');
    expect(broken.status).toBe(400);
    expect(broken.error?.code).toBe('invalid_json');
    const text = await api.call('POST', keysPath(), JSON.stringify({ name: 'plain' }), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const none = await api.call('POST', keysPath(), undefined);
    expect(none.status).toBe(415);
  });

  it('names missing, unknown and mistyped fields, without echoing their values', async () => {
    await expect400(api.post(keysPath(), {}), /name: is required/);
    await expect400(api.post(keysPath(), { name: 'x', scopes: ['sk-live-0123456789abcdef'] }), /scopes: is not an accepted field/, [
      'sk-live-0123456789abcdef',
    ]);
    await expect400(api.post(keysPath(), { name: 'x', expiresAt: 'sk-proj-SECRETVALUE123456' }), /expiresAt: must be a valid datetime/, [
      'SECRETVALUE',
    ]);
    await expect400(api.post(keysPath(), { name: 'x', expiresAt: '2001-01-01T00:00:00Z' }), /expiresAt: must be in the future/);
    await expect400(api.post(keysPath(), { name: 'x', allowedModels: [] }), /allowedModels: must have at least 1 item/);
    await expect400(
      api.post(keysPath(), { name: 'x', limits: { usage: [{ metric: 'dollars', period: 'weekly', limit: -1 }] } }),
      /limits\.usage\[0\]\.metric.*limits\.usage\[0\]\.period.*limits\.usage\[0\]\.limit/,
    );
    const list = await api.get<KeyListBody>(keysPath());
    expect(list.body.apiKeys.map((k) => k.name)).toEqual(['existing']);
  });

  it('validates IP allowlists strictly, and refuses an entry that allows every address', async () => {
    const cases: [string, RegExp][] = [
      ['0.0.0.0/0', /ipAllowlist\[0\]: allows every address/],
      ['::/0', /ipAllowlist\[0\]: allows every address/],
      ['10.1.2.3/8', /ipAllowlist\[0\]: has bits set beyond its prefix length/],
      ['not-an-address', /ipAllowlist\[0\]: must be an IPv4 or IPv6 address or CIDR range/],
      ['010.0.0.1', /ipAllowlist\[0\]: must be an IPv4 or IPv6 address/],
      ['10.0.0.0/33', /ipAllowlist\[0\]: has an invalid prefix length/],
      ['fe80::1%eth0', /ipAllowlist\[0\]: must be an IPv4 or IPv6 address/],
    ];
    for (const [entry, message] of cases) {
      await expect400(api.post(keysPath(), { name: 'ip', ipAllowlist: [entry] }), message, [entry]);
    }
    const ok = await api.post<IssuedKeyBody>(keysPath(), {
      name: 'ip-ok',
      ipAllowlist: ['192.168.1.7', '2001:DB8:0:0::/64', '::ffff:10.0.0.0/104', '192.168.1.7/32'],
    });
    expect(ok.status, ok.text).toBe(201);
    // Canonical `address/prefix`, mapped IPv4 stored as IPv4, duplicates dropped.
    expect(ok.body.apiKey.ipAllowlist).toEqual(['192.168.1.7/32', '2001:db8::/64', '10.0.0.0/8']);
  });

  it('checks rotation grace, path ids, usage queries and token roles', async () => {
    const rotate = `/api/orgs/${org.orgId}/api-keys/${keyId}/rotate`;
    await expect400(api.post(rotate, {}), /gracePeriodSeconds: is required/);
    await expect400(api.post(rotate, { gracePeriodSeconds: 604_801 }), /gracePeriodSeconds: must be <= 604800/);
    await expect400(api.post(rotate, { gracePeriodSeconds: -1 }), /gracePeriodSeconds: must be >= 0/);
    await expect400(api.post(rotate, { gracePeriodSeconds: 1.5 }), /gracePeriodSeconds/);
    await expect400(api.get(`/api/orgs/${org.orgId}/api-keys/not-a-uuid`), /keyId: must be a valid uuid/, ['not-a-uuid']);
    await expect400(api.get(`/api/orgs/${org.orgId}/usage?scope=project`), /id: is required for this scope/);
    await expect400(api.get(`/api/orgs/${org.orgId}/usage?period=weekly`), /period: must be one of/, ['weekly']);
    await expect400(
      api.post(`/api/orgs/${org.orgId}/admin-tokens`, { name: 't', role: 'root' }),
      /role: must be one of "owner", "admin", "developer", "viewer"/,
    );
    await expect400(api.put(`/api/orgs/${org.orgId}/limits`, { rate: { requestsPerMinute: 0 } }), /rate\.requestsPerMinute: must be >= 1/);
  });

  it('refuses a PATCH that sets a field it does not accept', async () => {
    await expect400(api.patch(`/api/orgs/${org.orgId}/api-keys/${keyId}`, { kind: 'test' }), /kind: is not an accepted field/);
    await expect400(api.patch(`/api/orgs/${org.orgId}/api-keys/${keyId}`, { secretHash: 'x' }), /secretHash: is not an accepted field/);
  });
});

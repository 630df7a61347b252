/** Guardrail policies through the management api: defaults, replace (versioned, audited, If-Match), project overrides, refusals, and "try it" (project and org). */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;
let admin: ApiClient;
let developer: ApiClient;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'guard');
  admin = apiClient(server, await mintToken(server, org, 'admin'));
  developer = apiClient(server, await mintToken(server, org, 'developer'));
}, 60_000);
afterAll(async () => server?.stop());

type PolicyBody = { policy: Record<string, unknown>; version: number };
type TryBody = { blocked: { detector: string; type: string } | null; text: string | null; findings: { type: string; action: string }[] };

const auditCount = async (orgId: string) =>
  (
    await queryRows<{ n: number }>(
      server.runtime.database.db,
      sql`select count(*)::int as n from audit_events where org_id = ${orgId} and action = 'guardrail_policy.changed'`,
    )
  )[0]!.n;

// Built at run time so that no scanner mistakes this file for a leak.
const SSN = ['123', '45', '6780'].join('-');
const GITLAB_TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';

describe('org guardrail policy', () => {
  it('starts at the defaults (version 0), and is replaced as a whole, versioned and audited once per change', async () => {
    const initial = await developer.get<PolicyBody>(`/api/orgs/${org.orgId}/guardrails`);
    expect(initial.status).toBe(200);
    expect(initial.body.version).toBe(0);
    expect(initial.body.policy).toMatchObject({ secrets: { enabled: true, input: 'block', output: 'redact' }, customRules: [] });

    const policy = {
      pii: { actions: { EMAIL: 'redact' } },
      customRules: [{ name: 'codename', kind: 'keywords', terms: ['bluebird'], action: 'block' }],
    };
    const before = await auditCount(org.orgId);
    const saved = await admin.put<PolicyBody>(`/api/orgs/${org.orgId}/guardrails`, policy);
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(1);
    expect(saved.body.policy).toMatchObject({ pii: { actions: { EMAIL: 'redact' } }, injection: { action: 'log' } });
    expect((await admin.put<PolicyBody>(`/api/orgs/${org.orgId}/guardrails`, policy)).body.version).toBe(1);
    expect(await auditCount(org.orgId)).toBe(before + 1);
    expect((await developer.get<PolicyBody>(`/api/orgs/${org.orgId}/guardrails`)).body.version).toBe(1);
    // Writing is for admins.
    expect((await developer.put(`/api/orgs/${org.orgId}/guardrails`, policy)).status).toBe(403);
  });

  it('refuses a custom rule RE2 cannot run (naming it), duplicate rule names, unknown fields and actions', async () => {
    const path = `/api/orgs/${org.orgId}/guardrails`;
    const backreference = await admin.put(path, { customRules: [{ name: 'twice', kind: 'regex', pattern: '(a)\\1', action: 'flag' }] });
    expect(backreference.status).toBe(400);
    expect(backreference.error?.code).toBe('invalid_custom_rule');
    expect(backreference.error?.message).toMatch(/^Custom rule twice: .*no backreferences or lookaround/);
    const rule = { name: 'dup', kind: 'keywords', terms: ['x1'], action: 'flag' };
    expect((await admin.put(path, { customRules: [rule, rule] })).status).toBe(400);
    expect((await admin.put(path, { pii: { actions: { EMAIL: 'explode' } } })).status).toBe(400);
    expect((await admin.put(path, { pii: { minConfidence: 1.5 } })).status).toBe(400);
    expect((await admin.put(path, { guardrails: true })).status).toBe(400);
    expect((await developer.get<PolicyBody>(path)).body.version).toBe(1);
  });
});

describe('project overrides and try', () => {
  it('overrides the org policy per field, shows the effective policy, and goes away with DELETE', async () => {
    const path = `/api/orgs/${org.orgId}/projects/${org.projectId}/guardrails`;
    const none = await developer.get<{ override: unknown; version: number; effective: { pii: { actions: Record<string, string> } } }>(path);
    expect(none.body.override).toBeNull();
    const saved = await admin.put<{ override: unknown; version: number }>(path, { pii: { actions: { SSN: 'mask' } } });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(1);
    const effective = await developer.get<{ effective: { pii: { actions: Record<string, string> } } }>(path);
    expect(effective.body.effective.pii.actions).toEqual({ EMAIL: 'redact', SSN: 'mask' });

    const tried = await developer.post<TryBody>(`${path}/try`, { text: `Write to ann@example.com about SSN ${SSN}.` });
    expect(tried.status).toBe(200);
    expect(tried.body).toMatchObject({ blocked: null, text: 'Write to [EMAIL_1] about SSN *******6780.' });
    expect(tried.body.findings.map((f) => [f.type, f.action])).toEqual([
      ['EMAIL', 'redact'],
      ['SSN', 'mask'],
    ]);

    // a minimum confidence of its own: a phone number in an unassigned area code (0.8) is only logged
    await admin.put(path, { pii: { actions: { SSN: 'mask', PHONE: 'redact' }, minConfidence: 0.9 } });
    const sure = await developer.post<TryBody>(`${path}/try`, { text: 'Call 123-456-7890 or call 212-555-0147.' });
    expect(sure.body.text).toBe('Call 123-456-7890 or call [PHONE_1].');
    expect(sure.body.findings.map((f) => [f.type, f.action])).toEqual([
      ['PHONE', 'log'],
      ['PHONE', 'redact'],
    ]);

    expect((await admin.delete(path)).status).toBe(204);
    expect((await admin.delete(path)).status).toBe(404);
    expect((await developer.get<{ override: unknown }>(path)).body.override).toBeNull();
  });

  it('says what would be blocked without echoing it, tries a draft, and refuses an unknown project', async () => {
    const path = `/api/orgs/${org.orgId}/projects/${org.projectId}/guardrails/try`;
    const secret = await developer.post<TryBody>(path, { text: `deploy with token = "${GITLAB_TOKEN}"` });
    expect(secret.body.blocked).toMatchObject({ detector: 'secret', type: 'gitlab-token' });
    expect(secret.body.text).toBeNull();
    expect(secret.text).not.toContain(GITLAB_TOKEN);
    const custom = await developer.post<TryBody>(path, { text: 'Project Bluebird' });
    expect(custom.body.blocked).toMatchObject({ detector: 'custom', type: 'codename' });
    const draft = await developer.post<TryBody>(path, { text: 'Project Bluebird', policy: { customRules: [] } });
    expect(draft.body).toMatchObject({ blocked: null, text: 'Project Bluebird' });
    const unknown = await developer.post(`/api/orgs/${org.orgId}/projects/00000000-0000-4000-8000-000000000000/guardrails/try`, {
      text: 'x',
    });
    expect(unknown.status).toBe(404);
    expect((await developer.post(path, { text: 'x', direction: 'sideways' })).status).toBe(400);
  });
});

describe('lost updates and the org-level try', () => {
  it('refuses a write whose If-Match names an older version (409), and accepts the current one', async () => {
    const path = `/api/orgs/${org.orgId}/guardrails`;
    const read = await admin.get<PolicyBody>(path);
    expect(read.headers.get('etag')).toBe(`"${read.body.version}"`);
    const stale = String(read.body.version - 1);
    const refused = await admin.call('PUT', path, { pii: { actions: { EMAIL: 'mask' } } }, { 'if-match': `"${stale}"` });
    expect(refused.status).toBe(409);
    expect(refused.error?.code).toBe('version_conflict');
    expect((await admin.get<PolicyBody>(path)).body.version).toBe(read.body.version);
    const saved = await admin.call<PolicyBody>(
      'PUT',
      path,
      { pii: { actions: { EMAIL: 'mask' } } },
      { 'if-match': `"${read.body.version}"` },
    );
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(read.body.version + 1);

    const project = `/api/orgs/${org.orgId}/projects/${org.testProjectId}/guardrails`;
    // No override yet is version 0; a writer that read "none" loses to one that created it meanwhile.
    expect((await admin.call('PUT', project, { secrets: { input: 'log' } }, { 'if-match': '0' })).status).toBe(200);
    expect((await admin.call('PUT', project, { secrets: { input: 'mask' } }, { 'if-match': '0' })).status).toBe(409);
    expect((await admin.call('DELETE', project, undefined, { 'if-match': '0' })).status).toBe(409);
    expect((await admin.call('DELETE', project, undefined, { 'if-match': '1' })).status).toBe(204);
  });

  it('tries a draft org policy without a project, and never echoes a blocked value', async () => {
    const path = `/api/orgs/${org.orgId}/guardrails/try`;
    const draft = { customRules: [{ name: 'codename', kind: 'blocklist', terms: ['nightjar'], action: 'block', scope: 'input' }] };
    const blocked = await developer.post<TryBody>(path, { text: 'Project NIGHTJAR launch', policy: draft });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ blocked: { detector: 'custom', type: 'codename' }, text: null });
    expect(blocked.text.toLowerCase()).not.toContain('nightjar');
    const output = await developer.post<TryBody>(path, { text: 'Project nightjar', direction: 'output', policy: draft });
    expect(output.body).toMatchObject({ blocked: null, text: 'Project nightjar', findings: [] });
    const invalid = await developer.post(path, {
      text: 'x',
      policy: { customRules: [{ name: 'ahead', kind: 'regex', pattern: 'a(?=b)', action: 'flag' }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.error?.code).toBe('invalid_custom_rule');
  });
});

/**
 * Security alerts (issue 8), through the real routes and flows: the rules api (validation, roles,
 * tenancy, audit), and each rule end to end — failed sign-ins, a guardrail block burst, an API key
 * from a new network, an admin grant — reaching a signed webhook on loopback and the SMTP sink.
 * Runs embedded (PGlite + memory store) and on PostgreSQL + Redis (TEST_DATABASE_URL/TEST_REDIS_URL).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createOrg, eventually, mintToken, nextBusEvent, type ApiClient, type TestOrg } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { CSRF, createPasswordUser, signIn } from './support/sessions.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';

const ORIGIN = 'https://portcullis.example.test';
// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';

type Delivery = {
  signature: string;
  raw: string;
  payload: { type: string; id: string; org_id: string; rule: string; details: Record<string, unknown> };
};

/** A webhook receiver on loopback that keeps every POST (raw body and signature header). */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      deliveries.push({
        signature: String(req.headers['x-portcullis-signature'] ?? ''),
        raw,
        payload: JSON.parse(raw) as Delivery['payload'],
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, deliveries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** What a receiver does: HMAC over "<t>.<raw body>" with the secret, compared in constant time. */
function signatureValid(secret: string, delivery: Delivery): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery.signature);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${delivery.raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex')) && Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

let fx: GatewayFixture;
let smtp: FakeSmtp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let org: TestOrg;
let admin: ApiClient;
let webhookSecret: string;

const path = () => `/api/orgs/${fx.orgId}/security-alerts`;
const byRule = (rule: string) => receiver.deliveries.filter((d) => d.payload.rule === rule && d.payload.org_id === fx.orgId);
/** The first delivery of this rule, once it has arrived. */
const alertFor = (rule: string) => eventually(() => Promise.resolve(byRule(rule)[0]));

/**
 * PUT the whole configuration; for the gateway's rules, wait until its cached org context has been
 * told (a hop over Redis). The api reads the settings when a signal comes.
 */
async function configure(body: Record<string, unknown>, options: { gateway?: boolean } = {}): Promise<{ webhookSecret: string | null }> {
  const told = options.gateway ? nextBusEvent(fx.server, (event) => event.type === 'org.changed' && event.orgId === fx.orgId) : undefined;
  told?.catch(() => undefined);
  const response = await admin.put<{ webhookSecret: string | null }>(path(), {
    webhookUrl: receiver.url,
    emails: ['sec@alerts.example.test'],
    ...body,
  });
  expect(response.status, response.text).toBe(200);
  if (told) await told;
  return response.body;
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  receiver = await startReceiver();
  fx = await startGatewayFixture({ withApi: true, env: { TRUST_PROXY: 'loopback', SMTP_URL: smtp.url, PUBLIC_URL: ORIGIN } });
  org = { orgId: fx.orgId, orgName: fx.orgName, projectId: '', testProjectId: '', memberId: '' };
  admin = apiClient(fx.server, await mintToken(fx.server, org, 'admin'));
}, 120_000);
afterAll(async () => {
  await fx?.stop();
  await receiver?.close();
  await smtp?.stop();
});

describe('the rules api', () => {
  it('serves the defaults: every rule on, no destination', async () => {
    const response = await admin.get<Record<string, unknown>>(path());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      webhookUrl: null,
      emails: [],
      rules: {
        failedLogins: { enabled: true, threshold: 5, windowSeconds: 600 },
        guardrailBlockBurst: { enabled: true, threshold: 20, windowSeconds: 300 },
        newApiKeyNetwork: { enabled: true },
        adminGranted: { enabled: true },
      },
      webhookSecretSet: false,
    });
  });

  it('refuses a bad URL, a bad threshold, too many emails and unknown fields with 400', async () => {
    for (const body of [
      { webhookUrl: 'ftp://example.test/x' },
      { webhookUrl: 'not a url' },
      { rules: { failedLogins: { threshold: 0 } } },
      { rules: { guardrailBlockBurst: { windowSeconds: 1 } } },
      { emails: Array.from({ length: 11 }, (_, i) => `a${i}@example.test`) },
      { emails: ['not-an-address'] },
      { surprise: true },
    ]) {
      const response = await admin.put(path(), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('is for admins: a developer may neither read nor change it (403)', async () => {
    const developer = apiClient(fx.server, await mintToken(fx.server, org, 'developer'));
    expect((await developer.get(path())).status).toBe(403);
    expect((await developer.put(path(), {})).status).toBe(403);
  });

  it('answers 404 for another org, exactly like for an org that does not exist', async () => {
    const other = await createOrg(fx.server, 'alerts-other');
    const otherAdmin = apiClient(fx.server, await mintToken(fx.server, other, 'admin'));
    expect((await otherAdmin.get(path())).status).toBe(404);
    expect((await otherAdmin.put(path(), {})).status).toBe(404);
  });

  it('stores a change, returns the new webhook secret once, and audits it with the diff', async () => {
    const body = await configure({ rules: { failedLogins: { threshold: 5, windowSeconds: 600 } } });
    expect(body.webhookSecret).toMatch(/^whsec_/);
    webhookSecret = body.webhookSecret!;
    const read = await admin.get<{ webhookUrl: string; webhookSecretSet: boolean }>(path());
    expect(read.body).toMatchObject({ webhookUrl: receiver.url, webhookSecretSet: true });
    expect(read.text).not.toContain(webhookSecret);
    // The same configuration again: no new secret, no change, nothing audited.
    const again = await admin.put<{ webhookSecret: string | null }>(path(), {
      webhookUrl: receiver.url,
      emails: ['sec@alerts.example.test'],
      rules: { failedLogins: { threshold: 5, windowSeconds: 600 } },
    });
    expect(again.status).toBe(200);
    expect(again.body.webhookSecret).toBeNull();
    const events = await admin.get<{
      events: { action: string; diff: { from: { webhookUrl: string | null }; to: { webhookUrl: string } } }[];
    }>(`/api/orgs/${fx.orgId}/audit/events?action=security_alerts.changed`);
    expect(events.status).toBe(200);
    expect(events.body.events).toHaveLength(1);
    const first = events.body.events.at(-1)!;
    expect(first.diff.from.webhookUrl).toBeNull();
    expect(first.diff.to.webhookUrl).toBe(receiver.url);
    expect(JSON.stringify(events.body)).not.toContain(webhookSecret);
  });
});

describe('rules end to end', () => {
  it('N failed sign-ins of a member send exactly one signed webhook and one email; N-1 send none', async () => {
    await configure({ rules: { failedLogins: { threshold: 5, windowSeconds: 600 }, newApiKeyNetwork: { enabled: false } } });
    const user = await createPasswordUser(fx.server, { org: { name: fx.orgName, role: 'developer' } });
    const headers = { 'x-forwarded-for': '198.18.7.9' };
    const fail = async () =>
      expect((await signIn(fx.server, user.email, 'wrong-password-123456', { origin: ORIGIN, headers })).status).toBe(401);
    for (let i = 0; i < 4; i++) await fail();
    await settle();
    expect(byRule('failed_logins')).toHaveLength(0);
    await fail();
    const delivery = await alertFor('failed_logins');
    expect(signatureValid(webhookSecret, delivery)).toBe(true);
    expect(signatureValid('whsec_wrong', delivery)).toBe(false);
    expect(delivery.payload).toMatchObject({
      type: 'security.alert',
      org_id: fx.orgId,
      rule: 'failed_logins',
      details: { count: 5, threshold: 5, window_seconds: 600, last_user_id: user.id, last_ip: '198.18.7.9' },
    });
    expect(delivery.raw).not.toContain('wrong-password');
    const mail = await smtp.waitFor((m) => m.to.includes('sec@alerts.example.test') && m.text.includes(delivery.payload.id));
    expect(mail.subject).toContain('Security alert');
    // The burst goes on: still one alert in this window.
    await fail();
    await settle();
    expect(byRule('failed_logins')).toHaveLength(1);
    // Recorded in the org's trail, with the rule and counts.
    const events = await admin.get<{ events: { diff: { alertId: string; rule: string; webhook: string; emails: { sent: number } } }[] }>(
      `/api/orgs/${fx.orgId}/audit/events?action=security_alert.sent`,
    );
    const recorded = events.body.events.find((e) => e.diff.alertId === delivery.payload.id);
    expect(recorded?.diff).toMatchObject({
      rule: 'failed_logins',
      webhook: 'sent',
      emails: { sent: 1 },
      // the address is a keyed hash in the immutable trail: it could never be erased in clear
      details: { count: 5, last_user_id: user.id, last_ip: expect.stringMatching(/^h1:[0-9a-f]{64}$/) },
    });
    expect(JSON.stringify(recorded)).not.toContain('198.18.7.9');
  });

  it('an email that belongs to no user alerts no org', async () => {
    const before = receiver.deliveries.length;
    for (let i = 0; i < 6; i++) await signIn(fx.server, `nobody-${i}@nowhere.example.test`, 'wrong-password-123456', { origin: ORIGIN });
    await settle();
    expect(receiver.deliveries.length).toBe(before);
  });

  it('a guardrail block burst alerts once', async () => {
    await configure(
      { rules: { guardrailBlockBurst: { threshold: 3, windowSeconds: 300 }, newApiKeyNetwork: { enabled: false } } },
      { gateway: true },
    );
    const blocked = async () => {
      const response = await fetch(`${fx.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fx.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: `deploy with ${TOKEN}` }] }),
      });
      const body = (await response.json()) as { error: { code: string } };
      expect(response.status).toBe(400);
      expect(body.error.code).toBe('guardrail_blocked');
    };
    await blocked();
    await blocked();
    await settle();
    expect(byRule('guardrail_block_burst')).toHaveLength(0);
    for (let i = 0; i < 3; i++) await blocked();
    const delivery = await alertFor('guardrail_block_burst');
    await settle();
    expect(byRule('guardrail_block_burst')).toHaveLength(1);
    expect(signatureValid(webhookSecret, delivery)).toBe(true);
    expect(delivery.payload.details).toMatchObject({ count: 3, threshold: 3, window_seconds: 300 });
    expect(delivery.raw).not.toContain(TOKEN);
    // Recorded by the gateway in the org's trail (through its definer function).
    const events = await admin.get<{ events: { actor: { id: string }; diff: { alertId: string; rule: string } }[] }>(
      `/api/orgs/${fx.orgId}/audit/events?action=security_alert.sent`,
    );
    expect(events.body.events.find((e) => e.diff.alertId === delivery.payload.id)).toMatchObject({
      actor: { id: 'security-alerts' },
      diff: { rule: 'guardrail_block_burst' },
    });
    expect(JSON.stringify(events.body)).not.toContain(TOKEN);
  });

  it('a key used from a new /24 alerts; from the same /24 it does not; its first use only records', async () => {
    await configure({}, { gateway: true });
    const [key] = await fx.bootstrap();
    const models = async (ip: string) => {
      const response = await fetch(`${fx.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip } });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
    };
    await models('203.0.113.10'); // first use: recorded
    await settle();
    await models('203.0.113.200'); // same /24
    await settle();
    expect(byRule('new_api_key_network')).toHaveLength(0);
    await models('192.0.2.44'); // a new /24
    const delivery = await alertFor('new_api_key_network');
    expect(signatureValid(webhookSecret, delivery)).toBe(true);
    expect(delivery.payload.details).toMatchObject({ ip: '192.0.2.44', network: '192.0.2.0/24' });
    await models('192.0.2.45');
    await settle();
    expect(byRule('new_api_key_network')).toHaveLength(1);
    // the gateway's record of it keeps the key and project, the address and network only hashed
    const events = await admin.get<{ events: { diff: { alertId: string; details: Record<string, unknown> } }[] }>(
      `/api/orgs/${fx.orgId}/audit/events?action=security_alert.sent`,
    );
    const recorded = events.body.events.find((e) => e.diff.alertId === delivery.payload.id);
    expect(recorded?.diff.details).toMatchObject({
      api_key_id: delivery.payload.details['api_key_id'],
      ip: expect.stringMatching(/^h1:[0-9a-f]{64}$/),
      network: expect.stringMatching(/^h1:[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(recorded)).not.toContain('192.0.2.');
  });

  it('accepting an invitation as admin alerts', async () => {
    await configure({ rules: { newApiKeyNetwork: { enabled: false } } });
    const email = `invited-admin-${Date.now()}@example.test`;
    expect((await admin.post(`/api/orgs/${fx.orgId}/invitations`, { email, role: 'admin' })).status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    const link = mail.links.find((l) => l.includes('/invite#token='))!;
    const token = decodeURIComponent(link.split('#token=')[1]!);
    const accepted = await fetch(`${fx.server.apiUrl}/api/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF },
      body: JSON.stringify({ token, name: 'Invited Admin', password: 'saffron-glacier-tundra-58' }),
    });
    expect(accepted.status, await accepted.clone().text()).toBe(201);
    const delivery = await eventually(() =>
      Promise.resolve(byRule('admin_granted').find((d) => d.payload.details.via === 'invitation_accepted')),
    );
    expect(signatureValid(webhookSecret, delivery)).toBe(true);
    expect(delivery.payload.details).toMatchObject({ role: 'admin', actor_type: 'user' });
  });

  it('making a member admin alerts; a rule turned off does not', async () => {
    await configure({ rules: { newApiKeyNetwork: { enabled: false } } });
    const grantsByRole = () => byRule('admin_granted').filter((d) => d.payload.details.via === 'role_changed');
    const user = await createPasswordUser(fx.server, { org: { name: fx.orgName, role: 'viewer' } });
    const list = await admin.get<{ members: { id: string; userId: string }[] }>(`/api/orgs/${fx.orgId}/members`);
    const member = list.body.members.find((m) => m.userId === user.id)!;
    expect((await admin.patch(`/api/orgs/${fx.orgId}/members/${member.id}`, { role: 'developer' })).status).toBe(200);
    await settle();
    expect(grantsByRole()).toHaveLength(0);
    expect((await admin.patch(`/api/orgs/${fx.orgId}/members/${member.id}`, { role: 'admin' })).status).toBe(200);
    const delivery = await eventually(() => Promise.resolve(grantsByRole()[0]));
    expect(signatureValid(webhookSecret, delivery)).toBe(true);
    expect(delivery.payload.details).toMatchObject({ user_id: user.id, role: 'admin', via: 'role_changed', actor_type: 'token' });

    await configure({ rules: { adminGranted: { enabled: false }, newApiKeyNetwork: { enabled: false } } });
    expect((await admin.patch(`/api/orgs/${fx.orgId}/members/${member.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await admin.patch(`/api/orgs/${fx.orgId}/members/${member.id}`, { role: 'admin' })).status).toBe(200);
    await settle();
    expect(grantsByRole()).toHaveLength(1);
  });
});

/**
 * Sends requests that carry every kind of secret Portcullis handles, to both services and the
 * admin endpoint, and greps every captured log line for them. A secret in a log is a leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../src/admin/app.js';
import { generateCredential } from '../src/crypto/api-key.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
const providerKey = `sk-proj-${randomTokenBase64Url(30)}`;
const password = `pw-${randomTokenBase64Url(18)}`;
const sessionCookie = `session-${randomTokenBase64Url(24)}`;
const adminToken = randomTokenBase64Url(32);
let apiKey: string;
const forged = generateCredential('live').token;
/** Every line logged from the first request on: each was written while a request was handled. */
let requestPhase: string[];
const SETUP_REQUEST_ID = 'logcap-setup-1';

beforeAll(async () => {
  // Its own database: completing the first-run setup below must not change anyone else's instance.
  server = await startTestServer({ env: { LOG_LEVEL: 'trace' }, isolatedDatabase: true });
  const admin = createAdminApp(server.runtime, adminToken, { services: ['gateway', 'api'] });
  const org = uniqueName('logs');
  const response = await admin.request('/admin/bootstrap', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      document: {
        orgs: [
          { name: org, projects: [{ name: 'p', providerKeys: [{ provider: 'openai', key: providerKey }], apiKeys: [{ name: 'k' }] }] },
        ],
      },
    }),
  });
  expect(response.status).toBe(200);
  apiKey = ((await response.json()) as { apiKeys: { key: string }[] }).apiKeys[0]!.key;
  // A wrong admin token, too.
  await admin.request('/admin/status', { headers: { authorization: `Bearer ${adminToken}x` } });
  const firstRequestLine = server.logLines.length;

  const secretHeaders: Record<string, string>[] = [
    { authorization: `Bearer ${apiKey}` },
    { 'x-api-key': apiKey },
    { authorization: `Bearer ${forged}` },
    { cookie: `portcullis.session_token=${sessionCookie}; theme=dark` },
    { authorization: `Basic ${Buffer.from(`user:${password}`).toString('base64')}` },
  ];
  for (const headers of secretHeaders) {
    await fetch(`${server.gatewayUrl}/v1/models?api_key=${apiKey}`, { headers });
    await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: providerKey }] }),
    });
    await fetch(`${server.apiUrl}/api/setup?token=${sessionCookie}`, { headers });
  }
  await fetch(`${server.apiUrl}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `portcullis.session_token=${sessionCookie}` },
    body: JSON.stringify({ token: 'bad', name: 'x', email: 'x@example.test', password }),
  });
  await fetch(`${server.apiUrl}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"password": "${password}", broken`,
  });
  // The real first-run setup: its "setup completed" line is written by the route through the
  // process logger, not the request's own, and must carry the request id all the same.
  const setupToken = new URL(server.services.setupLink!.replace('#', '?')).searchParams.get('token')!;
  const setup = await fetch(`${server.apiUrl}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': SETUP_REQUEST_ID },
    body: JSON.stringify({ token: setupToken, name: 'Log Owner', email: 'owner@logs.test', password }),
  });
  expect(setup.status).toBe(201);
  requestPhase = server.logLines.slice(firstRequestLine);
}, 240_000); // an isolated database and ~20 requests: far more than the default on a loaded CI machine
afterAll(async () => server?.stop());

describe('log capture', () => {
  it('captured a real amount of logging, with a request id on every request line', () => {
    const requestLines = server.logLines.filter((l) => l.includes('"request completed"'));
    expect(requestLines.length).toBeGreaterThanOrEqual(15);
    for (const line of requestLines) expect(JSON.parse(line)).toHaveProperty('requestId');
  });

  it('every line written while a request was handled carries its request id, not only the access-log line', () => {
    const otherLines = requestPhase.filter((l) => !l.includes('"request completed"'));
    expect(otherLines.length).toBeGreaterThan(0);
    for (const line of requestPhase) expect(JSON.parse(line), line).toHaveProperty('requestId');
    const setupLines = requestPhase
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string })
      .filter((l) => l.requestId === SETUP_REQUEST_ID);
    expect(setupLines.map((l) => l.msg)).toEqual(['setup completed: first instance admin created', 'request completed']);
  });

  it('no line contains an API key, provider key, password, cookie, admin token or the master secrets', () => {
    const secrets = {
      apiKey,
      apiKeySecret: apiKey.split('_').pop()!,
      forged,
      providerKey,
      password,
      passwordBase64: Buffer.from(`user:${password}`).toString('base64'),
      sessionCookie,
      adminToken,
      authSecret: server.runtime.secrets.authSecret,
      masterKey: server.runtime.secrets.masterKey!.key.toString('base64'),
    };
    const all = server.logLines.join('\n');
    for (const [name, value] of Object.entries(secrets)) expect(all.includes(value), `${name} leaked into the logs`).toBe(false);
  });
});

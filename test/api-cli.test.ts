/**
 * `portcullis keys …` (create, list, update, rotate, revoke, delete) and `portcullis tokens create` as an operator runs them: real child
 * processes, first through a running server (whose gateway must see each change at once), then
 * directly on the data dir once the server is gone. Both paths audit with the operator as actor.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredential } from '../src/crypto/api-key.js';
import { openDatabase } from '../src/db/open.js';
import { queryRows } from '../src/db/rows.js';
import {
  cliEnv,
  emptyEnvFile,
  getJson,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServer,
  stopChildren,
  stopProcess,
  type ServerProcess,
} from './support/cli.js';
import type { IssuedKeyBody, IssuedTokenBody, KeyBody, KeyListBody } from './support/api.js';

const TEST_TIMEOUT_MS = 120_000;

let dataDir: string;
let envFile: string;
let env: Record<string, string>;
let server: ServerProcess;

beforeAll(async () => {
  const root = makeTempDir();
  envFile = emptyEnvFile(root);
  dataDir = join(root, 'data');
  env = cliEnv({ PORTCULLIS_DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '5000' });
  server = await startServer(env, ['--env-file', envFile], { keepAcrossTests: true });
  const file = join(root, 'org.yaml');
  writeFileSync(file, 'orgs:\n  - name: CLI Keys\n    projects:\n      - name: web\n      - name: sandbox\n        mode: test\n');
  const bootstrap = await runCli(['bootstrap', file, '--env-file', envFile], env);
  expect(bootstrap.code, bootstrap.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await stopChildren({ all: true });
  removeTempDirs();
});

const cli = (...args: string[]) => runCli([...args, '--env-file', envFile], env);
const json = <T>(stdout: string) => JSON.parse(stdout) as T;
const gateway = async (key: string) => (await getJson(`${server.gatewayUrl}/v1/models`, { authorization: `Bearer ${key}` })).status;

describe('keys and tokens commands', () => {
  const printedKeys: string[] = [];

  it(
    'through the running server: mint the first admin token, then create, list, rotate and revoke keys the gateway sees at once',
    async () => {
      const token = await cli('tokens', 'create', '--org', 'CLI Keys', '--name', 'first', '--role', 'owner');
      expect(token.code, token.stderr).toBe(0);
      const issued = json<IssuedTokenBody & { orgId: string }>(token.stdout);
      expect(issued.token).toMatch(/^pc_admin_/);
      expect(issued.adminToken).toMatchObject({ name: 'first', role: 'owner', status: 'active' });
      expect(token.stderr).toContain('not shown again');
      const me = await getJson(`${server.apiUrl}/api/orgs/${issued.orgId}`, { authorization: `Bearer ${issued.token}` });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ name: 'CLI Keys', yourRole: 'owner' });

      const created = await cli(
        'keys',
        'create',
        '--org',
        'cli keys',
        '--project',
        'web',
        '--name',
        'ci',
        '--models',
        'openai/gpt-5.4-mini, gemini/gemini-2.5-flash',
      );
      expect(created.code, created.stderr).toBe(0);
      const { apiKey, key } = json<IssuedKeyBody>(created.stdout);
      printedKeys.push(key);
      expect(key).toMatch(/^pc_live_/);
      expect(apiKey.allowedModels).toEqual(['openai/gpt-5.4-mini', 'gemini/gemini-2.5-flash']);
      expect(await gateway(key)).toBe(200);
      const test = await cli(
        'keys',
        'create',
        '--org',
        'CLI Keys',
        '--project',
        'sandbox',
        '--name',
        'ci',
        '--expires',
        '2099-01-01T00:00:00Z',
      );
      expect(json<IssuedKeyBody>(test.stdout)).toMatchObject({
        key: expect.stringMatching(/^pc_test_/),
        apiKey: { expiresAt: '2099-01-01T00:00:00.000Z' },
      });

      const listed = await cli('keys', 'list', '--org', 'CLI Keys', '--project', 'web');
      expect(listed.code, listed.stderr).toBe(0);
      expect(json<KeyListBody>(listed.stdout).apiKeys.map((k) => k.maskedKey)).toEqual([apiKey.maskedKey]);
      expect(listed.stdout + listed.stderr).not.toContain(parseCredential(key)!.secret);

      const rotated = await cli('keys', 'rotate', '--org', 'CLI Keys', '--key-id', apiKey.id);
      expect(rotated.code, rotated.stderr).toBe(0);
      const next = json<IssuedKeyBody>(rotated.stdout).key;
      printedKeys.push(next);
      expect(rotated.stderr).toContain('The old one has stopped working');
      expect(await gateway(key)).toBe(401); // --grace defaults to 0
      expect(await gateway(next)).toBe(200);

      const revoked = await cli('keys', 'revoke', '--org', 'CLI Keys', '--key-id', apiKey.id);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(json<KeyBody>(revoked.stdout).apiKey.status).toBe('revoked');
      expect(await gateway(next)).toBe(401);

      // The api (with the token the CLI printed) sees what the CLI did.
      const viaApi = await getJson(`${server.apiUrl}/api/orgs/${issued.orgId}/api-keys/${apiKey.id}`, {
        authorization: `Bearer ${issued.token}`,
      });
      expect(viaApi.body).toMatchObject({ apiKey: { status: 'revoked', allowedModels: apiKey.allowedModels } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'through the running server: create with an IP allow-list and limits, update them, then delete; the gateway follows each change',
    async () => {
      const created = await cli(
        'keys',
        'create',
        '--org',
        'CLI Keys',
        '--project',
        'web',
        '--name',
        'limited',
        '--ip-allowlist',
        '10.20.0.0/16',
        '--usage-limits',
        'spend_usd:monthly:100,requests:daily:5000',
        '--requests-per-minute',
        '60',
      );
      expect(created.code, created.stderr).toBe(0);
      const { apiKey, key } = json<IssuedKeyBody>(created.stdout);
      printedKeys.push(key);
      expect(apiKey).toMatchObject({
        ipAllowlist: ['10.20.0.0/16'],
        limits: {
          usage: [
            { metric: 'spend_usd', period: 'monthly', limit: 100 },
            { metric: 'requests', period: 'daily', limit: 5000 },
          ],
          rate: { requestsPerMinute: 60, tokensPerMinute: null },
        },
      });
      expect(await gateway(key)).toBe(403); // the test client is 127.0.0.1, outside the allow-list

      const opened = await cli(
        'keys',
        'update',
        apiKey.id,
        '--org',
        'CLI Keys',
        '--ip-allowlist',
        'none',
        '--tokens-per-minute',
        '1000',
        '--name',
        'renamed',
      );
      expect(opened.code, opened.stderr).toBe(0);
      expect(json<KeyBody>(opened.stdout).apiKey).toMatchObject({
        name: 'renamed',
        ipAllowlist: null,
        // Limits are replaced as a whole, as on the api.
        limits: { usage: [], rate: { requestsPerMinute: null, tokensPerMinute: 1000 } },
      });
      expect(await gateway(key)).toBe(200);

      const deleted = await cli('keys', 'delete', apiKey.id, '--org', 'CLI Keys');
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(json<{ deleted: { id: string } }>(deleted.stdout)).toEqual({ deleted: { id: apiKey.id } });
      expect(await gateway(key)).toBe(401);
      const listed = await cli('keys', 'list', '--org', 'CLI Keys', '--project', 'web');
      expect(json<KeyListBody>(listed.stdout).apiKeys.map((k) => k.id)).not.toContain(apiKey.id);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses invalid key fields with the api’s own rules, named by flag',
    async () => {
      const create = (...flags: string[]) => cli('keys', 'create', '--org', 'CLI Keys', '--project', 'web', '--name', 'bad', ...flags);
      const badCidr = await create('--ip-allowlist', '10.1.2.3/8');
      expect(badCidr.code).toBe(2);
      expect(badCidr.stderr).toContain('--ip-allowlist[0]:');
      const badRate = await create('--requests-per-minute', 'lots');
      expect(badRate.code).toBe(2);
      expect(badRate.stderr).toContain('--requests-per-minute: expected number');
      const badUsage = await create('--usage-limits', 'spend_usd:weekly:10');
      expect(badUsage.code).toBe(2);
      expect(badUsage.stderr).toContain('--usage-limits[0].period: must be one of');
      const malformed = await create('--usage-limits', 'spend_usd=10');
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toContain('each entry must be metric:period:limit');
      const nothing = await cli('keys', 'update', '00000000-0000-4000-8000-000000000000', '--org', 'CLI Keys');
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toContain('Nothing to change');
      const badId = await cli('keys', 'delete', 'not-an-id', '--org', 'CLI Keys');
      expect(badId.code).toBe(2);
      expect(badId.stderr).toContain('<id> must be an API key id');
      const unknown = await cli('keys', 'delete', '00000000-0000-4000-8000-000000000000', '--org', 'CLI Keys');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('API key not found');
      for (const run of [badCidr, badRate, badUsage, malformed, nothing, badId, unknown]) expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'explains mistakes in terms of the flags, without a stack trace',
    async () => {
      const noOrg = await cli('keys', 'create', '--org', 'nope', '--project', 'web', '--name', 'x');
      expect(noOrg.code).toBe(1);
      expect(noOrg.stderr).toContain('No organization named "nope"');
      const badGrace = await cli(
        'keys',
        'rotate',
        '--org',
        'CLI Keys',
        '--key-id',
        '00000000-0000-4000-8000-000000000000',
        '--grace',
        'soon',
      );
      expect(badGrace.code).toBe(2);
      expect(badGrace.stderr).toContain('--grace must be a whole number');
      const badRole = await cli('tokens', 'create', '--org', 'CLI Keys', '--name', 'x', '--role', 'root');
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toContain('--role: must be one of');
      const past = await cli(
        'keys',
        'create',
        '--org',
        'CLI Keys',
        '--project',
        'web',
        '--name',
        'old',
        '--expires',
        '2001-01-01T00:00:00Z',
      );
      expect(past.code).toBe(2);
      expect(past.stderr).toContain('--expires: must be in the future');
      const unknownKey = await cli('keys', 'revoke', '--org', 'CLI Keys', '--key-id', '00000000-0000-4000-8000-000000000000');
      expect(unknownKey.code).toBe(1);
      expect(unknownKey.stderr).toContain('API key not found');
      for (const run of [noOrg, badGrace, badRole, past, unknownKey]) expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'directly on the data dir once no server holds it, and every change is audited with the operator as actor',
    async () => {
      await stopProcess(server);
      const token = await cli('tokens', 'create', '--org', 'CLI Keys', '--name', 'offline', '--role', 'viewer');
      expect(token.code, token.stderr).toBe(0);
      expect(json<IssuedTokenBody>(token.stdout).adminToken.role).toBe('viewer');
      const listed = await cli('keys', 'list', '--org', 'CLI Keys', '--project', 'web');
      expect(listed.code, listed.stderr).toBe(0);
      const offlineKeys = json<KeyListBody>(listed.stdout).apiKeys;
      expect(offlineKeys).toHaveLength(1);
      const updated = await cli('keys', 'update', offlineKeys[0]!.id, '--org', 'CLI Keys', '--models', 'openai/gpt-5.4-mini');
      expect(updated.code, updated.stderr).toBe(0);
      expect(json<KeyBody>(updated.stdout).apiKey.allowedModels).toEqual(['openai/gpt-5.4-mini']);
      const deleted = await cli('keys', 'delete', offlineKeys[0]!.id, '--org', 'CLI Keys');
      expect(deleted.code, deleted.stderr).toBe(0);

      const database = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pgdata') });
      try {
        const events = await queryRows<{ action: string; actor_type: string; actor_id: string }>(
          database.db,
          sql`select action, actor_type, actor_id from audit_events where action like 'api_key.%' or action like 'admin_token.%' order by occurred_at`,
        );
        expect(events.map((e) => e.action)).toEqual([
          'admin_token.created',
          'api_key.created',
          'api_key.created',
          'api_key.rotated',
          'api_key.revoked',
          'api_key.created',
          'api_key.updated',
          'api_key.deleted',
          'admin_token.created',
          'api_key.updated',
          'api_key.deleted',
        ]);
        for (const event of events) expect(event).toMatchObject({ actor_type: 'system', actor_id: `cli@${hostname()}` });
        const dump = JSON.stringify(await queryRows(database.db, sql`select * from audit_events`));
        for (const key of printedKeys) expect(dump).not.toContain(parseCredential(key)!.secret);
      } finally {
        await database.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

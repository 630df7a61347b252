/**
 * A running gateway (in-process, real HTTP) wired to fake providers on loopback, with one org
 * bootstrapped through the real bootstrap code: provider keys pointing at the fakes and an API key
 * for the project. Tests talk to it with the official SDKs.
 */
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { systemActor } from '../../src/audit/context.js';
import { startFakeAnthropic, FAKE_ANTHROPIC_API_KEY } from '../fakes/anthropic.js';
import { startFakeGemini, type FakeGemini } from '../fakes/gemini.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/fake-upstream.js';
import { uniqueName } from './database.js';
import { startTestServer, type TestServer } from './server.js';
import { findOrganizationId } from '../../src/tenancy/organizations.js';
import { stringify } from 'yaml';

export type GatewayFixture = {
  server: TestServer;
  gatewayUrl: string;
  openai: FakeOpenAI;
  azure: FakeOpenAI;
  compatible: FakeOpenAI;
  anthropic: FakeUpstream;
  gemini: FakeGemini;
  /** A pc_live_ key for the project. */
  apiKey: string;
  orgId: string;
  orgName: string;
  /** Applies more bootstrap YAML for this org (settings changes, more keys) and returns created API keys. */
  bootstrap(projectSettings?: Record<string, unknown>, orgSettings?: Record<string, unknown>): Promise<string[]>;
  stop(): Promise<void>;
};

export async function startGatewayFixture(
  options: {
    projectSettings?: Record<string, unknown>;
    orgSettings?: Record<string, unknown>;
    env?: Record<string, string>;
    /** Also run the api (for tests that configure the org through it). */
    withApi?: boolean;
    /** More provider keys for the org (e.g. fakes the test starts and closes itself); none by default. */
    extraProviderKeys?: { provider: string; key: string; baseUrl: string }[];
  } = {},
): Promise<GatewayFixture> {
  const [openai, azure, compatible, anthropic, gemini] = await Promise.all([
    startFakeOpenAI(),
    startFakeOpenAI({ flavour: 'azure' }),
    startFakeOpenAI({ apiKey: 'sk-compatible-local-key-000000' }),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  const server = await startTestServer({
    services: options.withApi ? ['gateway', 'api'] : ['gateway'],
    env: { LOG_LEVEL: 'warn', ...options.env },
  });
  const orgName = uniqueName('gw');
  const document = (
    projectSettings?: Record<string, unknown>,
    orgSettings?: Record<string, unknown>,
    apiKeys: { name: string }[] = [],
  ) => ({
    orgs: [
      {
        name: orgName,
        plan: 'enterprise',
        ...(orgSettings ? { settings: orgSettings } : {}),
        providerKeys: [
          { provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl },
          { provider: 'azure-openai', key: azure.apiKey, baseUrl: azure.baseUrl },
          { provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY, baseUrl: anthropic.url },
          { provider: 'gemini', key: gemini.apiKey, baseUrl: gemini.url },
          { provider: 'mistral', key: openai.apiKey, baseUrl: openai.baseUrl },
          { provider: 'openai-compatible', key: compatible.apiKey, baseUrl: compatible.baseUrl },
          ...(options.extraProviderKeys ?? []),
        ],
        projects: [{ name: 'app', ...(projectSettings ? { settings: projectSettings } : {}), apiKeys }],
      },
    ],
  });
  const apply = async (doc: unknown) => {
    const result = await applyBootstrap(parseBootstrapText(stringify(doc), 'fixture.yaml'), {
      db: server.runtime.apiDb,
      keyring: server.runtime.keyring,
      ctx: { actor: systemActor('cli', 'test'), requestId: null },
    });
    // What the admin endpoint does after a bootstrap (announceBootstrapChanges): tell every
    // replica's caches. Over Redis the event arrives asynchronously; wait until it has been
    // delivered here too, so the next request sees the new settings.
    for (const orgId of new Set(result.changes.map((c) => c.orgId))) {
      const delivered = new Promise<void>((resolve) => {
        const unsubscribe = server.runtime.bus.subscribe((event) => {
          if (event.type === 'org.changed' && event.orgId === orgId) {
            unsubscribe();
            resolve();
          }
        });
      });
      await server.runtime.bus.publish({ type: 'org.changed', orgId });
      await delivered;
    }
    return result.apiKeys.map((k) => k.key);
  };
  const [apiKey] = await apply(document(options.projectSettings, options.orgSettings, [{ name: 'app' }]));
  const orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  let keyCounter = 0;
  return {
    server,
    gatewayUrl: server.gatewayUrl,
    openai,
    azure,
    compatible,
    anthropic,
    gemini,
    apiKey: apiKey!,
    orgId,
    orgName,
    bootstrap: (projectSettings, orgSettings) => apply(document(projectSettings, orgSettings, [{ name: `extra-${++keyCounter}` }])),
    async stop() {
      await server.stop();
      await Promise.all([openai, azure, compatible, anthropic, gemini].map((f) => f.close()));
    },
  };
}

/**
 * A second gateway replica of the fixture: same database and the same MASTER_KEY and AUTH_SECRET
 * (as every replica of one deployment has; without the master key it could not decrypt the org's
 * provider keys), with its own caches, counters, store and bus (shared through Redis when
 * TEST_REDIS_URL is set).
 */
export function startGatewayReplica(fixture: GatewayFixture, env: Record<string, string> = {}): Promise<TestServer> {
  const { secrets } = fixture.server.runtime;
  return startTestServer({
    services: ['gateway'],
    shareDatabaseWith: fixture.server,
    env: { LOG_LEVEL: 'warn', MASTER_KEY: secrets.masterKey!.key.toString('base64'), AUTH_SECRET: secrets.authSecret, ...env },
  });
}

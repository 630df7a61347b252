import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import {
  BootstrapDocumentError,
  checkBootstrapBaseUrls,
  parseBootstrapText,
  validateBootstrapDocument,
} from '../src/bootstrap/document.js';
import { systemActor } from '../src/audit/context.js';
import { generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { parseCredential, verifyCredentialSecret } from '../src/crypto/api-key.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { lookupApiKey } from '../src/db/definer.js';
import { queryRows } from '../src/db/rows.js';
import { auditEvents, members, organizations, providerKeys } from '../src/db/schema/index.js';
import { decryptProviderKey } from '../src/credentials/provider-keys.js';
import { loadGuardrails } from '../src/gateway/guardrails/loaded-guardrails.js';
import { guardrailPolicySchema } from '../src/guardrails/engine/policy.js';
import { findGuardrailPolicy, saveGuardrailPolicy } from '../src/tenancy/guardrail-policies.js';
import { findOrganizationId, getOrganization } from '../src/tenancy/organizations.js';
import { findProjectByName } from '../src/tenancy/projects.js';
import { openTestDatabase, uniqueName, type TestDatabase } from './support/database.js';

let db: TestDatabase;
const keyring = createMasterKeyring(parseMasterKey(generateMasterKey()));
const ctx = { actor: systemActor('cli', 'test-host'), requestId: null };

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.close());

function yamlFor(org: string, opts: { plan?: string; role?: string; providerKey?: string; baseUrl?: string } = {}) {
  return `
orgs:
  - name: ${org}
    plan: ${opts.plan ?? 'enterprise'}
    members: [{ email: admin@${org}.test, role: ${opts.role ?? 'owner'} }]
    projects:
      - name: default
        providerKeys: [{ provider: openai, key: ${opts.providerKey ?? 'sk-test-provider-key-0001'}, baseUrl: ${opts.baseUrl ?? 'http://127.0.0.1:18080/v1'} }]
        apiKeys: [{ name: ci }, { name: staging }]
      - name: sandbox
        mode: test
        apiKeys: [{ name: ci }]
`;
}

describe('bootstrap', () => {
  it('creates orgs, members, projects, provider keys and API keys, and returns each new API key once', async () => {
    const org = uniqueName('acme');
    const result = await applyBootstrap(parseBootstrapText(yamlFor(org), 'b.yaml'), { db: db.api, keyring, ctx });
    expect(result.apiKeys.map((k) => [k.org, k.project, k.name])).toEqual([
      [org, 'default', 'ci'],
      [org, 'default', 'staging'],
      [org, 'sandbox', 'ci'],
    ]);
    expect(result.apiKeys[0]!.key).toMatch(/^pc_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$/);
    expect(result.apiKeys[2]!.key).toMatch(/^pc_test_/);

    // The key verifies against what is stored, and what is stored is only a bcrypt hash.
    const parsed = parseCredential(result.apiKeys[0]!.key)!;
    const stored = await db.gateway.withRole((tx) => lookupApiKey(tx, parsed.lookupId));
    expect(stored?.secretHash).toMatch(/^\$2b\$10\$/);
    expect(await verifyCredentialSecret(parsed.secret, stored!.secretHash)).toBe(true);

    const orgId = (await findOrganizationId(db.api, org))!;
    await db.api.withTenant(orgId, async (tx) => {
      const [o] = await tx.select().from(organizations);
      expect(o?.plan).toBe('enterprise');
      expect(await tx.select({ role: members.role }).from(members)).toEqual([{ role: 'owner' }]);
      const [pk] = await tx.select().from(providerKeys);
      expect(pk?.ciphertext.includes(Buffer.from('sk-test-provider-key-0001'))).toBe(false);
      expect(pk?.last4).toBe('0001');
      expect(await decryptProviderKey(tx, pk!, keyring)).toBe('sk-test-provider-key-0001');
      const actions = (await tx.select({ action: auditEvents.action }).from(auditEvents)).map((e) => e.action).sort();
      expect(actions).toEqual(
        [
          'api_key.created',
          'api_key.created',
          'api_key.created',
          'member.added',
          'org.created',
          'org.plan_changed',
          'project.created',
          'project.created',
          'provider_key.created',
          'tenant_key.created',
        ].sort(),
      );
    });
  });

  it('is idempotent: a second run creates nothing and prints no key', async () => {
    const org = uniqueName('idem');
    const doc = parseBootstrapText(yamlFor(org), 'b.yaml');
    await applyBootstrap(doc, { db: db.api, keyring, ctx });
    const again = await applyBootstrap(doc, { db: db.api, keyring, ctx });
    expect(again).toEqual({ apiKeys: [], changes: [] });
  });

  it('brings existing rows in line: plan, role, provider key and base URL, each audited', async () => {
    const org = uniqueName('drift');
    await applyBootstrap(parseBootstrapText(yamlFor(org), 'b.yaml'), { db: db.api, keyring, ctx });
    const result = await applyBootstrap(
      parseBootstrapText(
        yamlFor(org, { plan: 'pro', role: 'admin', providerKey: 'sk-rotated-provider-key-0002', baseUrl: 'http://127.0.0.1:18081/v1' }),
        'b.yaml',
      ),
      {
        db: db.api,
        keyring,
        ctx,
      },
    );
    expect(result.apiKeys).toEqual([]);
    expect(result.changes.map((c) => c.type)).toEqual(['org.plan_changed', 'member.role_changed', 'provider_key.updated']);
    const orgId = (await findOrganizationId(db.api, org))!;
    await db.api.withTenant(orgId, async (tx) => {
      const [pk] = await tx.select().from(providerKeys);
      expect(await decryptProviderKey(tx, pk!, keyring)).toBe('sk-rotated-provider-key-0002');
      expect(pk?.baseUrl).toBe('http://127.0.0.1:18081/v1');
      const updates = await tx.select({ diff: auditEvents.diff }).from(auditEvents).where(eq(auditEvents.action, 'provider_key.updated'));
      expect(JSON.stringify(updates)).not.toContain('sk-rotated');
    });
  });

  it('never stores an API key or provider key in clear anywhere in the database', async () => {
    const org = uniqueName('leak');
    const result = await applyBootstrap(parseBootstrapText(yamlFor(org, { providerKey: 'sk-leakcheck-provider-9999' }), 'b.yaml'), {
      db: db.api,
      keyring,
      ctx,
    });
    const secrets = [
      ...result.apiKeys.map((k) => k.key),
      ...result.apiKeys.map((k) => parseCredential(k.key)!.secret),
      'sk-leakcheck-provider-9999',
    ];
    const tables = await queryRows<{ table_name: string }>(
      db.handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows = await queryRows(db.handle.db, sql`select * from ${sql.identifier(table_name)}`);
      dump += JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    }
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it('rejects unknown fields, naming them and where they are', () => {
    const text = `orgs:\n  - name: x\n    projects:\n      - name: p\n        apiKeys: [{ name: ci, scopes: [all] }]\n    colour: blue\n`;
    expect(() => parseBootstrapText(text, 'b.yaml')).toThrow(BootstrapDocumentError);
    try {
      parseBootstrapText(text, 'b.yaml');
    } catch (error) {
      const problems = (error as BootstrapDocumentError).problems;
      expect(problems).toContain('orgs[0] (org "x"): unknown field "colour"');
      expect(problems).toContain('orgs[0].projects[0].apiKeys[0] (org "x"): unknown field "scopes"');
    }
  });

  it('rejects bad values with their place, and never echoes a key from a malformed file', () => {
    expect(() => parseBootstrapText('orgs:\n  - name: x\n    plan: platinum\n', 'b.yaml')).toThrow(/orgs\[0\]\.plan/);
    expect(() => parseBootstrapText('orgs:\n  - name: x\n    providerKeys: [{ provider: openia, key: k }]\n', 'b.yaml')).toThrow(
      /orgs\[0\]\.providerKeys\[0\]\.provider/,
    );
    expect(() => parseBootstrapText('orgs:\n  - name: x\n  - name: X\n', 'b.yaml')).toThrow(/duplicate org/);
    let message = '';
    try {
      parseBootstrapText(
        '{"orgs": [{"name": "x", "providerKeys": [{"provider": "openai", "key": "sk-should-not-leak-123" oops}]}]}',
        'b.json',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not valid JSON/);
    expect(message).not.toContain('sk-should-not-leak');
  });

  it('holds base URLs to the api’s rules before anything is applied: metadata, plain http when private URLs are off', () => {
    const doc = parseBootstrapText(
      `orgs:
  - name: x
    providerKeys: [{ provider: openai, key: sk-a, baseUrl: 'http://169.254.169.254/latest/' }]
    projects:
      - name: p
        providerKeys: [{ provider: openai, key: sk-b, baseUrl: 'http://127.0.0.1:8000/v1' }, { provider: anthropic, key: sk-c, baseUrl: 'https://api.anthropic.com?k=1' }]
`,
      'b.yaml',
    );
    let problems: string[] = [];
    try {
      checkBootstrapBaseUrls(doc, { allowPrivate: false });
    } catch (error) {
      problems = (error as BootstrapDocumentError).problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^orgs\[0\]\.providerKeys\[0\]\.baseUrl: .*cloud metadata/);
    expect(problems[1]).toMatch(/^orgs\[0\]\.projects\[0\]\.providerKeys\[0\]\.baseUrl: .*loopback/);
    expect(problems[2]).toMatch(/^orgs\[0\]\.projects\[0\]\.providerKeys\[1\]\.baseUrl: .*query string/);
    // Local models are fine where the operator allows private URLs; metadata never is.
    expect(() => checkBootstrapBaseUrls(doc, { allowPrivate: true })).toThrow(/providerKeys\[0\]\.baseUrl: .*metadata/);
  });
});

/** An org policy and a project override in a file, as an operator keeps them in git. */
function guardrailYaml(org: string, opts: { emailAction?: string; overrideInput?: string } = {}) {
  return `
orgs:
  - name: ${org}
    guardrails:
      pii: { actions: { EMAIL: ${opts.emailAction ?? 'redact'} } }
      injection: { action: block }
      customRules:
        - { name: codename, kind: keywords, terms: [bluebird], action: block }
    projects:
      - name: support
        guardrails:
          secrets: { input: ${opts.overrideInput ?? 'redact'} }
          customRules:
            - { name: ticket-id, kind: regex, pattern: 'TCK-[0-9]{6}', action: redact, scope: output }
      - name: batch
`;
}

/** What `portcullis bootstrap FILE` does: parse and check the whole file, then apply it. */
async function bootstrapFile(text: string) {
  const doc = parseBootstrapText(text, 'guardrails.yaml');
  checkBootstrapBaseUrls(doc, { allowPrivate: true });
  return applyBootstrap(doc, { db: db.api, keyring, ctx });
}

/** The policy the gateway serves a project (its own role, as on a request), and the stored rows' versions. */
async function servedPolicy(orgName: string, projectName: string) {
  const orgId = (await findOrganizationId(db.api, orgName))!;
  const project = (await db.api.withTenant(orgId, (tx) => findProjectByName(tx, orgId, projectName)))!;
  return db.gateway.withTenant(orgId, (tx) => loadGuardrails(tx, orgId, project.id));
}

async function guardrailAudits(orgName: string) {
  const orgId = (await findOrganizationId(db.api, orgName))!;
  return db.api.withTenant(orgId, (tx) =>
    tx
      .select({ targetType: auditEvents.targetType, actorType: auditEvents.actorType })
      .from(auditEvents)
      .where(eq(auditEvents.action, 'guardrail_policy.changed')),
  );
}

describe('bootstrap guardrail policies', () => {
  it('applies an org policy and a project override: the gateway serves the file’s policy, audited like an api save', async () => {
    const org = uniqueName('guard');
    const result = await bootstrapFile(guardrailYaml(org));
    expect(result.changes.filter((c) => c.type === 'guardrail_policy.changed').map((c) => c.name)).toEqual([org, 'support']);

    const support = await servedPolicy(org, 'support');
    expect(support.version).toBe('1.1');
    expect(support.policy.pii.actions).toEqual({ EMAIL: 'redact' });
    expect(support.policy.injection.action).toBe('block');
    // The override's parts win; the rest is the org's.
    expect(support.policy.secrets).toEqual({ enabled: true, input: 'redact', output: 'redact' });
    expect(support.customRules.map((r) => r.rule.name)).toEqual(['ticket-id']);

    const batch = await servedPolicy(org, 'batch');
    expect(batch.version).toBe('1.0');
    expect(batch.policy.secrets.input).toBe('block');
    expect(batch.customRules.map((r) => r.rule.name)).toEqual(['codename']);

    // Stored exactly as the api's PUT stores it: the policy schema's output, defaults filled in.
    const orgId = (await findOrganizationId(db.api, org))!;
    const stored = await db.api.withTenant(orgId, (tx) => findGuardrailPolicy(tx, orgId, null));
    expect(stored?.config).toEqual(
      guardrailPolicySchema.parse({
        pii: { actions: { EMAIL: 'redact' } },
        injection: { action: 'block' },
        customRules: [{ name: 'codename', kind: 'keywords', terms: ['bluebird'], action: 'block' }],
      }),
    );
    expect(await guardrailAudits(org)).toEqual(
      expect.arrayContaining([
        { targetType: 'org', actorType: 'system' },
        { targetType: 'project', actorType: 'system' },
      ]),
    );
    expect(await guardrailAudits(org)).toHaveLength(2);
  });

  it('survives the trip to a running server: the parsed document validates again unchanged', () => {
    // The CLI sends the parsed document to the server's admin endpoint, which validates it again.
    const doc = parseBootstrapText(guardrailYaml('trip'), 'b.yaml');
    expect(validateBootstrapDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
  });

  it('re-applies like every other row: the same file changes nothing; a drifted policy is brought back in line', async () => {
    const org = uniqueName('guard-idem');
    await bootstrapFile(guardrailYaml(org));
    expect(await bootstrapFile(guardrailYaml(org))).toEqual({ apiKeys: [], changes: [] });
    expect((await servedPolicy(org, 'support')).version).toBe('1.1');
    expect(await guardrailAudits(org)).toHaveLength(2);

    // Someone changes the org policy through the api; the next run of the file puts it back.
    const orgId = (await findOrganizationId(db.api, org))!;
    await db.api.withTenant(orgId, (tx) => saveGuardrailPolicy(tx, { orgId, projectId: null }, guardrailPolicySchema.parse({}), ctx));
    expect((await servedPolicy(org, 'batch')).policy.pii.actions).toEqual({});
    const again = await bootstrapFile(guardrailYaml(org));
    expect(again.changes.map((c) => [c.type, c.name])).toEqual([['guardrail_policy.changed', org]]);
    const batch = await servedPolicy(org, 'batch');
    expect(batch.version).toBe('3.0');
    expect(batch.policy.pii.actions).toEqual({ EMAIL: 'redact' });

    // A file that changes the override changes only the override.
    const changed = await bootstrapFile(guardrailYaml(org, { overrideInput: 'log' }));
    expect(changed.changes.map((c) => [c.type, c.name])).toEqual([['guardrail_policy.changed', 'support']]);
    expect((await servedPolicy(org, 'support')).policy.secrets.input).toBe('log');

    // A file without `guardrails` leaves the stored policy and override alone.
    const silent = await bootstrapFile(`orgs:\n  - name: ${org}\n    projects: [{ name: support }]\n`);
    expect(silent.changes).toEqual([]);
    expect((await servedPolicy(org, 'support')).version).toBe('3.2');
  });

  it('refuses an invalid policy naming the org and the field, and writes nothing of the file', async () => {
    const existing = uniqueName('guard-keep');
    const fresh = uniqueName('guard-new');
    await bootstrapFile(guardrailYaml(existing));
    const refusal = async (orgPart: string, projectPart = '') => {
      // The first org is valid and would change (plan, policy); the second is new and broken.
      const text = `${guardrailYaml(existing, { emailAction: 'block' }).replace('guardrails:', 'plan: pro\n    guardrails:')}
  - name: ${fresh}
${orgPart}
    projects:
      - name: app
${projectPart}
`;
      try {
        await bootstrapFile(text);
      } catch (error) {
        expect(error).toBeInstanceOf(BootstrapDocumentError);
        return (error as BootstrapDocumentError).problems;
      }
      throw new Error('the file was accepted');
    };

    const backreference = await refusal(
      `    guardrails:\n      customRules: [{ name: twice, kind: regex, pattern: '(a)\\1', action: block }]`,
    );
    expect(backreference).toHaveLength(1);
    // The api's sentence (400 invalid_custom_rule), after the place and the org's name.
    expect(backreference[0]).toMatch(
      new RegExp(
        `^orgs\\[1\\]\\.guardrails\\.customRules\\[0\\] \\(org "${fresh}"\\): Custom rule twice: .*no backreferences or lookaround`,
      ),
    );

    const lookahead = await refusal(
      '',
      `        guardrails:\n          customRules: [{ name: peek, kind: regex, pattern: 'secret(?=word)', action: flag }]`,
    );
    expect(lookahead[0]).toMatch(/^orgs\[1\]\.projects\[0\]\.guardrails\.customRules\[0\] \(org "[^"]+"\): Custom rule peek: .*lookaround/);

    const detector = await refusal(`    guardrails: { pii: { actions: { PASSPORT: block } } }`);
    expect(detector).toEqual([`orgs[1].guardrails.pii.actions (org "${fresh}"): unknown field "PASSPORT"`]);
    const unknownSection = await refusal(`    guardrails: { toxicity: { enabled: true } }`);
    expect(unknownSection).toEqual([`orgs[1].guardrails (org "${fresh}"): unknown field "toxicity"`]);

    const action = await refusal(`    guardrails: { secrets: { input: quarantine } }`);
    expect(action[0]).toMatch(new RegExp(`^orgs\\[1\\]\\.guardrails\\.secrets\\.input \\(org "${fresh}"\\): .*"block"`));

    // Nothing of any of those files was written: the new org does not exist, the existing one is as it was.
    expect(await findOrganizationId(db.api, fresh)).toBeUndefined();
    const orgId = (await findOrganizationId(db.api, existing))!;
    expect((await db.api.withTenant(orgId, (tx) => getOrganization(tx, orgId)))?.plan).toBe('free');
    const kept = await servedPolicy(existing, 'batch');
    expect(kept.version).toBe('1.0');
    expect(kept.policy.pii.actions).toEqual({ EMAIL: 'redact' });
  });
});

/** The budget-alert webhook: URL and signing secret set together, secret shown once and stored encrypted. */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../src/crypto/envelope.js';
import { queryRows } from '../src/db/rows.js';
import { auditEvents, orgSecrets, organizations, tenantKeys } from '../src/db/schema/index.js';
import { unwrapDataKey } from '../src/crypto/envelope.js';
import { ORG_SECRET_PURPOSES } from '../src/credentials/org-secrets.js';
import { apiClient, createOrg, mintToken, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let org: TestOrg;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'] });
  org = await createOrg(server, 'webhook');
});
afterAll(async () => server?.stop());

describe('PUT /api/orgs/:orgId/budget-webhook', () => {
  it('sets the URL and returns a new signing secret once; the secret is stored encrypted and never audited', async () => {
    const admin = apiClient(server, await mintToken(server, org, 'admin'));
    const response = await admin.put<{ url: string; secret: string }>(`/api/orgs/${org.orgId}/budget-webhook`, {
      url: 'https://hooks.example.test/budget',
    });
    expect(response.status).toBe(200);
    expect(response.body.url).toBe('https://hooks.example.test/budget');
    const secret = response.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    await server.runtime.apiDb.withTenant(org.orgId, async (tx) => {
      const [settings] = await tx.select({ settings: organizations.settings }).from(organizations);
      expect(settings?.settings).toMatchObject({ budgetWebhookUrl: 'https://hooks.example.test/budget' });
      const [row] = await tx.select().from(orgSecrets).where(eq(orgSecrets.kind, 'budget_webhook'));
      expect(row!.ciphertext.includes(Buffer.from(secret))).toBe(false);
      const [tenantKey] = await tx.select().from(tenantKeys).where(eq(tenantKeys.id, row!.tenantKeyId));
      const dataKey = unwrapDataKey(server.runtime.keyring.active!, tenantKey!.wrappedKey, { orgId: org.orgId, dataKeyId: tenantKey!.id });
      expect(
        decryptSecret(dataKey, row!.ciphertext, { orgId: org.orgId, rowId: row!.id, purpose: ORG_SECRET_PURPOSES.budget_webhook }),
      ).toBe(secret);
      const actions = (await tx.select({ action: auditEvents.action, diff: auditEvents.diff }).from(auditEvents)).filter(
        (e) => e.action === 'org_secret.updated' || e.action === 'org.updated',
      );
      expect(actions.map((a) => a.action).sort()).toEqual(['org.updated', 'org_secret.updated']);
      expect(JSON.stringify(actions)).not.toContain(secret);
    });
    // A later read of anything never shows it again.
    const all = await queryRows(server.runtime.database.db, sql`select * from audit_events`);
    expect(JSON.stringify(all)).not.toContain(secret);
    expect(server.logLines.join('\n')).not.toContain(secret);

    const again = await admin.put<{ secret: string }>(`/api/orgs/${org.orgId}/budget-webhook`, {
      url: 'https://hooks.example.test/budget',
    });
    expect(again.body.secret).not.toBe(secret); // re-setting rotates the secret
  });

  it('needs limits:write (a developer gets 403) and a well-formed URL (400)', async () => {
    const developer = apiClient(server, await mintToken(server, org, 'developer'));
    expect((await developer.put(`/api/orgs/${org.orgId}/budget-webhook`, { url: 'https://x.test/' })).status).toBe(403);
    const admin = apiClient(server, await mintToken(server, org, 'admin'));
    expect((await admin.put(`/api/orgs/${org.orgId}/budget-webhook`, { url: 'ftp://x.test/' })).status).toBe(400);
    expect((await admin.put(`/api/orgs/${org.orgId}/budget-webhook`, { url: 'https://x.test/', secret: 'mine' })).status).toBe(400);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { createEvaluator } from './evaluator.js';
import { createKeyNetworkTracker } from './key-networks.js';
import { defaultSecurityAlerts, type SecurityAlertSettings } from './settings.js';

const store = new MemoryStore();
afterAll(() => store.close());
const evaluate = createEvaluator({ store, networks: createKeyNetworkTracker(store) });
const withMail = (): SecurityAlertSettings => ({ ...defaultSecurityAlerts(), emails: ['sec@example.test'] });
const failed = (orgId: string) => ({ kind: 'login_failed' as const, orgId, userId: 'u1', ip: '198.51.100.7' });
const used = (orgId: string, apiKeyId: string, ip: string) => ({ kind: 'api_key_used' as const, orgId, projectId: 'p1', apiKeyId, ip });

describe('security alert evaluator', () => {
  it('fires a counting rule once at its threshold, then keeps quiet for the window', async () => {
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await evaluate(failed('org-a'), withMail()));
    expect(results.map((r) => r !== null)).toEqual([false, false, false, false, true, false, false, false]);
    expect(results[4]).toMatchObject({ rule: 'failedLogins', details: { count: 5, threshold: 5 } });
  });

  it('counts nothing without a destination or with the rule off', async () => {
    for (let i = 0; i < 6; i++) expect(await evaluate(failed('org-b'), defaultSecurityAlerts())).toBeNull();
    const off = withMail();
    off.rules.failedLogins.enabled = false;
    for (let i = 0; i < 6; i++) expect(await evaluate(failed('org-b'), off)).toBeNull();
  });

  it('learns a key’s networks even without a destination, so adding one later flags only new ones', async () => {
    expect(await evaluate(used('org-c', 'k1', '203.0.113.5'), defaultSecurityAlerts())).toBeNull();
    expect(await evaluate(used('org-c', 'k1', '2001:db8:1::5'), defaultSecurityAlerts())).toBeNull();
    expect(await evaluate(used('org-c', 'k1', '203.0.113.99'), withMail())).toBeNull();
    expect(await evaluate(used('org-c', 'k1', '2001:db8:1:ffff::1'), withMail())).toBeNull();
    expect(await evaluate(used('org-c', 'k1', '198.51.100.1'), withMail())).toMatchObject({
      rule: 'newApiKeyNetwork',
      details: { network: '198.51.100.0/24' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { generateDataKey, generateMasterKey, parseMasterKey, unwrapDataKey, wrapDataKey } from '../crypto/envelope.js';
import { createMasterKeyring } from '../crypto/master-keyring.js';
import { createLogger } from '../logging/logger.js';
import { followMasterKeys } from './master-key-wiring.js';
import { SecretValues } from './secret-values.js';

const ctx = { orgId: 'org-1', dataKeyId: 'dk-1' };

describe('a refreshed MASTER_KEY reference', () => {
  it('becomes the active key once the old one is kept as a previous key, and what the old key wrapped still opens', () => {
    const oldText = generateMasterKey();
    const newText = generateMasterKey();
    const oldKey = parseMasterKey(oldText);
    const keyring = createMasterKeyring(oldKey);
    const wrapped = wrapDataKey(oldKey, generateDataKey(), ctx);
    const values = new SecretValues([
      ['MASTER_KEY', oldText],
      ['MASTER_KEY_PREVIOUS', ''],
    ]);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    followMasterKeys(keyring, values, logger);

    // The new key alone would leave the old data keys unreadable: refused, nothing changes.
    values.set('MASTER_KEY', newText);
    expect(keyring.active?.id).toBe(oldKey.id);
    expect(lines.join('')).toContain('not adopted');
    // With the old key kept as a previous key it is adopted.
    values.set('MASTER_KEY_PREVIOUS', oldText);
    expect(keyring.active?.id).toBe(parseMasterKey(newText).id);
    expect(unwrapDataKey(keyring.byId.get(oldKey.id)!, wrapped, ctx)).toHaveLength(32);
    // No key material in what was logged.
    for (const secret of [oldText, newText]) expect(lines.join('')).not.toContain(secret);
  });
});

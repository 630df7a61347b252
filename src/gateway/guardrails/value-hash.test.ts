import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createValueHasher } from './value-hash.js';

describe('guardrail value hashes', () => {
  const ssn = ['123', '45', '6780'].join('-');

  it('are stable within an org, unrelated across orgs and instances, and not a plain hash', () => {
    const hashes = createValueHasher('instance-secret-a');
    const orgA = hashes('org-a');
    expect(orgA(ssn)).toBe(hashes('org-a')(ssn));
    expect(orgA(ssn)).toMatch(/^[0-9a-f]{64}$/);
    expect(orgA(ssn)).not.toBe(hashes('org-b')(ssn));
    expect(orgA(ssn)).not.toBe(createValueHasher('instance-secret-b')('org-a')(ssn));
    expect(orgA(ssn)).not.toBe(createHash('sha256').update(ssn).digest('hex'));
    expect(orgA(ssn)).not.toBe(orgA(ssn.replace('0', '1')));
  });
});

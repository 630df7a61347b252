import { describe, expect, it } from 'vitest';
import type { ProviderId } from './ids.js';
import { PROVIDER_IDS } from './ids.js';
import { providerAdapter } from './registry.js';

describe('providerAdapter', () => {
  it.each(PROVIDER_IDS.map((id) => [id]))('returns the %s adapter', (id) => {
    const adapter = providerAdapter(id);
    expect(adapter.id).toBe(id);
    expect(typeof adapter.chatRequest).toBe('function');
    expect(typeof adapter.errorInfo).toBe('function');
  });

  it('refuses an unknown id, including prototype keys', () => {
    expect(() => providerAdapter('nope' as ProviderId)).toThrow(/unknown provider/);
    expect(() => providerAdapter('constructor' as ProviderId)).toThrow(/unknown provider/);
  });
});

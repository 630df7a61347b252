import { describe, expect, it } from 'vitest';
import { heapGrowthChosen } from './heap-growth.js';

describe('heapGrowthChosen: the gateway sets its heap growth factor only when the operator did not', () => {
  it('is false without the flag, so the gateway applies its own', () => {
    expect(heapGrowthChosen(['--enable-source-maps'], '--max-old-space-size=512')).toBe(false);
    expect(heapGrowthChosen([], undefined)).toBe(false);
  });

  it('sees the flag on the command line or in NODE_OPTIONS, spelled with dashes or underscores', () => {
    expect(heapGrowthChosen(['--heap-growing-percent=50'], undefined)).toBe(true);
    expect(heapGrowthChosen([], '--enable-source-maps --heap_growing_percent=80')).toBe(true);
  });

  it('does not mistake a flag that merely starts alike', () => {
    expect(heapGrowthChosen(['--heap-growing-percentage-typo'], undefined)).toBe(false);
  });
});

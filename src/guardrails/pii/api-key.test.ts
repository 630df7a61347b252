import { describe, expect, it } from 'vitest';
import { detectSecrets } from '../secrets/detect.js';
import { detectApiKeys } from './api-key.js';

const spans = (text: string) => detectApiKeys(text).map((f) => text.slice(f.start, f.end));

describe('detectApiKeys', () => {
  it('reports exactly what the secret detector finds, typed API_KEY', () => {
    const text = `API_KEY="q8Zr3LmP0xWv7Ty2Nk5Bd9Hs" and token = "${'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B'}"`;
    const secrets = detectSecrets(text).map((f) => text.slice(f.start, f.end));
    expect(secrets).toEqual(['q8Zr3LmP0xWv7Ty2Nk5Bd9Hs', 'glpat-q8Zr3LmP0xWv7Ty2Nk5B']);
    expect(spans(text)).toEqual(secrets);
    expect(detectApiKeys(text).every((f) => f.detector === 'pii' && f.type === 'API_KEY')).toBe(true);
  });

  it('ignores git SHAs, UUIDs, placeholders and prose', () => {
    expect(spans('commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it')).toEqual([]);
    expect(spans('id 123e4567-e89b-12d3-a456-426614174000')).toEqual([]);
    expect(spans('api_key = "your_api_key_here_123456" and token: xxxxxxxxxxxxxxxxxxxx')).toEqual([]);
    expect(spans('sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx and the token is valid for a long while')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { encodeAad } from './aad.js';

describe('encodeAad', () => {
  it('length-prefixes each field with a 4-byte big-endian UTF-8 byte count', () => {
    expect(encodeAad(['ab', 'é']).toString('hex')).toBe('00000002' + '6162' + '00000002' + 'c3a9');
  });

  it('keeps field boundaries, so shifting a separator changes the encoding', () => {
    expect(encodeAad(['a:b', 'c']).equals(encodeAad(['a', 'b:c']))).toBe(false);
    expect(encodeAad(['ab', '']).equals(encodeAad(['a', 'b']))).toBe(false);
    expect(encodeAad(['a', 'b']).equals(encodeAad(['ab']))).toBe(false);
  });

  it('refuses lone surrogates, which UTF-8 would silently replace', () => {
    expect(() => encodeAad(['\uD800'])).toThrow(TypeError);
    expect(() => encodeAad(['😀'])).not.toThrow();
  });
});

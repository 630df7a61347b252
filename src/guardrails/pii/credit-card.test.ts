import { describe, expect, it } from 'vitest';
import { cardIssuer, detectCreditCards, luhnValid } from './credit-card.js';

const spans = (text: string) => detectCreditCards(text).map((f) => text.slice(f.start, f.end));

describe('detectCreditCards', () => {
  it('finds Luhn-valid numbers of known issuers, grouped or not', () => {
    expect(spans('card 4111111111111111 and 4111 1111 1111 1111 and 4111-1111-1111-1111')).toEqual([
      '4111111111111111',
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
    ]);
    expect(spans('amex 3782 822463 10005, diners 30569309025904, mc 5555555555554444, mc2 2223003122003222')).toEqual([
      '3782 822463 10005',
      '30569309025904',
      '5555555555554444',
      '2223003122003222',
    ]);
    expect(spans('discover 6011111111111117 jcb 3530111333300000 unionpay 6200000000000005 maestro 6304000000000000')).toHaveLength(4);
  });

  it('identifies issuers by prefix and length', () => {
    expect(cardIssuer('4111111111111111')).toBe('visa');
    expect(cardIssuer('371449635398431')).toBe('amex');
    expect(cardIssuer('180016070420458')).toBe('jcb15');
    expect(cardIssuer('630427373398')).toBe('maestro');
    expect(cardIssuer('9111111111111111')).toBeUndefined();
    expect(cardIssuer('41111111111111')).toBeUndefined(); // Visa has no 14-digit numbers
  });

  it('rejects numbers failing Luhn, unknown issuers, odd groupings and placeholders', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(spans('4111111111111112')).toEqual([]);
    expect(spans('9111111111111111 1111111111111117')).toEqual([]);
    expect(spans('4111 11 11 1111 1111 and 4111-1111 1111-1111')).toEqual([]);
    expect(spans('0000 0000 0000 0000')).toEqual([]);
  });

  it('does not fire inside IBANs, longer numbers or phone numbers', () => {
    expect(spans('GB29NWBK60161331926819 and 41111111111111110 and +4411111111111111')).toEqual([]);
  });

  it('trims a CVV written after a grouped number', () => {
    expect(spans('4111 1111 1111 1111 123')).toEqual(['4111 1111 1111 1111']);
  });
});

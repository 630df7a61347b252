import { describe, expect, it } from 'vitest';
import { periodWindow } from './periods.js';

const at = (iso: string): Date => new Date(iso);

describe('periodWindow', () => {
  it('hourly: the UTC hour, resetting at the next hour', () => {
    expect(periodWindow('hourly', at('2026-11-28T14:37:12.345Z'))).toEqual({
      id: '2026-11-28T14',
      start: at('2026-11-28T14:00:00.000Z'),
      resetsAt: at('2026-11-28T15:00:00.000Z'),
    });
  });

  it('daily: the UTC day', () => {
    expect(periodWindow('daily', at('2026-11-28T23:59:59.999Z'))).toEqual({
      id: '2026-11-28',
      start: at('2026-11-28T00:00:00.000Z'),
      resetsAt: at('2026-11-29T00:00:00.000Z'),
    });
  });

  it('monthly: the UTC month', () => {
    expect(periodWindow('monthly', at('2026-11-28T14:00:00Z'))).toEqual({
      id: '2026-11',
      start: at('2026-11-01T00:00:00.000Z'),
      resetsAt: at('2026-12-01T00:00:00.000Z'),
    });
  });

  it('lifetime: one window since the epoch that never resets', () => {
    expect(periodWindow('lifetime', at('2026-11-28T14:00:00Z'))).toEqual({ id: 'lifetime', start: new Date(0), resetsAt: null });
  });

  it('an instant exactly on a boundary belongs to the window it starts', () => {
    const now = at('2026-12-01T00:00:00.000Z');
    expect(periodWindow('hourly', now).id).toBe('2026-12-01T00');
    expect(periodWindow('daily', now).id).toBe('2026-12-01');
    expect(periodWindow('monthly', now).id).toBe('2026-12');
    expect(periodWindow('hourly', new Date(now.getTime() - 1)).id).toBe('2026-11-30T23');
  });

  it('rolls over the month and the year', () => {
    const lastHour = at('2026-12-31T23:30:00Z');
    expect(periodWindow('hourly', lastHour).resetsAt).toEqual(at('2027-01-01T00:00:00Z'));
    expect(periodWindow('daily', lastHour).resetsAt).toEqual(at('2027-01-01T00:00:00Z'));
    expect(periodWindow('monthly', lastHour)).toEqual({
      id: '2026-12',
      start: at('2026-12-01T00:00:00Z'),
      resetsAt: at('2027-01-01T00:00:00Z'),
    });
    expect(periodWindow('daily', at('2026-01-31T12:00:00Z')).resetsAt).toEqual(at('2026-02-01T00:00:00Z'));
  });

  it('handles leap days', () => {
    expect(periodWindow('daily', at('2028-02-29T08:00:00Z'))).toEqual({
      id: '2028-02-29',
      start: at('2028-02-29T00:00:00Z'),
      resetsAt: at('2028-03-01T00:00:00Z'),
    });
    expect(periodWindow('monthly', at('2028-02-15T00:00:00Z')).resetsAt).toEqual(at('2028-03-01T00:00:00Z'));
  });

  it('uses UTC, not the local offset of the instant', () => {
    // 00:30 on the 1st in UTC+02:00 is still the previous month (and day) in UTC.
    const now = at('2026-12-01T00:30:00+02:00');
    expect(periodWindow('monthly', now).id).toBe('2026-11');
    expect(periodWindow('daily', now).id).toBe('2026-11-30');
    expect(periodWindow('hourly', now).id).toBe('2026-11-30T22');
  });

  it('pads small years so ids keep sorting in time order', () => {
    expect(periodWindow('daily', at('0999-03-04T05:00:00Z')).id).toBe('0999-03-04');
  });

  it('rejects an invalid date instead of naming a NaN window', () => {
    expect(() => periodWindow('daily', new Date('not a date'))).toThrow(RangeError);
  });
});

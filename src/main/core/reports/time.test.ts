import { describe, expect, it } from 'vitest';
import { isValidTimeZone, ZonedTime } from './time';

describe('ZonedTime', () => {
  it('writes ISO-8601 with the zone offset, across a daylight-saving change', () => {
    const paris = new ZonedTime('Europe/Paris');
    // 2026-03-29 01:00 UTC: clocks in Paris go from 02:00 (+01:00) to 03:00 (+02:00)
    expect(paris.iso(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe('2026-03-29T01:59:59+01:00');
    expect(paris.iso(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe('2026-03-29T03:00:00+02:00');
    expect(new ZonedTime('UTC').iso(Date.UTC(2026, 10, 2, 8, 5, 0))).toBe('2026-11-02T08:05:00Z');
    expect(new ZonedTime('America/St_Johns').iso(Date.UTC(2026, 10, 2, 12, 0, 0))).toBe('2026-11-02T08:30:00-03:30');
    expect(new ZonedTime('Asia/Kathmandu').iso(Date.UTC(2026, 10, 2, 12, 0, 0))).toBe('2026-11-02T17:45:00+05:45');
  });

  it('gives wall time for spreadsheet cells and refuses unknown zones', () => {
    expect(new Date(new ZonedTime('Europe/London').wallMs(Date.UTC(2026, 6, 1, 12, 0, 0))).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => new ZonedTime('Mars/Olympus')).toThrow(/unknown time zone/);
  });
});

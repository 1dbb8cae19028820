import { describe, expect, it } from 'vitest';
import { decimalNumber, MAX_PAYLOAD_BYTES, parseDateMs, parseTimestampMs, validateTelemetry, vehicleIdFromTopic } from './validate';
import { telemetry } from '../../../../test/helpers';

const json = (o: unknown) => JSON.stringify(o);

describe('validateTelemetry', () => {
  it('accepts a complete report and converts it to UTC epoch ms with units in names', () => {
    const r = validateTelemetry(json(telemetry({ timestamp: '2026-11-23T09:00:00+01:00', hdop: 0.9, satellites: 9, ignition: true, driver_id: 'D1', dtc_codes: ['P0301'] })), 'T-001');
    expect(r).toEqual({
      ok: true,
      point: {
        vehicleId: 'T-001',
        tsMs: Date.UTC(2026, 10, 23, 8, 0, 0),
        lat: 52.48,
        lon: -1.89,
        speedKmh: 42.5,
        headingDeg: 90,
        fuelLevelPct: 55,
        engineRpm: 2100,
        odometerKm: 12345.6,
        dtcCodes: ['P0301'],
        hdop: 0.9,
        satellites: 9,
        coolantTempC: null,
        ignition: true,
        driverId: 'D1',
      },
    });
  });

  it('accepts epoch milliseconds and a minimal report of id, time and position', () => {
    const r = validateTelemetry(json({ vehicle_id: 'A', timestamp: 1763884800000, lat: 0.5, lon: 0.5 }));
    expect(r.ok && r.point.tsMs).toBe(1763884800000);
    expect(r.ok && r.point.speedKmh).toBeNull();
  });

  it.each([
    ['malformed JSON', '{"vehicle_id": "T-001", "lat": ', /malformed JSON/],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x88]), /malformed JSON/],
    ['an empty payload', '', /empty payload/],
    ['a JSON array', '[1,2,3]', /not a JSON object/],
    ['a string latitude', json(telemetry({ lat: '52.48' })), /field lat: .*got "52.48"/],
    ['latitude beyond 90', json(telemetry({ lat: 91 })), /field lat/],
    ['longitude beyond 180', json(telemetry({ lon: -180.5 })), /field lon/],
    ['a missing vehicle_id', json({ timestamp: 1763884800000, lat: 1, lon: 1 }), /field vehicle_id: .*missing/],
    ['a negative speed', json(telemetry({ speed_kmh: -3 })), /field speed_kmh/],
    ['dtc_codes that are not strings', json(telemetry({ dtc_codes: [1, 2] })), /field dtc_codes/],
    ['a time without a zone', json(telemetry({ timestamp: '2026-11-23 08:00:00' })), /not ISO-8601 with a time zone/],
    ['epoch seconds instead of ms', json(telemetry({ timestamp: 1763884800 })), /looks like epoch seconds/],
    ['an impossible date', json(telemetry({ timestamp: '2026-13-45T08:00:00Z' })), /not a real date/],
    ['a huge number that overflows to Infinity', '{"vehicle_id":"T-001","timestamp":1e999,"lat":1,"lon":1}', /timestamp is not a finite number|field timestamp/],
    ['deep nesting', json(telemetry({ extra: { a: { b: { c: { d: 1 } } } } })), /nested deeper/],
  ])('rejects %s with a reason', (_name, payload, reason) => {
    const r = validateTelemetry(payload as string);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('rejects a payload over the size limit before parsing it', () => {
    const r = validateTelemetry('x'.repeat(MAX_PAYLOAD_BYTES + 1));
    expect(!r.ok && r.reason).toMatch(/payload too large/);
  });

  it('refuses a report for another vehicle than the topic names', () => {
    const r = validateTelemetry(json(telemetry({ vehicle_id: 'T-002' })), 'T-001');
    expect(!r.ok && r.reason).toBe('vehicle_id "T-002" does not match topic vehicle "T-001"');
  });
});

describe('parseTimestampMs', () => {
  it('reads fractional seconds and offsets', () => {
    expect(parseTimestampMs('2026-01-01T00:00:00.250-05:00')).toEqual({ ok: true, ms: Date.UTC(2026, 0, 1, 5, 0, 0, 250) });
  });
});

describe('vehicleIdFromTopic', () => {
  it('takes the id from fleet/<id>/telemetry and nothing else', () => {
    expect(vehicleIdFromTopic('fleet/VH-001/telemetry')).toBe('VH-001');
    expect(vehicleIdFromTopic('fleet/VH-001/status')).toBeNull();
    expect(vehicleIdFromTopic('fleet/a/b/telemetry')).toBeNull();
    for (const t of ['fleet//telemetry', 'fleet/telemetry', 'fleet/', '', 'xfleet/A/telemetry', 'fleet/A/telemetryx', 'fleet/A/telemetry/', 'Fleet/A/telemetry']) {
      expect(vehicleIdFromTopic(t), t).toBeNull();
    }
    expect(vehicleIdFromTopic('fleet/telemetry/telemetry')).toBe('telemetry');
  });

  it('refuses dates that do not exist and times beyond any real clock, instead of rolling them over', () => {
    expect(parseTimestampMs('2026-02-31T08:00:00Z')).toEqual({ ok: false, reason: 'timestamp "2026-02-31T08:00:00Z" is not a real date' });
    expect(parseTimestampMs('2026-04-31T08:00:00Z').ok).toBe(false);
    expect(parseTimestampMs('2026-11-23T24:00:00Z').ok).toBe(false);
    expect(parseTimestampMs('2026-11-23T08:60:00Z').ok).toBe(false);
    expect(parseTimestampMs('2026-11-23T08:00:00+15:00').ok).toBe(false);
    expect(parseTimestampMs('2028-02-29T08:00:00Z')).toEqual({ ok: true, ms: Date.UTC(2028, 1, 29, 8) }); // a leap day is real
    expect(parseTimestampMs(1e20)).toEqual({ ok: false, reason: 'timestamp 100000000000000000000 is after 2100-01-01: not a real time' });
    expect(parseTimestampMs('9999-01-01T00:00:00Z').ok).toBe(false);
    expect(validateTelemetry(json(telemetry({ timestamp: 1e20 })), 'T-001').ok).toBe(false);
    expect(parseDateMs('2026-02-30')).toBeNaN();
    expect(parseDateMs(' 2026-02-28 ')).toBe(Date.UTC(2026, 1, 28));
  });

  it('reads numbers only in decimal', () => {
    expect(decimalNumber('52.48')).toBe(52.48);
    expect(decimalNumber('-1.5e-3')).toBe(-0.0015);
    for (const bad of ['0x10', '0b11', '0o17', '1_000', 'Infinity', '', ' ', '1,5', '--1']) expect(decimalNumber(bad), bad).toBeNaN();
  });
});

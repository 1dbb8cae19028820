import { describe, expect, it } from 'vitest';
import { osmandTimestampMs, parseOsmAndJson, parseOsmAndParams } from './osmand';

const NOW = Date.UTC(2026, 10, 23, 8);
const q = (s: string) => parseOsmAndParams(new URLSearchParams(s), NOW);

describe('OsmAnd protocol', () => {
  it('reads the Traccar Client example: knots to km/h, epoch seconds, bearing, ignition, rpm, extras as attributes', () => {
    const r = q('id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24');
    expect(r).toMatchObject({
      ok: true,
      point: { vehicleId: '123456789012345', tsMs: 1_504_763_810_000, lat: 40.7232948571, lon: -74.0061408571, speedKmh: 74.08, headingDeg: 7.19889788244, ignition: true, engineRpm: 933, attributes: { fuel: 24 } },
    });
  });

  it.each([
    ['epoch seconds', '1504763810', 1_504_763_810_000],
    ['epoch ms (≥ 2^31)', '1504763810123', 1_504_763_810_123],
    ['ISO-8601', '2026-11-23T09:00:00+01:00', Date.UTC(2026, 10, 23, 8)],
    ['yyyy-MM-dd HH:mm:ss as UTC', '2026-11-23 08:00:00', Date.UTC(2026, 10, 23, 8)],
  ])('reads a timestamp as %s', (_n, ts, ms) => {
    const r = q(`id=A&lat=1&lon=1&timestamp=${encodeURIComponent(ts)}`);
    expect(r.ok && r.point.tsMs).toBe(ms);
  });

  it('takes deviceid, location=lat,lon, heading, hdop, driverUniqueId, and uses the receive time without a timestamp', () => {
    const r = q('deviceid=TRK-9&location=52.48,-1.89&heading=180&hdop=1.2&driverUniqueId=DR-7&altitude=140&accuracy=5&batt=87');
    expect(r).toMatchObject({ ok: true, point: { vehicleId: 'TRK-9', tsMs: NOW, lat: 52.48, lon: -1.89, headingDeg: 180, hdop: 1.2, driverId: 'DR-7', attributes: { altitude: 140, accuracy: 5, batt: 87 } } });
  });

  it('answers 400 with the reason for a request without id, without a position, or with nonsense', () => {
    expect(q('lat=1&lon=1')).toEqual({ ok: false, reason: 'OsmAnd request without id or deviceid', status: 400 });
    expect(q('id=A&lat=1')).toMatchObject({ ok: false, status: 400, reason: 'OsmAnd request without lat/lon or location=lat,lon' });
    expect(q('id=A&lat=north&lon=1')).toMatchObject({ ok: false, status: 400, reason: 'OsmAnd field for lat is not a number' });
    expect(q('id=A&lat=95&lon=1')).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(/^field lat/) });
    expect(osmandTimestampMs('', NOW)).toBe(NOW);
  });

  it('reads the JSON body form: speed in m/s, negative speed or heading as unknown, battery level', () => {
    const r = parseOsmAndJson(
      { device_id: '555', location: { timestamp: '2026-11-23T08:00:00.000Z', coords: { latitude: 52.48, longitude: -1.89, speed: 10, heading: -1, accuracy: 4, altitude: 120 }, battery: { level: 0.42 } } },
      NOW,
    );
    expect(r).toMatchObject({ ok: true, point: { vehicleId: '555', tsMs: NOW, speedKmh: 36, headingDeg: null, attributes: { accuracy: 4, altitude: 120, batt: 42 } } });
    expect(parseOsmAndJson({ location: {} }, NOW)).toMatchObject({ ok: false, status: 400, reason: 'OsmAnd JSON without device_id' });
  });

  it('refuses hexadecimal coordinates and impossible dates, and keeps hex-looking extras as text', () => {
    expect(q('id=P1&lat=0x10&lon=1&timestamp=1504763810')).toMatchObject({ ok: false, reason: expect.stringContaining('lat') });
    expect(q('id=P1&location=0x10,0x20&timestamp=1504763810').ok).toBe(false);
    expect(q('id=P1&lat=10&lon=1&timestamp=2026-02-31%2010:00:00')).toMatchObject({ ok: false, reason: expect.stringContaining('not a real date') });
    expect(q('id=P1&lat=10&lon=1&timestamp=100000000000000000000').ok).toBe(false);
    expect(q('id=P1&lat=10&lon=1&timestamp=1504763810&code=0x10')).toMatchObject({ ok: true, point: { attributes: { code: '0x10' } } });
  });
});

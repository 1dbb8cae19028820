import { describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { QualityFilter } from './quality';

const T0 = Date.UTC(2026, 10, 23, 8);
const p = (over: Partial<TelemetryPoint>): TelemetryPoint => ({
  vehicleId: 'V',
  tsMs: T0,
  lat: 52.48,
  lon: -1.89,
  speedKmh: 40,
  headingDeg: 0,
  fuelLevelPct: null,
  engineRpm: null,
  odometerKm: null,
  dtcCodes: [],
  hdop: 1,
  satellites: 9,
  coolantTempC: null,
  ignition: null,
  driverId: null,
  ...over,
});

describe('QualityFilter', () => {
  it('trusts a normal fix and flags poor precision, few satellites and 0,0', () => {
    const f = new QualityFilter();
    expect(f.check(p({}), T0)).toEqual([]);
    expect(f.check(p({ tsMs: T0 + 1000, hdop: 7.5 }), T0 + 1000)).toEqual(['high_hdop']);
    expect(f.check(p({ tsMs: T0 + 2000, satellites: 3 }), T0 + 2000)).toEqual(['few_satellites']);
    expect(f.check(p({ tsMs: T0 + 3000, lat: 0, lon: 0 }), T0 + 3000)).toEqual(['zero_position']);
  });

  it('flags a jump that implies more than 250 km/h from the last trusted fix, and keeps judging from that fix', () => {
    const f = new QualityFilter();
    f.check(p({}), T0);
    // 0.01° of latitude = 1,113 m in 10 s = 400 km/h
    expect(f.check(p({ tsMs: T0 + 10_000, lat: 52.49 }), T0 + 10_000)).toEqual(['jump']);
    // back near the trusted track 20 s later: 111 m in 20 s = 20 km/h
    expect(f.check(p({ tsMs: T0 + 20_000, lat: 52.481 }), T0 + 20_000)).toEqual([]);
    // 1,000 m in 20 s = 180 km/h: fast but possible
    expect(f.check(p({ tsMs: T0 + 40_000, lat: 52.481 + 1000 / 111_320 }), T0 + 40_000)).toEqual([]);
  });

  it('flags a fix from the future (wrong device clock) and one implausibly old, but not one a few minutes late', () => {
    const f = new QualityFilter();
    expect(f.check(p({ tsMs: T0 + 10 * 60_000 }), T0)).toEqual(['future_time']);
    expect(f.check(p({ tsMs: T0 - 40 * 86_400_000 }), T0)).toEqual(['old_time']);
    expect(f.check(p({ tsMs: T0 - 3 * 60_000 }), T0)).toEqual([]);
  });

  it('has no opinion on fields a device does not send', () => {
    expect(new QualityFilter().check(p({ hdop: null, satellites: null }), T0)).toEqual([]);
  });
});

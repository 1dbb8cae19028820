import { describe, expect, it } from 'vitest';
import { DistanceAccumulator, MIN_SCORING_KM, scoreDrivers, scoreOf } from './scoring';

describe('driver scoring', () => {
  it('deducts penalty × severity per 100 km (hand-computed)', () => {
    // 2 harsh brakes (3 × 0.5 each = 3), 1 speeding (5 × 0.8 = 4), 1 idle (1 × 1 = 1): 8 points over 200 km = 4 per 100 km
    const events = [
      { type: 'harsh_brake', severity: 0.5 },
      { type: 'harsh_brake', severity: 0.5 },
      { type: 'speeding', severity: 0.8 },
      { type: 'excessive_idle', severity: 1 },
    ];
    expect(scoreOf(events, 200)).toEqual({ score: 96, deductionPer100Km: 4 });
    // unknown types cost 1; custom penalties apply
    expect(scoreOf([{ type: 'something_else', severity: 1 }], 100)).toEqual({ score: 99, deductionPer100Km: 1 });
    expect(scoreOf([{ type: 'speeding', severity: 1 }], 100, { speeding: 10 })).toEqual({ score: 90, deductionPer100Km: 10 });
    // never below 0
    expect(scoreOf(Array.from({ length: 50 }, () => ({ type: 'speeding', severity: 1 })), 10).score).toBe(0);
  });

  it('gives no score, not 100, without enough driving', () => {
    expect(scoreOf([], 0)).toEqual({ score: null, deductionPer100Km: null });
    expect(scoreOf([], MIN_SCORING_KM - 0.1).score).toBeNull();
    expect(scoreOf([], MIN_SCORING_KM).score).toBe(100);
  });

  it('ranks drivers best first, unscored last, with the trend against the previous period', () => {
    const km = new Map([['A', 100], ['B', 100], ['C', 1]]);
    const events = [
      { type: 'speeding' as const, severity: 1, driverId: 'B' },
      { type: 'harsh_brake' as const, severity: 1, driverId: 'C' },
      { type: 'harsh_brake' as const, severity: 1, driverId: null },
    ];
    const prev = { events: [{ type: 'speeding' as const, severity: 1, driverId: 'A' }], kmByDriver: new Map([['A', 50]]) };
    const r = scoreDrivers(events, km, {}, prev);
    expect(r.map((d) => [d.driverId, d.score, d.events, d.trend])).toEqual([
      ['A', 100, 0, 10], // 90 before (5 per 50 km = 10 per 100 km)
      ['B', 95, 1, null],
      ['C', null, 1, null],
    ]);
    expect(r[1]).toMatchObject({ eventsPer100Km: 1, eventsByType: { speeding: 1 } });
  });

  it('measures distance from a valid odometer, else from GPS, per driver', () => {
    const d = new DistanceAccumulator();
    const t = 1_000_000;
    // odometer 100 → 101 km in 1 min: valid (60 km/h)
    d.add({ vehicleId: 'V', tsMs: t, lat: 52, lon: 0, odometerKm: 100, driverId: 'A' });
    d.add({ vehicleId: 'V', tsMs: t + 60_000, lat: 52, lon: 0.01, odometerKm: 101, driverId: 'A' });
    // odometer jumps 500 km in 1 min: invalid, GPS used (0.01° of longitude at 52° ≈ 0.685 km)
    d.add({ vehicleId: 'V', tsMs: t + 120_000, lat: 52, lon: 0.02, odometerKm: 601, driverId: 'A' });
    // no odometer: GPS; leg counted for the later fix's driver
    d.add({ vehicleId: 'V', tsMs: t + 180_000, lat: 52, lon: 0.03, odometerKm: null, driverId: 'B' });
    // another vehicle: no leg across vehicles
    d.add({ vehicleId: 'W', tsMs: t, lat: 0, lon: 0, odometerKm: 5, driverId: 'B' });
    expect(d.kmByDriver.get('A')).toBeCloseTo(1 + 0.6847, 3);
    expect(d.kmByDriver.get('B')).toBeCloseTo(0.6847, 3);
    expect(d.kmByVehicle.get('W')).toBeUndefined();
  });
});

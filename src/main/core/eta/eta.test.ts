import { describe, expect, it } from 'vitest';
import type { Trip } from '../../../shared/contract/history';
import { M_PER_DEG } from '../geo/distance';
import { distanceAlongRouteKm, estimateEta, hourOfWeek, learnEtaModel } from './eta';

const LAT = 52.48;
const kmEast = (km: number) => (km * 1000) / (M_PER_DEG * Math.cos((LAT * Math.PI) / 180));
// Monday 2 Nov 2026 09:00 UTC (London = UTC in November): hour of week 1 × 24 + 9 = 33
const MON9 = Date.UTC(2026, 10, 2, 9, 0, 0);

function trip(vehicleId: string, startMs: number, straightKm: number, distanceKm: number, avgSpeedKmh: number): Trip {
  return { vehicleId, startMs, endMs: startMs + (distanceKm / avgSpeedKmh) * 3_600_000, durationS: (distanceKm / avgSpeedKmh) * 3600, distanceKm, distanceSource: 'gps', maxSpeedKmh: avgSpeedKmh * 1.5, avgSpeedKmh, start: { lat: LAT, lon: -1.9 }, end: { lat: LAT, lon: -1.9 + kmEast(straightKm) } };
}

describe('ETA model', () => {
  it('learns the median detour factor and hourly speeds, the vehicle own first', () => {
    const trips = [trip('A', MON9, 10, 12, 30), trip('A', MON9 + 7 * 86_400_000, 10, 14, 36), trip('B', MON9 + 60_000, 10, 13, 24), trip('A', MON9 + 14 * 86_400_000, 10, 13, 30)];
    const m = learnEtaModel(trips, 'Europe/London');
    expect(m.detourFactor).toBeCloseTo(1.3, 5); // ratios 1.2, 1.3, 1.3, 1.4 → median 1.3
    expect(hourOfWeek(MON9, 'Europe/London')).toBe(33);
    expect(m.fleetN[33]).toBe(4);
    expect(m.fleetKmh[33]).toBeCloseTo(30, 9); // (30 + 36 + 24 + 30) / 4
    expect(m.vehicles['A']!.kmh[33]).toBeCloseTo(32, 9); // (30 + 36 + 30) / 3
  });

  it('estimates: far away mostly historical speed, detour on the straight line; a stopped vehicle uses history; stalled after 20 min; arrived', () => {
    const m = learnEtaModel([trip('A', MON9, 10, 13, 30), trip('A', MON9 + 60_000, 10, 13, 30), trip('A', MON9 + 120_000, 10, 13, 30)], 'Europe/London');
    // 20 km east, moving at 60 km/h: distance 20 × 1.3 = 26 km; weight of the current speed e^(−26/5)
    const far = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9, speedKmh: 60, stoppedSinceMs: null, nowMs: MON9, destination: { lat: LAT, lon: -1.9 + kmEast(20) } });
    const w = Math.exp(-26 / 5);
    const v = w * 60 + (1 - w) * 30;
    expect(far.state).toBe('en_route');
    expect(far.remainingKm).toBeCloseTo(26, 1);
    expect((far.etaMs! - MON9) / 60_000).toBeCloseTo((26 / v) * 60, 1);
    expect(far.historicalSource).toBe('vehicle');
    // stopped for 5 minutes: no weight on the current speed: 26 km at 30 km/h = 52 min
    const stopped = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9, speedKmh: 0, stoppedSinceMs: MON9 - 5 * 60_000, nowMs: MON9, destination: { lat: LAT, lon: -1.9 + kmEast(20) } });
    expect((stopped.etaMs! - MON9) / 60_000).toBeCloseTo(52, 3);
    // stopped for 25 minutes: stalled, no ETA
    const stalled = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9, speedKmh: 0, stoppedSinceMs: MON9 - 25 * 60_000, nowMs: MON9, destination: { lat: LAT, lon: -1.9 + kmEast(20) } });
    expect(stalled).toMatchObject({ state: 'stalled', etaMs: null, stalledMin: 25 });
    const there = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9, speedKmh: 0, stoppedSinceMs: MON9 - 60 * 60_000, nowMs: MON9, destination: { lat: LAT, lon: -1.9 + kmEast(0.05) } });
    expect(there.state).toBe('arrived');
  });

  it('follows a known route: distance along it, not the straight line', () => {
    // an L-shaped corridor: 3 km east then 4 km north; the straight line end-to-end is 5 km
    const corner = [-1.9 + kmEast(3), LAT];
    const end = [-1.9 + kmEast(3), LAT + 4000 / M_PER_DEG];
    const route = [[-1.9, LAT], corner, end] as number[][];
    const along = distanceAlongRouteKm(route, { lat: LAT, lon: -1.9 + kmEast(1) }, { lat: end[1]!, lon: end[0]! });
    expect(along.km).toBeCloseTo(6, 2); // 2 km to the corner, 4 km north
    expect(along.offRouteKm).toBeCloseTo(0, 6);
    const m = learnEtaModel([], 'UTC');
    const eta = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9 + kmEast(1), speedKmh: 0, stoppedSinceMs: null, nowMs: MON9, destination: { lat: end[1]!, lon: end[0]! }, route });
    expect(eta.distanceSource).toBe('route');
    expect(eta.remainingKm).toBeCloseTo(6, 2);
    expect(eta.historicalSource).toBe('default');
    expect((eta.etaMs! - MON9) / 60_000).toBeCloseTo(12, 3); // 6 km at the default 30 km/h
    // past traversals of the route at this hour: 20, 24 and 40 km/h → median 24 km/h → 15 min;
    // traversals at other hours do not count while three are near this hour
    const routeSpeeds = [20, 24, 40].map((kmh, i) => ({ tsMs: MON9 - 7 * 86_400_000 + i * 60_000, kmh })).concat([{ tsMs: MON9 - 5 * 3_600_000, kmh: 90 }]);
    const slow = estimateEta(m, { vehicleId: 'A', lat: LAT, lon: -1.9 + kmEast(1), speedKmh: 0, stoppedSinceMs: null, nowMs: MON9, destination: { lat: end[1]!, lon: end[0]! }, route, routeSpeeds });
    expect(slow.historicalSource).toBe('route');
    expect(slow.historicalKmh).toBe(24);
    expect((slow.etaMs! - MON9) / 60_000).toBeCloseTo(15, 3);
  });
});

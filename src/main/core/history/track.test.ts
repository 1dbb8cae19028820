import { describe, expect, it } from 'vitest';
import { M_PER_DEG } from '../geo/distance';
import { simplifyIndices, tripsAndStops, type TrackSample } from './track';

const LAT = 52.48;
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
/** degrees of longitude for one metre at LAT */
const LON_PER_M = 1 / (M_PER_DEG * Math.cos((LAT * Math.PI) / 180));

/** Builds a drive: segments of [seconds, speed km/h], one sample every 10 s, heading east. */
function drive(segments: [number, number][], opts: { odometer?: boolean } = {}): TrackSample[] {
  const out: TrackSample[] = [];
  let t = T0;
  let xM = 0;
  for (const [seconds, kmh] of segments) {
    for (let s = 0; s < seconds; s += 10) {
      out.push({ tsMs: t, lat: LAT, lon: -1.9 + xM * LON_PER_M, speedKmh: kmh, odometerKm: opts.odometer ? 1000 + xM / 1000 : null });
      t += 10_000;
      xM += (kmh / 3.6) * 10;
    }
  }
  return out;
}

describe('trips and stops', () => {
  it('splits a drive at a stand-still longer than the minimum stop', () => {
    // 10 min at 36 km/h (100 m per sample), 6 min parked, 5 min at 72 km/h
    const samples = drive([
      [600, 36],
      [360, 0],
      [300, 72],
    ]);
    const { trips, stops } = tripsAndStops('v1', samples, { stopSpeedKmh: 3, minStopMin: 5 });
    expect(stops).toHaveLength(1);
    // first still sample at 600 s, first moving one at 960 s
    expect(stops[0]!.startMs).toBe(T0 + 600_000);
    expect(stops[0]!.endMs).toBe(T0 + 960_000);
    expect(stops[0]!.durationS).toBe(360);
    expect(trips).toHaveLength(2);
    // trip 1: samples 0…60 (the 60th is the first parked one, 6,000 m along)
    expect(trips[0]!.startMs).toBe(T0);
    expect(trips[0]!.endMs).toBe(T0 + 600_000);
    expect(trips[0]!.distanceKm).toBeCloseTo(6.0, 2);
    expect(trips[0]!.maxSpeedKmh).toBe(36);
    expect(trips[0]!.avgSpeedKmh).toBeCloseTo(36, 0);
    expect(trips[0]!.distanceSource).toBe('gps');
    // trip 2: from the moving sample at 960 s to the last at 1,250 s: 29 steps of 200 m
    expect(trips[1]!.startMs).toBe(T0 + 960_000);
    expect(trips[1]!.endMs).toBe(T0 + 1_250_000);
    expect(trips[1]!.distanceKm).toBeCloseTo(5.8, 2);
    expect(trips[1]!.maxSpeedKmh).toBe(72);
  });

  it('treats a short stand-still (traffic light) as part of the trip', () => {
    const samples = drive([
      [300, 36],
      [120, 0],
      [300, 36],
    ]);
    const { trips, stops } = tripsAndStops('v1', samples, { stopSpeedKmh: 3, minStopMin: 5 });
    expect(stops).toHaveLength(0);
    expect(trips).toHaveLength(1);
    expect(trips[0]!.distanceKm).toBeCloseTo(5.9, 2); // 59 steps of 100 m
  });

  it('counts a long gap in reports while parked as a stop, but not a gap while moving far', () => {
    const a = drive([[300, 36]]);
    const last = a[a.length - 1]!;
    // 40 min without reports, then on again 100 m away (parked: tracker asleep)
    const parked = [...a, { ...last, tsMs: last.tsMs + 40 * 60_000, lon: last.lon + 100 * LON_PER_M }];
    expect(tripsAndStops('v1', parked).stops).toHaveLength(1);
    expect(tripsAndStops('v1', parked).stops[0]!.durationS).toBe(2400);
    // the same gap but 30 km further on (a tunnel, a dead zone): not a stop
    const moved = [...a, { ...last, tsMs: last.tsMs + 40 * 60_000, lon: last.lon + 30_000 * LON_PER_M }];
    expect(tripsAndStops('v1', moved).stops).toHaveLength(0);
  });

  it('uses the odometer when it agrees with the track, and the GPS when it does not', () => {
    const samples = drive([[600, 36]], { odometer: true });
    const t1 = tripsAndStops('v1', samples).trips[0]!;
    expect(t1.distanceSource).toBe('odometer');
    expect(t1.distanceKm).toBeCloseTo(5.9, 3);
    // an odometer reset mid-trip (goes backwards): fall back to the GPS distance
    const reset = samples.map((s, i) => (i > 30 ? { ...s, odometerKm: s.odometerKm! - 1000 } : s));
    const t2 = tripsAndStops('v1', reset).trips[0]!;
    expect(t2.distanceSource).toBe('gps');
    expect(t2.distanceKm).toBeCloseTo(5.9, 2);
  });

  it('derives speed from positions when the device sends none', () => {
    const samples = drive([
      [300, 36],
      [420, 0],
      [300, 36],
    ]).map((s) => ({ ...s, speedKmh: null }));
    const { trips, stops } = tripsAndStops('v1', samples);
    expect(stops).toHaveLength(1);
    expect(trips).toHaveLength(2);
  });

  it('returns nothing for no samples and no trip for a vehicle that never moved', () => {
    expect(tripsAndStops('v1', [])).toEqual({ trips: [], stops: [] });
    const parked = drive([[3600, 0]]);
    const r = tripsAndStops('v1', parked);
    expect(r.trips).toHaveLength(0);
    expect(r.stops).toHaveLength(1);
  });
});

describe('Douglas–Peucker', () => {
  it('keeps only the ends of a straight line and the corner of an L', () => {
    const n = 1000;
    const lat = Float64Array.from({ length: n }, () => LAT);
    const lon = Float64Array.from({ length: n }, (_, i) => -1.9 + i * 10 * LON_PER_M);
    expect([...simplifyIndices(lat, lon, 1)]).toEqual([0, n - 1]);
    const latL = Float64Array.from({ length: 21 }, (_, i) => (i <= 10 ? LAT : LAT + ((i - 10) * 100) / M_PER_DEG));
    const lonL = Float64Array.from({ length: 21 }, (_, i) => -1.9 + Math.min(i, 10) * 100 * LON_PER_M);
    expect([...simplifyIndices(latL, lonL, 1)]).toEqual([0, 10, 20]);
  });

  it('drops wiggles smaller than the tolerance and keeps larger ones', () => {
    const n = 101;
    const lon = Float64Array.from({ length: n }, (_, i) => -1.9 + i * 100 * LON_PER_M);
    const small = Float64Array.from({ length: n }, (_, i) => LAT + (i % 2 ? 3 : 0) / M_PER_DEG); // 3 m zigzag
    expect(simplifyIndices(small, lon, 5)).toHaveLength(2);
    expect(simplifyIndices(small, lon, 1).length).toBe(n);
  });

  it('keeps a stop on a straight road when simplifying with time, so replay timing stays right', () => {
    // 60 samples east, 60 standing, 60 east: all on one line
    const samples = drive([
      [600, 36],
      [600, 0],
      [600, 36],
    ]);
    const lat = Float64Array.from(samples, (s) => s.lat);
    const lon = Float64Array.from(samples, (s) => s.lon);
    const ts = Float64Array.from(samples, (s) => s.tsMs);
    expect([...simplifyIndices(lat, lon, 5)]).toEqual([0, 179]); // space only: one straight line
    expect([...simplifyIndices(lat, lon, 5, ts)]).toEqual([0, 60, 120, 179]); // with time: the stop's ends
  });

  it('handles a track of millions of points without recursion', () => {
    const n = 2_000_000;
    const lat = new Float64Array(n);
    const lon = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lat[i] = LAT + Math.sin(i / 5000) * 0.01;
      lon[i] = -1.9 + i * 1e-6;
    }
    const kept = simplifyIndices(lat, lon, 5);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(n - 1);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(5000);
  });
});

// Track analysis for history: trips and stops from a vehicle's trusted points, and Douglas–Peucker
// simplification for drawing. Pure functions over plain arrays; no storage, no clock.
import type { HistorySettings, Stop, Trip } from '../../../shared/contract/history';
import { haversineM, M_PER_DEG } from '../geo/distance';

/** Douglas–Peucker works on chunks of this many points (see simplifyIndices). */
const CHUNK = 1024;

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { stopSpeedKmh: 3, minStopMin: 5 };

/** A gap without reports this long, with the vehicle ending up within `PARKED_RADIUS_M`, is a stop (device off while parked). */
const PARKED_RADIUS_M = 250;

/** One trusted sample, in time order. `maxSpeedKmh` is the highest speed since the previous sample (minute summaries). */
export interface TrackSample {
  tsMs: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  maxSpeedKmh?: number | null;
  odometerKm: number | null;
  driverId?: string | null;
}

/**
 * Stops and the trips between them.
 * - A stop is a stand-still (speed ≤ stopSpeedKmh; where a device sends no speed, the implied speed from
 *   the previous sample) lasting at least minStopMin, or a gap in reports of that length across which the
 *   vehicle moved less than 250 m (engine off, tracker asleep). Overlapping stand-stills merge.
 * - A trip runs from the end of one stop to the start of the next (or from/to the edge of the samples);
 *   stretches that never moved are left out. Distance: odometer difference when the odometer is present at
 *   both ends, never decreases and agrees with the GPS distance within 25 % (+0.5 km), else the GPS track.
 */
export function tripsAndStops(vehicleId: string, samples: readonly TrackSample[], settings: HistorySettings = DEFAULT_HISTORY_SETTINGS): { trips: Trip[]; stops: Stop[] } {
  const n = samples.length;
  if (n === 0) return { trips: [], stops: [] };
  const minStopMs = settings.minStopMin * 60_000;
  const speedAt = (i: number): number => {
    const s = samples[i]!;
    if (s.speedKmh !== null && Number.isFinite(s.speedKmh)) return s.speedKmh;
    if (i === 0) return 0;
    const p = samples[i - 1]!;
    const dt = (s.tsMs - p.tsMs) / 3_600_000;
    return dt > 0 ? haversineM(p.lon, p.lat, s.lon, s.lat) / 1000 / dt : 0;
  };
  // candidate stand-still intervals [startMs, endMs, index of the sample where it starts]
  const still: [number, number, number][] = [];
  let runStart = -1;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    if (i > 0) {
      const p = samples[i - 1]!;
      if (s.tsMs - p.tsMs >= minStopMs && haversineM(p.lon, p.lat, s.lon, s.lat) <= PARKED_RADIUS_M) still.push([p.tsMs, s.tsMs, i - 1]);
    }
    const isStill = speedAt(i) <= settings.stopSpeedKmh;
    if (isStill && runStart < 0) runStart = i;
    if (!isStill && runStart >= 0) {
      still.push([samples[runStart]!.tsMs, s.tsMs, runStart]); // stood until the sample that moved
      runStart = -1;
    }
  }
  if (runStart >= 0) still.push([samples[runStart]!.tsMs, samples[n - 1]!.tsMs, runStart]);
  still.sort((a, b) => a[0] - b[0]);
  const merged: [number, number, number][] = [];
  for (const iv of still) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([...iv]);
  }
  const stops: Stop[] = merged
    .filter(([a, b]) => b - a >= minStopMs)
    .map(([a, b, i]) => ({ vehicleId, startMs: a, endMs: b, durationS: Math.round((b - a) / 1000), lat: samples[i]!.lat, lon: samples[i]!.lon }));

  // trips between stops: sample index ranges strictly inside the moving windows (ends included)
  const cumM = new Float64Array(n);
  for (let i = 1; i < n; i++) cumM[i] = cumM[i - 1]! + haversineM(samples[i - 1]!.lon, samples[i - 1]!.lat, samples[i]!.lon, samples[i]!.lat);
  const indexAt = (tsMs: number): number => {
    // first sample with tsMs ≥ the time
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid]!.tsMs < tsMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const windows: [number, number][] = [];
  let cursor = samples[0]!.tsMs;
  for (const st of stops) {
    if (st.startMs > cursor) windows.push([cursor, st.startMs]);
    cursor = st.endMs;
  }
  if (samples[n - 1]!.tsMs > cursor) windows.push([cursor, samples[n - 1]!.tsMs]);
  const trips: Trip[] = [];
  for (const [a, b] of windows) {
    const i0 = Math.min(indexAt(a), n - 1);
    let i1 = indexAt(b);
    if (i1 >= n || samples[i1]!.tsMs > b) i1--;
    if (i1 <= i0) continue;
    let maxSpeed: number | null = null;
    for (let i = i0; i <= i1; i++) {
      const s = samples[i]!;
      const v = s.maxSpeedKmh ?? s.speedKmh;
      if (v !== null && v !== undefined && Number.isFinite(v) && (maxSpeed === null || v > maxSpeed)) maxSpeed = v;
    }
    const gpsKm = (cumM[i1]! - cumM[i0]!) / 1000;
    const movedAtAll = gpsKm >= 0.05 || (maxSpeed ?? 0) > settings.stopSpeedKmh;
    if (!movedAtAll) continue;
    const o0 = samples[i0]!.odometerKm;
    const o1 = samples[i1]!.odometerKm;
    const odoKm = o0 !== null && o1 !== null ? o1 - o0 : null;
    const useOdo = odoKm !== null && odoKm >= 0 && Math.abs(odoKm - gpsKm) <= 0.25 * gpsKm + 0.5;
    const distanceKm = useOdo ? odoKm : gpsKm;
    const durationS = Math.round((b - a) / 1000);
    trips.push({
      vehicleId,
      startMs: a,
      endMs: b,
      durationS,
      distanceKm: Math.round(distanceKm * 1000) / 1000,
      distanceSource: useOdo ? 'odometer' : 'gps',
      maxSpeedKmh: maxSpeed === null ? null : Math.round(maxSpeed * 10) / 10,
      avgSpeedKmh: durationS > 0 ? Math.round((distanceKm / (durationS / 3600)) * 10) / 10 : null,
      start: { lat: samples[i0]!.lat, lon: samples[i0]!.lon },
      end: { lat: samples[i1]!.lat, lon: samples[i1]!.lon },
    });
  }
  return { trips, stops };
}

/**
 * Douglas–Peucker on an equirectangular projection around the track's mean latitude (accurate to well
 * under a pixel at city and region scale). Iterative (an explicit stack), so a 2.6-million-point track
 * cannot overflow the call stack. Returns the indices kept, in order; first and last are always kept.
 *
 * With `tsMs`, a point's error is its distance from where the chord puts the vehicle *at that point's
 * time* (synchronised Euclidean distance, "TD-TR"): a stop or a slowdown along a straight road is kept,
 * so a replay interpolating between the kept vertices shows the vehicle where it really was.
 */
export function simplifyIndices(lat: ArrayLike<number>, lon: ArrayLike<number>, toleranceM: number, tsMs?: ArrayLike<number>): Uint32Array {
  const n = lat.length;
  if (n <= 2) return Uint32Array.from({ length: n }, (_, i) => i);
  let meanLat = 0;
  for (let i = 0; i < n; i++) meanLat += lat[i]!;
  meanLat /= n;
  const kx = M_PER_DEG * Math.cos((meanLat * Math.PI) / 180);
  const ky = M_PER_DEG;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // unwrap longitudes so a track across the antimeridian stays continuous
    let lo = lon[i]!;
    if (i > 0) {
      const prev = x[i - 1]! / kx;
      while (lo - prev > 180) lo -= 360;
      while (lo - prev < -180) lo += 360;
    }
    x[i] = lo * kx;
    y[i] = lat[i]! * ky;
  }
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const tol2 = toleranceM * toleranceM;
  // Split into chunks of CHUNK points with fixed ends: a month of loops round the same streets makes
  // whole-track splits very unbalanced (quadratic); per-chunk work is bounded, and the ends of a chunk
  // are real track points, so the drawing stays within the tolerance.
  const stack: number[] = [];
  for (let a = 0; a < n - 1; a += CHUNK) {
    const b = Math.min(a + CHUNK, n - 1);
    keep[b] = 1;
    stack.push(a, b);
  }
  while (stack.length > 0) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    if (b - a < 2) continue;
    const ax = x[a]!;
    const ay = y[a]!;
    const dx = x[b]! - ax;
    const dy = y[b]! - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD2 = tol2;
    const ta = tsMs ? tsMs[a]! : 0;
    const dt = tsMs ? tsMs[b]! - ta : 0;
    for (let i = a + 1; i < b; i++) {
      const px = x[i]! - ax;
      const py = y[i]! - ay;
      let d2: number;
      if (tsMs) {
        const f = dt > 0 ? (tsMs[i]! - ta) / dt : 0;
        const ex = px - f * dx;
        const ey = py - f * dy;
        d2 = ex * ex + ey * ey;
      } else if (len2 === 0) d2 = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx;
        const ey = py - t * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(a, worst, worst, b);
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i]!;
  const out = new Uint32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = i;
  return out;
}

/** Half the diagonal of the points' bounding box / 2000: about a pixel when the whole track fills a screen. */
export function defaultToleranceM(lat: ArrayLike<number>, lon: ArrayLike<number>): number {
  if (lat.length < 2) return 1;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (let i = 0; i < lat.length; i++) {
    minLat = Math.min(minLat, lat[i]!);
    maxLat = Math.max(maxLat, lat[i]!);
    minLon = Math.min(minLon, lon[i]!);
    maxLon = Math.max(maxLon, lon[i]!);
  }
  return Math.max(1, haversineM(minLon, minLat, maxLon, maxLat) / 4000);
}

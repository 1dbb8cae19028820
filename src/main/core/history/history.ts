// A vehicle's history for a time range: the track (simplified for drawing), flagged points, trips and
// stops, fence visits, alerts and driving events. Long ranges draw from the per-minute summary so a
// vehicle-month at one point per second answers in well under the 150 ms the UI budget allows.
import type { HistoryQuery, HistorySettings, TrackVertex, VehicleHistory } from '../../../shared/contract/history';
import type { Store } from '../storage/store';
import { inIntervals, privateIntervals, type PrivacyPolicy } from '../privacy/privacy';
import { DEFAULT_HISTORY_SETTINGS, defaultToleranceM, simplifyIndices, tripsAndStops, type TrackSample } from './track';

/** Above this many trusted points in the range (about 14 h at 1 Hz), the track comes from the per-minute summary. */
export const RAW_POINT_LIMIT = 50_000;
/** Flagged points returned for drawing (the total is reported separately). */
export const FLAGGED_LIMIT = 5_000;
/** Longest range one query may ask for (a quarter). */
export const MAX_RANGE_MS = 92 * 86_400_000;
export const MAX_VEHICLES = 20;

export class HistoryQueryError extends Error {}

export function validateHistoryQuery(q: HistoryQuery): void {
  if (!q || !Array.isArray(q.vehicleIds) || q.vehicleIds.length === 0) throw new HistoryQueryError('choose at least one vehicle');
  if (q.vehicleIds.length > MAX_VEHICLES) throw new HistoryQueryError(`at most ${MAX_VEHICLES} vehicles at once`);
  if (q.vehicleIds.some((v) => typeof v !== 'string' || v.length === 0 || v.length > 128)) throw new HistoryQueryError('vehicle ids must be non-empty text');
  if (!Number.isFinite(q.fromMs) || !Number.isFinite(q.toMs)) throw new HistoryQueryError('from and to must be times');
  if (q.toMs <= q.fromMs) throw new HistoryQueryError('the range ends before it starts');
  if (q.toMs - q.fromMs > MAX_RANGE_MS) throw new HistoryQueryError('ranges longer than 92 days are not drawn; export them instead');
  if (q.toleranceM !== undefined && !(Number.isFinite(q.toleranceM) && q.toleranceM >= 0)) throw new HistoryQueryError('toleranceM must be a number ≥ 0');
  const s = q.settings;
  if (s?.stopSpeedKmh !== undefined && !(s.stopSpeedKmh >= 0 && s.stopSpeedKmh <= 30)) throw new HistoryQueryError('stop speed must be 0–30 km/h');
  if (s?.minStopMin !== undefined && !(s.minStopMin >= 0.5 && s.minStopMin <= 24 * 60)) throw new HistoryQueryError('minimum stop must be 0.5 min – 24 h');
}

/** The trusted samples of one vehicle in a range, raw when few enough, else one per minute. */
export function loadSamples(store: Store, vehicleId: string, fromMs: number, toMs: number): { resolution: 'raw' | 'minute'; sourcePoints: number; samples: TrackSample[]; lat: Float64Array; lon: Float64Array } {
  const minutes = store.track.minuteTrack(vehicleId, fromMs, toMs);
  let total = 0;
  for (const m of minutes) total += m.n;
  if (total > RAW_POINT_LIMIT) {
    const lat = new Float64Array(minutes.length);
    const lon = new Float64Array(minutes.length);
    minutes.forEach((m, i) => ((lat[i] = m.lat), (lon[i] = m.lon)));
    return { resolution: 'minute', sourcePoints: total, samples: minutes, lat, lon };
  }
  const raw = store.telemetry.rawTrack(vehicleId, fromMs, toMs);
  const samples: TrackSample[] = new Array(raw.tsMs.length);
  for (let i = 0; i < samples.length; i++) samples[i] = { tsMs: raw.tsMs[i]!, lat: raw.lat[i]!, lon: raw.lon[i]!, speedKmh: raw.speedKmh[i]!, odometerKm: raw.odometerKm[i]!, driverId: raw.driverId[i]! };
  return { resolution: 'raw', sourcePoints: samples.length, samples, lat: raw.lat, lon: raw.lon };
}

/**
 * Samples with privacy applied: private ones removed, the stretches they covered, and the visible
 * samples cut into runs at each hidden stretch (so no line or trip crosses one).
 */
export function applyPrivacy(vehicleId: string, samples: TrackSample[], privacy: PrivacyPolicy | null): { visible: TrackSample[]; runs: TrackSample[][]; intervals: [number, number][]; hiddenPoints: number } {
  if (!privacy || !privacy.mayAffect(vehicleId)) return { visible: samples, runs: [samples], intervals: [], hiddenPoints: 0 };
  const flags = samples.map((s) => privacy.isPrivate(vehicleId, s.driverId, s.tsMs));
  const intervals = privateIntervals(samples.map((s, i) => ({ tsMs: s.tsMs, private: flags[i]! })));
  const runs: TrackSample[][] = [];
  let cur: TrackSample[] = [];
  const visible: TrackSample[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (flags[i]) {
      if (cur.length) runs.push(cur);
      cur = [];
    } else {
      cur.push(samples[i]!);
      visible.push(samples[i]!);
    }
  }
  if (cur.length) runs.push(cur);
  return { visible, runs, intervals, hiddenPoints: flags.filter(Boolean).length };
}

/**
 * History of each vehicle. `privacy` hides what privacy mode covers; pass null when a supervisor has
 * unlocked it (the caller records that in the audit log).
 */
/** A vehicle's history as the telemetry, fence, alert and driver tables tell it (the jobs domain adds its events). */
export type TrackHistory = Omit<VehicleHistory, 'jobEvents'>;

export function queryHistory(store: Store, q: HistoryQuery, privacy: PrivacyPolicy | null = null, unlocked = false): TrackHistory[] {
  validateHistoryQuery(q);
  const settings: HistorySettings = { ...DEFAULT_HISTORY_SETTINGS, ...q.settings };
  return q.vehicleIds.map((vehicleId) => {
    const t0 = performance.now();
    const loaded = loadSamples(store, vehicleId, q.fromMs, q.toMs);
    const { resolution, sourcePoints } = loaded;
    const { visible, runs, intervals, hiddenPoints } = applyPrivacy(vehicleId, loaded.samples, privacy);
    const samples = visible;
    const lat = visible === loaded.samples ? loaded.lat : Float64Array.from(visible, (s) => s.lat);
    const lon = visible === loaded.samples ? loaded.lon : Float64Array.from(visible, (s) => s.lon);
    const tol = q.toleranceM ?? defaultToleranceM(lat, lon);
    // time-aware, so the replay between kept vertices puts the vehicle where it really was
    const ts = Float64Array.from(samples, (x) => x.tsMs);
    const keep = simplifyIndices(lat, lon, tol, ts);
    const track: TrackVertex[] = new Array(keep.length);
    for (let i = 0; i < keep.length; i++) {
      const s = samples[keep[i]!]!;
      track[i] = [s.tsMs, s.lat, s.lon, s.speedKmh];
    }
    const trips = [];
    const stops = [];
    for (const run of runs) {
      const r = tripsAndStops(vehicleId, run, settings);
      trips.push(...r.trips);
      stops.push(...r.stops);
    }
    const hiddenAt = (tsMs: number) => intervals.length > 0 && inIntervals(intervals, tsMs);
    const flagged = store.telemetry.flaggedPoints(vehicleId, q.fromMs, q.toMs, FLAGGED_LIMIT);
    const flaggedShown = privacy ? flagged.points.filter((f) => !privacy.isPrivate(vehicleId, f.driverId, f.tsMs) && !hiddenAt(f.tsMs)) : flagged.points;
    const result: TrackHistory = {
      vehicleId,
      fromMs: q.fromMs,
      toMs: q.toMs,
      resolution,
      sourcePoints: sourcePoints - hiddenPoints,
      track,
      flagged: flaggedShown.map(({ driverId: _d, ...f }) => f),
      flaggedTotal: flagged.total - (flagged.points.length - flaggedShown.length),
      trips,
      stops,
      visits: store.fences.visits(vehicleId, q.fromMs, q.toMs).filter((v) => !hiddenAt(v.enterMs) && !(v.exitMs !== null && hiddenAt(v.exitMs))),
      alerts: store
        .alerts.list({ vehicleId, fromMs: q.fromMs, toMs: q.toMs, includeAcknowledged: true, includeSuppressed: true, limit: 2000 })
        .reverse()
        .filter((a) => !hiddenAt(a.tsMs)),
      drivingEvents: store.drivers.listEvents({ vehicleId, fromMs: q.fromMs, toMs: q.toMs, limit: 5000 }).filter((e) => !hiddenAt(e.tsMs) && !(privacy && privacy.isPrivate(vehicleId, e.driverId, e.tsMs))),
      queryMs: 0,
      hidden: intervals.map(([a, b]) => ({ fromMs: Math.max(a, q.fromMs), toMs: Math.min(b, q.toMs) })),
      hiddenPoints,
      unlocked,
    };
    result.queryMs = Math.round((performance.now() - t0) * 10) / 10;
    return result;
  });
}

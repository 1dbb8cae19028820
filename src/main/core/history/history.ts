// A vehicle's history for a time range: the track (simplified for drawing), flagged points, trips and
// stops, fence visits, alerts and driving events. Long ranges draw from the per-minute summary so a
// vehicle-month at one point per second answers in well under the 150 ms the UI budget allows.
import type { HistoryQuery, HistorySettings, TrackVertex, VehicleHistory } from '../../../shared/types';
import type { Store } from '../storage/store';
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
  const minutes = store.minuteTrack(vehicleId, fromMs, toMs);
  let total = 0;
  for (const m of minutes) total += m.n;
  if (total > RAW_POINT_LIMIT) {
    const lat = new Float64Array(minutes.length);
    const lon = new Float64Array(minutes.length);
    minutes.forEach((m, i) => ((lat[i] = m.lat), (lon[i] = m.lon)));
    return { resolution: 'minute', sourcePoints: total, samples: minutes, lat, lon };
  }
  const raw = store.rawTrack(vehicleId, fromMs, toMs);
  const samples: TrackSample[] = new Array(raw.tsMs.length);
  for (let i = 0; i < samples.length; i++) samples[i] = { tsMs: raw.tsMs[i]!, lat: raw.lat[i]!, lon: raw.lon[i]!, speedKmh: raw.speedKmh[i]!, odometerKm: raw.odometerKm[i]! };
  return { resolution: 'raw', sourcePoints: samples.length, samples, lat: raw.lat, lon: raw.lon };
}

export function queryHistory(store: Store, q: HistoryQuery): VehicleHistory[] {
  validateHistoryQuery(q);
  const settings: HistorySettings = { ...DEFAULT_HISTORY_SETTINGS, ...q.settings };
  return q.vehicleIds.map((vehicleId) => {
    const t0 = performance.now();
    const { resolution, sourcePoints, samples, lat, lon } = loadSamples(store, vehicleId, q.fromMs, q.toMs);
    const tol = q.toleranceM ?? defaultToleranceM(lat, lon);
    // time-aware, so the replay between kept vertices puts the vehicle where it really was
    const ts = Float64Array.from(samples, (x) => x.tsMs);
    const keep = simplifyIndices(lat, lon, tol, ts);
    const track: TrackVertex[] = new Array(keep.length);
    for (let i = 0; i < keep.length; i++) {
      const s = samples[keep[i]!]!;
      track[i] = [s.tsMs, s.lat, s.lon, s.speedKmh];
    }
    const { trips, stops } = tripsAndStops(vehicleId, samples, settings);
    const flagged = store.flaggedPoints(vehicleId, q.fromMs, q.toMs, FLAGGED_LIMIT);
    const result: VehicleHistory = {
      vehicleId,
      fromMs: q.fromMs,
      toMs: q.toMs,
      resolution,
      sourcePoints,
      track,
      flagged: flagged.points,
      flaggedTotal: flagged.total,
      trips,
      stops,
      visits: store.fenceVisits(vehicleId, q.fromMs, q.toMs),
      alerts: store.listAlerts({ vehicleId, fromMs: q.fromMs, toMs: q.toMs, includeAcknowledged: true, includeSuppressed: true, limit: 2000 }).reverse(),
      drivingEvents: store.listDrivingEvents({ vehicleId, fromMs: q.fromMs, toMs: q.toMs, limit: 5000 }),
      queryMs: 0,
    };
    result.queryMs = Math.round((performance.now() - t0) * 10) / 10;
    return result;
  });
}

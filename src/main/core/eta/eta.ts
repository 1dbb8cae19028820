// ETA: remaining distance (along a known route — a corridor fence — when there is one, else the
// great-circle distance × the detour factor learned from the fleet's own trips) divided by a speed that
// blends the vehicle's current speed with the historical trip speed for this hour of the week (the
// vehicle's own when it has enough trips, else the fleet's). A stopped vehicle uses the historical speed;
// one stopped too long is "stalled" rather than given a huge ETA.
import type { EtaResult } from '../../../shared/contract/eta';
import { haversineM, M_PER_DEG } from '../geo/distance';
import { localWeekMinute } from '../rules/schedule';
import type { Trip } from '../../../shared/contract/history';

export const DEFAULT_DETOUR = 1.3;
export const DEFAULT_SPEED_KMH = 30;
/** Below this a vehicle counts as stopped. */
export const STOPPED_KMH = 3;
/** Stopped this long (and not there yet): stalled. */
export const STALLED_AFTER_MIN = 20;
/** Within this distance the vehicle has arrived. */
export const ARRIVED_KM = 0.15;
/** Current speed weighs most near the destination and fades with distance (e-fold). */
const BLEND_KM = 5;
const MIN_TRIPS_PER_HOUR = 3;

export interface EtaModel {
  detourFactor: number;
  /** Trips the detour factor was learned from. */
  detourTrips: number;
  timeZone: string;
  /** Fleet: mean trip speed per hour of the week (Sunday 00:00 = 0), and trip counts. */
  fleetKmh: number[];
  fleetN: number[];
  /** Per vehicle, the same. */
  vehicles: Record<string, { kmh: number[]; n: number[] }>;
}

let lastHour = { zone: '', minute: Number.NaN, hour: 0 };

/** The local hour of the week (Sunday 00:00 = 0). Remembers the last minute asked: ranking a fleet asks for one time thousands of times. */
export function hourOfWeek(tsMs: number, timeZone: string): number {
  const minuteKey = Math.floor(tsMs / 60_000);
  if (lastHour.minute === minuteKey && lastHour.zone === timeZone) return lastHour.hour;
  const { day, minute } = localWeekMinute(tsMs, timeZone);
  const hour = day * 24 + Math.floor(minute / 60);
  lastHour = { zone: timeZone, minute: minuteKey, hour };
  return hour;
}

/** Learns the detour factor (median of track distance ÷ straight line) and hourly speeds from trips. */
export function learnEtaModel(trips: readonly Trip[], timeZone: string): EtaModel {
  const ratios: number[] = [];
  const sum = new Array<number>(168).fill(0);
  const n = new Array<number>(168).fill(0);
  const vehicles: EtaModel['vehicles'] = {};
  for (const t of trips) {
    const straightKm = haversineM(t.start.lon, t.start.lat, t.end.lon, t.end.lat) / 1000;
    if (straightKm >= 0.5 && t.distanceKm >= straightKm) ratios.push(t.distanceKm / straightKm);
    if (t.avgSpeedKmh === null || t.durationS < 120 || t.distanceKm < 0.3) continue;
    const h = hourOfWeek(t.startMs, timeZone);
    sum[h] = sum[h]! + t.avgSpeedKmh;
    n[h] = n[h]! + 1;
    const v = (vehicles[t.vehicleId] ??= { kmh: new Array<number>(168).fill(0), n: new Array<number>(168).fill(0) });
    v.kmh[h] = v.kmh[h]! + t.avgSpeedKmh;
    v.n[h] = v.n[h]! + 1;
  }
  ratios.sort((a, b) => a - b);
  const median = ratios.length ? ratios[Math.floor(ratios.length / 2)]! : DEFAULT_DETOUR;
  const mean = (s: number[], c: number[]) => s.map((x, i) => (c[i]! > 0 ? x / c[i]! : 0));
  for (const v of Object.values(vehicles)) v.kmh = mean(v.kmh, v.n);
  return { detourFactor: Math.min(3, Math.max(1, median)), detourTrips: ratios.length, timeZone, fleetKmh: mean(sum, n), fleetN: n, vehicles };
}

/** Historical speed for a vehicle at a time: its own hour if it has enough trips, else the fleet's, else the neighbouring hours, else a default. */
export function historicalKmh(model: EtaModel, vehicleId: string, tsMs: number): { kmh: number; source: 'vehicle' | 'fleet' | 'default' } {
  const h = hourOfWeek(tsMs, model.timeZone);
  const v = model.vehicles[vehicleId];
  if (v && v.n[h]! >= MIN_TRIPS_PER_HOUR) return { kmh: v.kmh[h]!, source: 'vehicle' };
  if (model.fleetN[h]! >= MIN_TRIPS_PER_HOUR) return { kmh: model.fleetKmh[h]!, source: 'fleet' };
  for (const d of [1, -1, 2, -2]) {
    const k = (h + d + 168) % 168;
    if (model.fleetN[k]! >= MIN_TRIPS_PER_HOUR) return { kmh: model.fleetKmh[k]!, source: 'fleet' };
  }
  return { kmh: DEFAULT_SPEED_KMH, source: 'default' };
}

/** Distance in km along a polyline ([lon, lat] points) from the point nearest `from` to the point nearest `to`. */
export function distanceAlongRouteKm(route: number[][], from: { lat: number; lon: number }, to: { lat: number; lon: number }): { km: number; offRouteKm: number } {
  const lat0 = route[0]![1]!;
  const kx = M_PER_DEG * Math.cos((lat0 * Math.PI) / 180);
  const P = route.map(([lon, lat]) => [lon! * kx, lat! * M_PER_DEG] as const);
  const cum = [0];
  for (let i = 1; i < P.length; i++) cum.push(cum[i - 1]! + Math.hypot(P[i]![0] - P[i - 1]![0], P[i]![1] - P[i - 1]![1]));
  const project = (p: { lat: number; lon: number }) => {
    const x = p.lon * kx;
    const y = p.lat * M_PER_DEG;
    let best = { along: 0, dist: Infinity };
    for (let i = 1; i < P.length; i++) {
      const [ax, ay] = P[i - 1]!;
      const [bx, by] = P[i]!;
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      const d = Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
      if (d < best.dist) best = { along: cum[i - 1]! + t * Math.sqrt(len2), dist: d };
    }
    return best;
  };
  const a = project(from);
  const b = project(to);
  return { km: Math.abs(b.along - a.along) / 1000, offRouteKm: a.dist / 1000 };
}

export interface EtaInput {
  vehicleId: string;
  lat: number;
  lon: number;
  speedKmh: number | null;
  /** When the vehicle last moved (null: moving now or unknown). */
  stoppedSinceMs: number | null;
  nowMs: number;
  destination: { lat: number; lon: number };
  /** A known route to follow ([lon, lat] points), e.g. a corridor fence. */
  route?: number[][];
  /** Past traversal speeds of that route (km/h, with their start times), from fence visits. */
  routeSpeeds?: { tsMs: number; kmh: number }[];
}

/**
 * Historical speed on a known route: the median of past traversals in this hour of the week (±1 h)
 * when there are 3 or more, else the median of all traversals when there are 3 or more, else null.
 */
export function routeKmh(speeds: readonly { tsMs: number; kmh: number }[], tsMs: number, timeZone: string): number | null {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const h = hourOfWeek(tsMs, timeZone);
  const near = speeds.filter((x) => {
    const d = Math.abs(hourOfWeek(x.tsMs, timeZone) - h);
    return Math.min(d, 168 - d) <= 1;
  });
  if (near.length >= 3) return median(near.map((x) => x.kmh));
  if (speeds.length >= 3) return median(speeds.map((x) => x.kmh));
  return null;
}

export function estimateEta(model: EtaModel, q: EtaInput): EtaResult {
  let remainingKm: number;
  let distanceSource: EtaResult['distanceSource'];
  if (q.route && q.route.length >= 2) {
    const r = distanceAlongRouteKm(q.route, q, q.destination);
    // off the route: the way back to it counts too (× the detour factor)
    remainingKm = r.km + r.offRouteKm * model.detourFactor;
    distanceSource = 'route';
  } else {
    remainingKm = (haversineM(q.lon, q.lat, q.destination.lon, q.destination.lat) / 1000) * model.detourFactor;
    distanceSource = 'detour';
  }
  const onRoute = q.route && q.routeSpeeds ? routeKmh(q.routeSpeeds, q.nowMs, model.timeZone) : null;
  const hist = onRoute !== null ? { kmh: onRoute, source: 'route' as const } : historicalKmh(model, q.vehicleId, q.nowMs);
  const current = q.speedKmh ?? 0;
  const base = { remainingKm: Math.round(remainingKm * 100) / 100, distanceSource, detourFactor: model.detourFactor, historicalKmh: Math.round(hist.kmh * 10) / 10, historicalSource: hist.source };
  if (remainingKm <= ARRIVED_KM * (distanceSource === 'detour' ? model.detourFactor : 1)) return { ...base, state: 'arrived', etaMs: q.nowMs, speedKmh: current };
  const stopped = current < STOPPED_KMH;
  if (stopped && q.stoppedSinceMs !== null && q.nowMs - q.stoppedSinceMs > STALLED_AFTER_MIN * 60_000) {
    return { ...base, state: 'stalled', etaMs: null, speedKmh: current, stalledMin: Math.round((q.nowMs - q.stoppedSinceMs) / 60_000) };
  }
  const w = stopped ? 0 : Math.exp(-remainingKm / BLEND_KM);
  const v = Math.max(5, w * current + (1 - w) * hist.kmh);
  return { ...base, state: 'en_route', etaMs: Math.round(q.nowMs + (remainingKm / v) * 3_600_000), speedKmh: Math.round(v * 10) / 10 };
}

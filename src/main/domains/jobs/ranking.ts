// Which vehicles are best placed to take a job: every vehicle that may (online, not private, of the class
// the job needs) by its ETA to the first stop — after the stops of the work it has, with time at each —
// nearest first, stopping once none left could beat the best few at the fastest speed any estimate uses.
import type { SuggestResult, Suggestion } from '../../../shared/contract/jobs';
import type { VehicleState } from '../../../shared/contract/vehicles';
import { DEFAULT_SPEED_KMH, estimateEta, type EtaModel } from '../../core/eta/eta';
import { haversineM } from '../../core/geo/distance';
import type { StoredJob } from './repo';

/** Time at each stop, when estimating when a busy vehicle is free. */
export const SERVICE_MS_PER_STOP = 5 * 60_000;

export interface RankContext {
  /** Every assigned, unfinished job (what busy vehicles still have to do). */
  active: readonly StoredJob[];
  /** In privacy mode now: not offered work. */
  hidden(v: VehicleState): boolean;
  classOf?: (vehicleId: string) => string;
  stoppedSinceMs(vehicleId: string): number | null;
}

/**
 * The ranking itself (synchronous: the benchmark times it on 10,000 vehicles). Vehicles are taken nearest
 * first, and the search stops once no vehicle left could beat the last of the best `limit`: none can
 * arrive sooner than its straight-line distance at the fastest speed any estimate could use.
 */
export function rankVehicles(job: StoredJob, vehicles: readonly VehicleState[], limit: number, nowMs: number, model: EtaModel, d: RankContext): SuggestResult {
  const first = job.stops.find((s) => s.status === 'pending') ?? job.stops[0]!;
  const excluded = new Map<string, number>();
  const out = (reason: string) => excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
  // what each busy vehicle still has to do: its unfinished jobs' stops, in order
  const busy = new Map<string, { lat: number; lon: number }[]>();
  for (const j of d.active) {
    if (j.id === job.id || !j.vehicleId) continue;
    const left = j.stops.filter((s) => s.status === 'pending' || s.status === 'arrived').map((s) => ({ lat: s.lat, lon: s.lon }));
    busy.set(j.vehicleId, [...(busy.get(j.vehicleId) ?? []), ...left]);
  }
  const candidates: { v: VehicleState; km: number }[] = [];
  let capKmh = Math.max(5, fastestKmh(model));
  const need = job.vehicleClass;
  for (const v of vehicles) {
    if (v.status === 'offline') out('offline');
    else if (need && (d.classOf?.(v.vehicleId) ?? 'default') !== need) out(`not a ${need}`);
    else if (d.hidden(v)) out('in privacy mode');
    else {
      candidates.push({ v, km: haversineM(v.last.lon, v.last.lat, first.lon, first.lat) / 1000 });
      if (v.last.speedKmh !== null && v.last.speedKmh > capKmh) capKmh = v.last.speedKmh;
    }
  }
  candidates.sort((a, b) => a.km - b.km);
  type Ranked = { v: VehicleState; km: number; etaMs: number | null; busyMin: number; stops: number; r: ReturnType<typeof estimateEta> | null };
  const best: Ranked[] = []; // the best `limit` with an ETA, soonest first
  const noEta: Ranked[] = [];
  for (const c of candidates) {
    if (best.length >= limit && nowMs + (Math.max(0, c.km - 0.5) / capKmh) * 3_600_000 > best[best.length - 1]!.etaMs!) break;
    const x = etaVia(d, c.v, busy.get(c.v.vehicleId) ?? [], first, nowMs, model);
    const ranked = { v: c.v, km: c.km, ...x };
    if (x.etaMs === null) {
      noEta.push(ranked);
      continue;
    }
    let i = best.length;
    while (i > 0 && (best[i - 1]!.etaMs! > x.etaMs || (best[i - 1]!.etaMs === x.etaMs && best[i - 1]!.km > c.km))) i--;
    if (i < limit) {
      best.splice(i, 0, ranked);
      if (best.length > limit) best.pop();
    }
  }
  const top = [...best, ...noEta.sort((a, b) => a.km - b.km)].slice(0, limit);
  const firstEta = top[0]?.etaMs ?? null;
  const suggestions: Suggestion[] = top.map((t, i) => {
    const where = `${t.r ? t.r.remainingKm.toFixed(1) : t.km.toFixed(1)} km`;
    let why =
      t.etaMs === null
        ? `${t.r?.state === 'stalled' ? `stopped for ${t.r.stalledMin} min` : 'no ETA'}: ranked last · ${t.km.toFixed(1)} km away`
        : `${t.stops ? `busy ~${t.busyMin} min (${t.stops} stop${t.stops > 1 ? 's' : ''} left), then` : 'free ·'} ${where} at ~${Math.round(t.r!.speedKmh)} km/h`;
    if (i > 0 && t.etaMs !== null && firstEta !== null) why += ` · ${Math.round((t.etaMs - firstEta) / 60_000)} min after #1`;
    return { vehicleId: t.v.vehicleId, rank: i + 1, etaMs: t.etaMs, distanceKm: Math.round(t.km * 100) / 100, busyMin: t.stops ? t.busyMin : 0, lat: t.v.last.lat, lon: t.v.last.lon, why };
  });
  return { jobId: job.id, suggestions, considered: candidates.length, excluded: [...excluded].map(([reason, count]) => ({ reason, count })), computedMs: nowMs };
}

/** When a vehicle could be at `to`: after its remaining stops (with time at each), then the way there. */
function etaVia(d: RankContext, v: VehicleState, route: readonly { lat: number; lon: number }[], to: { lat: number; lon: number }, nowMs: number, model: EtaModel) {
  let fromLat = v.last.lat;
  let fromLon = v.last.lon;
  let t = nowMs;
  let speed: number | null = v.last.speedKmh;
  let stopped = d.stoppedSinceMs(v.vehicleId);
  for (const s of route) {
    const leg = estimateEta(model, { vehicleId: v.vehicleId, lat: fromLat, lon: fromLon, speedKmh: speed, stoppedSinceMs: stopped, nowMs: t, destination: s });
    if (leg.etaMs === null) return { etaMs: null, busyMin: 0, stops: route.length, r: leg };
    t = leg.etaMs + SERVICE_MS_PER_STOP;
    fromLat = s.lat;
    fromLon = s.lon;
    speed = null; // from a standstill at the stop: the usual speed
    stopped = null;
  }
  const r = estimateEta(model, { vehicleId: v.vehicleId, lat: fromLat, lon: fromLon, speedKmh: speed, stoppedSinceMs: stopped, nowMs: t, destination: to });
  return { etaMs: r.etaMs, busyMin: Math.round((t - nowMs) / 60_000), stops: route.length, r };
}

const fastest = new WeakMap<EtaModel, number>();

/** The fastest speed the model could give any vehicle at any hour (an upper bound for pruning). */
function fastestKmh(model: EtaModel): number {
  let f = fastest.get(model);
  if (f === undefined) {
    f = Math.max(DEFAULT_SPEED_KMH, ...model.fleetKmh);
    for (const v of Object.values(model.vehicles)) for (const k of v.kmh) if (k > f) f = k;
    fastest.set(model, f);
  }
  return f;
}

// ETA error by replaying stored trips: every 5 minutes along a trip, FleetDesk's ETA to the trip's end
// against the time it really took, next to the plain estimate (straight-line distance ÷ current speed,
// which has no answer while the vehicle stands still). MAE and P90 of the absolute error, in minutes.
// (A) real buses: WMATA, 31 buses over 5 hours (../shared/data/real), each bus's trips estimated with
//     a model learned from the other buses only; (B) the history benchmark's database: learned from
//     days 1–21, evaluated on days 22–30.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Trip } from '../src/shared/contract/history';
import { estimateEta, learnEtaModel, STOPPED_KMH, type EtaModel } from '../src/main/core/eta/eta';
import { haversineM } from '../src/main/core/geo/distance';
import { loadSamples } from '../src/main/core/history/history';
import { tripsAndStops, type TrackSample } from '../src/main/core/history/track';
import { Store } from '../src/main/core/storage/store';
import { ensureHistoryDb, HISTORY_DB, START_MS } from './history-db';
import { report, type Row } from './report';

const CHECK_EVERY_MS = 5 * 60_000;

interface Errors {
  ours: number[];
  oursWhereNaive: number[];
  naive: number[];
  checkpoints: number;
  stalled: number;
}

/** Checkpoints along one trip (its samples, in time order, ending at the destination). */
function evaluateTrip(model: EtaModel, vehicleId: string, s: readonly TrackSample[], e: Errors): void {
  const end = s[s.length - 1]!;
  let stoppedSince: number | null = null;
  let next = s[0]!.tsMs + CHECK_EVERY_MS;
  for (const p of s) {
    const kmh = p.speedKmh ?? 0;
    stoppedSince = kmh < STOPPED_KMH ? (stoppedSince ?? p.tsMs) : null;
    if (p.tsMs < next || end.tsMs - p.tsMs < 60_000) continue;
    next = p.tsMs + CHECK_EVERY_MS;
    e.checkpoints++;
    const actualMin = (end.tsMs - p.tsMs) / 60_000;
    const r = estimateEta(model, { vehicleId, lat: p.lat, lon: p.lon, speedKmh: kmh, stoppedSinceMs: stoppedSince, nowMs: p.tsMs, destination: { lat: end.lat, lon: end.lon } });
    if (r.state === 'stalled') {
      e.stalled++;
      continue;
    }
    const ours = Math.abs((r.etaMs! - p.tsMs) / 60_000 - actualMin);
    e.ours.push(ours);
    if (kmh >= STOPPED_KMH) {
      const naiveMin = (haversineM(p.lon, p.lat, end.lon, end.lat) / 1000 / kmh) * 60;
      e.naive.push(Math.abs(naiveMin - actualMin));
      e.oursWhereNaive.push(ours);
    }
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mae: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), p90: s[Math.floor(s.length * 0.9)] ?? Number.NaN };
};

function rows(name: string, e: Errors, model: string): Row[] {
  const o = stats(e.ours);
  const ow = stats(e.oursWhereNaive);
  const n = stats(e.naive);
  return [
    { data: name, estimate: `FleetDesk (${model})`, checkpoints: e.ours.length, 'MAE min': o.mae.toFixed(1), 'P90 min': o.p90.toFixed(1), note: `${e.stalled} of ${e.checkpoints} checkpoints stalled (no ETA given)` },
    { data: name, estimate: 'FleetDesk, where the plain one has an answer', checkpoints: e.oursWhereNaive.length, 'MAE min': ow.mae.toFixed(1), 'P90 min': ow.p90.toFixed(1), note: '' },
    { data: name, estimate: 'plain: straight line ÷ current speed', checkpoints: e.naive.length, 'MAE min': n.mae.toFixed(1), 'P90 min': n.p90.toFixed(1), note: `no answer at ${e.checkpoints - e.naive.length} checkpoints (standing still)` },
  ];
}

const out: Row[] = [];
const notes: string[] = [];

// (A) WMATA buses, leave one bus out
const WMATA = path.resolve('../shared/data/real/wmata-bus-avl/wmata_gtfsrt_021626.csv');
if (existsSync(WMATA)) {
  const lines = readFileSync(WMATA, 'utf8').trim().split('\n');
  const h = lines[0]!.split(',');
  const c = (n: string) => h.indexOf(n);
  const runs = new Map<string, { vehicleId: string; s: TrackSample[] }>();
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    const vehicleId = f[c('vehicle.vehicle.id')]!;
    const key = `${vehicleId}|${f[c('vehicle.trip.trip_id')]}`;
    const speed = f[c('vehicle.position.speed')];
    const run = runs.get(key) ?? { vehicleId, s: [] };
    run.s.push({ tsMs: Number(f[c('vehicle.timestamp')]) * 1000, lat: Number(f[c('vehicle.position.latitude')]), lon: Number(f[c('vehicle.position.longitude')]), speedKmh: speed ? Number(speed) * 3.6 : null, odometerKm: null });
    runs.set(key, run);
  }
  const all = [...runs.values()].map((r) => ({ ...r, s: r.s.sort((a, b) => a.tsMs - b.tsMs).filter((p, i, arr) => i === 0 || p.tsMs > arr[i - 1]!.tsMs) })).filter((r) => r.s.length > 10 && r.s[r.s.length - 1]!.tsMs - r.s[0]!.tsMs > 15 * 60_000);
  const tripOf = (vehicleId: string, s: TrackSample[]): Trip => {
    let km = 0;
    for (let i = 1; i < s.length; i++) km += haversineM(s[i - 1]!.lon, s[i - 1]!.lat, s[i]!.lon, s[i]!.lat) / 1000;
    const durationS = (s[s.length - 1]!.tsMs - s[0]!.tsMs) / 1000;
    return { vehicleId, startMs: s[0]!.tsMs, endMs: s[s.length - 1]!.tsMs, durationS, distanceKm: km, distanceSource: 'gps', maxSpeedKmh: null, avgSpeedKmh: km / (durationS / 3600), start: { lat: s[0]!.lat, lon: s[0]!.lon }, end: { lat: s[s.length - 1]!.lat, lon: s[s.length - 1]!.lon } };
  };
  const trips = all.map((r) => tripOf(r.vehicleId, r.s));
  const e: Errors = { ours: [], oursWhereNaive: [], naive: [], checkpoints: 0, stalled: 0 };
  const buses = [...new Set(all.map((r) => r.vehicleId))];
  for (const bus of buses) {
    const model = learnEtaModel(trips.filter((t) => t.vehicleId !== bus), 'America/New_York');
    for (const r of all.filter((x) => x.vehicleId === bus)) evaluateTrip(model, bus, r.s, e);
  }
  out.push(...rows(`WMATA: ${buses.length} buses, ${all.length} trip runs (real)`, e, 'leave-one-bus-out'));
  notes.push(`WMATA bus AVL, 16 Feb 2026, ${lines.length - 1} positions (Data: WMATA); a trip run = one bus on one scheduled trip_id, destination = its last position; runs over 15 min.`);
} else notes.push('WMATA data not found: (A) skipped.');

// (B) the history benchmark's database
ensureHistoryDb();
const store = new Store(HISTORY_DB);
const learnTo = START_MS + 21 * 86_400_000;
const evalTo = START_MS + 30 * 86_400_000;
const vehicles = Array.from({ length: 20 }, (_, i) => `H${String(i * 5).padStart(3, '0')}`);
const learnTrips: Trip[] = [];
for (const v of vehicles) learnTrips.push(...tripsAndStops(v, loadSamples(store, v, START_MS, learnTo).samples).trips);
const model = learnEtaModel(learnTrips, 'UTC');
const e: Errors = { ours: [], oursWhereNaive: [], naive: [], checkpoints: 0, stalled: 0 };
let evalTrips = 0;
for (const v of vehicles) {
  const { samples } = loadSamples(store, v, learnTo, evalTo);
  for (const t of tripsAndStops(v, samples).trips) {
    if (t.durationS < 15 * 60) continue;
    evalTrips++;
    evaluateTrip(model, v, samples.filter((s) => s.tsMs >= t.startMs && s.tsMs <= t.endMs), e);
  }
}
store.close();
out.push(...rows(`synthetic: 20 vehicles, ${evalTrips} trips (days 22–30)`, e, `learned on days 1–21, detour ${model.detourFactor.toFixed(2)}`));
notes.push('Synthetic: the history benchmark database (vehicles loop a 12 km ring at ~40 km/h with a 10-minute stop each hour), one point per minute; ETA to the end of each trip of 15 min or more.');
notes.push('FleetDesk: distance = straight line × the learned detour factor (no route known here), speed = blend of current speed and the hour-of-week trip speed (vehicle own, else fleet), stopped > 20 min = stalled (no ETA).');
report('ETA error (npm run bench -- eta)', notes, out);

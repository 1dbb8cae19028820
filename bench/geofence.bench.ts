// Geofence engine benchmark: positions/s through ONE engine worker with 10,000 mixed fences in one city
// and 10,000 vehicles, batches as the ingest path sends them (target ≥ 200,000 positions/s).
import { EngineHost, positionOnly } from '../src/main/core/engine/engine-host';
import { FleetEngine } from '../src/main/core/engine/fleet-engine';
import { cityMixedFences, cityPositions } from './city';
import { builtWorkerPath, fmt, report, type Row } from './report';

const FENCES = Number(process.argv[2] ?? 10_000);
const VEHICLES = 10_000;
const STEPS = 60;
const workerPath = builtWorkerPath();

const fences = cityMixedFences(FENCES);
// full fixes (speed, heading, ignition), so the driving and health rules run too, as in the app
const positions = cityPositions(VEHICLES, STEPS, 10, 4).map((p) => ({ ...positionOnly(p), speedKmh: 40, headingDeg: 90, ignition: true, fuelLevelPct: 60, coolantTempC: 90 }));
const kinds = { polygon: 0, circle: 0, corridor: 0 };
for (const f of fences) kinds[f.geometry.type === 'Circle' ? 'circle' : f.geometry.type === 'Corridor' ? 'corridor' : 'polygon']++;

const rows: Row[] = [];
for (const batch of [500, 2000, 8192]) {
  const host = new EngineHost({ workerPath });
  await host.start(fences);
  // warm-up, so the JIT has compiled the hot path before timing
  await host.process(positions.slice(0, 20_000));
  const rest = positions.slice(20_000);
  const t = performance.now();
  let events = 0;
  // as ingest calls it: every committed batch at once, without waiting for the previous answer (the
  // host keeps two batches at the worker and merges calls that wait); at most 8 calls outstanding here
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < rest.length; i += batch) {
    inflight.push(host.process(rest.slice(i, i + batch)).then((o) => (events += o.geofence.length + o.driving.length + o.health.length)));
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  const s = (performance.now() - t) / 1000;
  await host.close();
  rows.push({ path: `worker, batches of ${fmt(batch)}`, 'positions/s': fmt(rest.length / s), events: fmt(events), seconds: s.toFixed(2) });
}
const engine = new FleetEngine(fences);
const t = performance.now();
let events = 0;
for (let i = 0; i < positions.length; i += 8192) {
  const o = engine.step(positions.slice(i, i + 8192));
  events += o.geofence.length + o.driving.length + o.health.length;
}
const s = (performance.now() - t) / 1000;
rows.push({ path: 'engine step in this thread (no messaging)', 'positions/s': fmt(positions.length / s), events: fmt(events), seconds: s.toFixed(2) });

report(
  `geofence: ${fmt(FENCES)} fences, ${fmt(VEHICLES)} vehicles, one worker`,
  [
    `${fmt(kinds.polygon)} polygons (90 % 40–300 m, 10 % 0.5–3 km zones), ${fmt(kinds.circle)} circles (50–500 m), ${fmt(kinds.corridor)} corridors (2–8 km routes, 30–100 m wide), in a 30 × 30 km city`,
    `${fmt(positions.length)} positions: random walks at 0–60 km/h, one report per vehicle per 10 s; the first 20,000 warm up the worker`,
    'target ≥ 200,000 positions/s in one worker (issue #4); reference: a Python linear scan did ~400 positions/s with 2,000 fences',
  ],
  rows,
);
process.exit(0);

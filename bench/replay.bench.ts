// Replay path benchmark: CSV → engine worker → NDJSON through the real CLI, with 2,000 fences.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GeofenceEngine } from '../src/main/core/geofence/engine';
import { cityFences, cityPositions } from './city';
import { fmt, report } from './report';

const FENCES = Number(process.argv[2] ?? 2000);
const VEHICLES = 2000;
const STEPS = 100;

const dir = path.resolve('.bench-tmp/replay');
mkdirSync(dir, { recursive: true });
const fences = cityFences(FENCES);
const positions = cityPositions(VEHICLES, STEPS);
writeFileSync(path.join(dir, 'fences.geojson'), JSON.stringify({ type: 'FeatureCollection', features: fences.map((f) => ({ type: 'Feature', properties: { id: f.id }, geometry: f.geometry })) }));
writeFileSync(path.join(dir, 'positions.csv'), 'vehicle_id,ts,lat,lon\n' + positions.map((p) => `${p.vehicleId},${new Date(p.tsMs).toISOString()},${p.lat},${p.lon}`).join('\n') + '\n');

// 1. The whole CLI: read CSV, parse, worker, write NDJSON.
const started = performance.now();
const stdout = execFileSync(process.execPath, ['out/main/cli.js', 'replay', '--fences', path.join(dir, 'fences.geojson'), '--positions', path.join(dir, 'positions.csv'), '--events-out', path.join(dir, 'events.ndjson')], { encoding: 'utf8' });
const wallS = (performance.now() - started) / 1000;
const m = /(\d+) positions, (\d+) events.*: (\d+) positions\/s/.exec(stdout)!;

// 2. The engine step alone, in this thread (what the worker does per batch).
const engine = new GeofenceEngine(fences);
const t = performance.now();
let events = 0;
for (let i = 0; i < positions.length; i += 8192) events += engine.step(positions.slice(i, i + 8192)).length;
const engineS = (performance.now() - t) / 1000;

report(
  `replay: ${fmt(FENCES)} fences`,
  [
    `${fmt(positions.length)} positions of ${fmt(VEHICLES)} vehicles (random walks at 0–60 km/h, 10 s period) in a 30 × 30 km city`,
    `fences: 90 % small polygons (40–300 m, 4–11 vertices), 10 % zones (0.5–3 km, 24–63 vertices)`,
    'reference: a linear scan with prepared polygons in Python did ~400 positions/s with 2,000 fences on this machine (issue #4)',
  ],
  [
    { path: 'fleetdesk replay (CSV → worker → NDJSON), positions/s', value: fmt(Number(m[3])), events: fmt(Number(m[2])), seconds: (wallS).toFixed(2) },
    { path: 'engine step only (grid index + exact test), positions/s', value: fmt(positions.length / engineS), events: fmt(events), seconds: engineS.toFixed(2) },
  ],
);

// `fleetdesk replay` through the real built CLI and engine worker, on hand-made and real GPS data.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { booleanPointInPolygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../src/main/core/util/csv';
import { mulberry32 } from '../src/main/core/sim/demo-fleet';
import { CLI_PATH, ON_CI, tempDir } from './helpers';

const run = promisify(execFile);
const FIX = path.resolve('test/fixtures/replay');
const WMATA = path.resolve('../shared/data/real/wmata-bus-avl/wmata_gtfsrt_021626.csv');

async function replayCli(fences: string, positions: string) {
  const out = path.join(tempDir(), 'events.ndjson');
  const { stdout, stderr } = await run(process.execPath, [CLI_PATH, 'replay', '--fences', fences, '--positions', positions, '--events-out', out]);
  return { stdout, stderr, events: readFileSync(out, 'utf8') };
}

describe('fleetdesk replay', () => {
  it('writes the hand-computed events: holes, multipolygons, boundary points outside, bad rows skipped with a reason', async () => {
    const r = await replayCli(path.join(FIX, 'fences.geojson'), path.join(FIX, 'positions.csv'));
    expect(r.events).toBe(readFileSync(path.join(FIX, 'expected.ndjson'), 'utf8'));
    expect(r.stdout).toMatch(/^10 positions, 8 events, 2 skipped rows in [\d.]+ s: \d+ positions\/s/);
    expect(r.stderr).toContain('line 10: timestamp "not-a-time" is not ISO-8601');
    expect(r.stderr).toContain('line 12: impossible coordinates lat=95.000');
  });

  it('reads circles (Point + radius_m) and corridors (LineString + width_m) and writes the hand-computed events', async () => {
    const r = await replayCli(path.join(FIX, 'mixed-fences.geojson'), path.join(FIX, 'mixed-positions.csv'));
    expect(r.events).toBe(readFileSync(path.join(FIX, 'mixed-expected.ndjson'), 'utf8'));
    const err = await replayCli(path.join(FIX, 'no-radius.geojson'), path.join(FIX, 'mixed-positions.csv')).catch((e) => e);
    expect(err.stderr).toContain('feature 1 ("no-radius"): a Point fence needs properties.radius_m');
  });

  it('applies fence rules from GeoJSON properties and emits driving and health events from the optional columns', async () => {
    // yard: 5 s entry delay, 20 km/h limit, dwell after 1 min; weekend-only fence on a Monday: silent
    const r = await replayCli(path.join(FIX, 'rules-fences.geojson'), path.join(FIX, 'rules-positions.csv'));
    expect(r.events).toBe(readFileSync(path.join(FIX, 'rules-expected.ndjson'), 'utf8'));
  });

  it('refuses a fence file with a broken polygon, naming the fence and the ring', async () => {
    const err = await replayCli(path.join(FIX, 'broken-fences.geojson'), path.join(FIX, 'positions.csv')).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('fleetdesk: fence "bowtie" (feature 2): outer ring: crosses itself near [1.000000, 1.000000]');
  });

  it.runIf(existsSync(WMATA) || ON_CI)('matches an exact check of every fence on 20,000 real WMATA bus positions', async () => {
    const lines = readFileSync(WMATA, 'utf8').trim().split('\n');
    const head = splitCsvLine(lines[0]!);
    const c = (name: string) => head.indexOf(name);
    const rows = lines
      .slice(1)
      .map(splitCsvLine)
      .map((r) => ({ v: r[c('vehicle.vehicle.id')]!, t: Number(r[c('vehicle.timestamp')]) * 1000, lat: Number(r[c('vehicle.position.latitude')]), lon: Number(r[c('vehicle.position.longitude')]) }))
      .sort((a, b) => a.t - b.t);
    const dir = tempDir();
    const csv = path.join(dir, 'wmata.csv');
    writeFileSync(csv, 'vehicle_id,ts,lat,lon\n' + rows.map((r) => `${r.v},${new Date(r.t).toISOString()},${r.lat},${r.lon}`).join('\n') + '\n');
    // 300 random hexagon-ish fences over the area the buses serve
    const lat0 = Math.min(...rows.map((r) => r.lat));
    const lat1 = Math.max(...rows.map((r) => r.lat));
    const lon0 = Math.min(...rows.map((r) => r.lon));
    const lon1 = Math.max(...rows.map((r) => r.lon));
    const rand = mulberry32(11);
    const fences = Array.from({ length: 300 }, (_, i) => {
      const cx = lon0 + rand() * (lon1 - lon0);
      const cy = lat0 + rand() * (lat1 - lat0);
      const rad = 0.002 + rand() * 0.01;
      const ring = Array.from({ length: 6 }, (_, k) => [cx + rad * Math.cos((k * Math.PI) / 3), cy + rad * 0.78 * Math.sin((k * Math.PI) / 3)]);
      ring.push(ring[0]!);
      return { type: 'Feature', properties: { id: `z${i}` }, geometry: { type: 'Polygon', coordinates: [ring] } };
    });
    const fencesFile = path.join(dir, 'fences.geojson');
    writeFileSync(fencesFile, JSON.stringify({ type: 'FeatureCollection', features: fences }));

    const r = await replayCli(fencesFile, csv);

    const expected: string[] = [];
    const inside = new Map<string, Set<string>>();
    const lastT = new Map<string, number>();
    for (const p of rows) {
      if (p.t < (lastT.get(p.v) ?? -Infinity)) continue;
      lastT.set(p.v, p.t);
      const was = inside.get(p.v) ?? new Set<string>();
      const now = new Set(fences.filter((f) => booleanPointInPolygon([p.lon, p.lat], f.geometry as GeoJSON.Polygon, { ignoreBoundary: true })).map((f) => f.properties.id));
      const ts = new Date(p.t).toISOString();
      for (const id of [...was].filter((x) => !now.has(x)).sort()) expected.push(JSON.stringify({ vehicle_id: p.v, fence_id: id, event: 'exit', ts }));
      for (const id of [...now].filter((x) => !was.has(x)).sort()) expected.push(JSON.stringify({ vehicle_id: p.v, fence_id: id, event: 'enter', ts }));
      inside.set(p.v, now);
    }
    expect(expected.length).toBeGreaterThan(500);
    expect(r.events.trim().split('\n')).toEqual(expected);
  });
});

// `replay`: runs a CSV of positions through the geofence engine worker, without MQTT, writing events as NDJSON.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import type { FenceGeometry } from '../../../shared/contract/fences';
import { EngineHost } from '../engine/engine-host';
import { fencesFromGeoJson } from '../../../shared/fence-geojson';
import { positionOnly } from '../engine/engine-host';
import type { IndexedFence } from '../geofence/fence-index';
import { validateFenceGeometry } from '../geofence/geometry';
import { validateFenceRules } from '../rules/config';
import type { RuleInput } from '../rules/driving';
import { parseTimestampMs } from '../telemetry/validate';
import { splitCsvLine } from '../util/csv';

const BATCH = 8192; // positions per message to the worker

/** Reads fences (with rules) from a GeoJSON FeatureCollection; id from properties.id, else the feature's id. */
export function loadFencesGeoJson(file: string): IndexedFence[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  let parsed;
  try {
    parsed = fencesFromGeoJson(doc);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const seen = new Set<string>();
  return parsed.map((f, i) => {
    if (f.id === undefined) throw new Error(`feature ${i + 1} has no id (properties.id or id)`);
    if (seen.has(f.id)) throw new Error(`feature ${i + 1}: fence id "${f.id}" is used twice`);
    seen.add(f.id);
    const err = validateFenceGeometry(f.geometry) ?? validateFenceRules(f.rules);
    if (err) throw new Error(`fence "${f.id}" (feature ${i + 1}): ${err}`);
    return { id: f.id, geometry: f.geometry as FenceGeometry, rules: f.rules };
  });
}

/** Columns replay reads when present; an empty cell is unknown. */
const OPTIONAL_COLUMNS = ['speed_kmh', 'heading_deg', 'ignition', 'engine_rpm', 'fuel_level_pct', 'coolant_temp_c', 'dtc_codes', 'driver_id'] as const;

function readOptional(cells: string[], col: Record<(typeof OPTIONAL_COLUMNS)[number], number>): Partial<RuleInput> | string {
  const out: Partial<RuleInput> = {};
  const text = (c: (typeof OPTIONAL_COLUMNS)[number]) => (col[c] >= 0 ? (cells[col[c]] ?? '').trim() : '');
  for (const [c, key] of [['speed_kmh', 'speedKmh'], ['heading_deg', 'headingDeg'], ['engine_rpm', 'engineRpm'], ['fuel_level_pct', 'fuelLevelPct'], ['coolant_temp_c', 'coolantTempC']] as const) {
    const t = text(c);
    if (t === '') continue;
    const n = Number(t);
    if (!Number.isFinite(n)) return `${c} is not a number: ${JSON.stringify(t)}`;
    out[key] = n;
  }
  const ig = text('ignition').toLowerCase();
  if (ig !== '') {
    if (!['true', 'false', '1', '0'].includes(ig)) return `ignition must be true/false/1/0: ${JSON.stringify(ig)}`;
    out.ignition = ig === 'true' || ig === '1';
  }
  if (col.dtc_codes >= 0) out.dtcCodes = text('dtc_codes').split(/[;\s]+/).filter(Boolean);
  if (text('driver_id') !== '') out.driverId = text('driver_id');
  return out;
}

export interface ReplayResult {
  positions: number;
  skippedRows: number;
  events: number;
  seconds: number;
  positionsPerSecond: number;
  /** The first few rows that could not be read, with why. */
  problems: string[];
}

export async function replay(options: {
  fencesFile: string;
  positionsFile: string;
  eventsOut: string;
  workerPath: string;
}): Promise<ReplayResult> {
  const fences = loadFencesGeoJson(options.fencesFile);
  const engine = new EngineHost({ workerPath: options.workerPath });
  await engine.start(fences);
  const out = createWriteStream(options.eventsOut);
  const lines = readline.createInterface({ input: createReadStream(options.positionsFile), crlfDelay: Infinity });
  const started = process.hrtime.bigint();
  let header: string[] | null = null;
  let col = { v: -1, ts: -1, lat: -1, lon: -1 };
  let opt: Record<(typeof OPTIONAL_COLUMNS)[number], number> = Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c, -1])) as never;
  let positions: RuleInput[] = [];
  let tsText: string[] = [];
  let lineNo = 0;
  const result: ReplayResult = { positions: 0, skippedRows: 0, events: 0, seconds: 0, positionsPerSecond: 0, problems: [] };
  const problem = (msg: string) => {
    result.skippedRows++;
    if (result.problems.length < 20) result.problems.push(msg);
  };

  const flush = async () => {
    if (positions.length === 0) return;
    const batch = positions;
    const texts = tsText;
    positions = [];
    tsText = [];
    const output = await engine.process(batch);
    const lines: [number, object][] = [];
    for (const e of output.geofence) lines.push([e.index, { vehicle_id: e.vehicleId, fence_id: e.fenceId, event: e.event, ts: texts[e.index] }]);
    for (const e of output.driving) {
      lines.push([e.index, { vehicle_id: e.vehicleId, event: e.type, ts: texts[e.index], start_ms: e.startMs, severity: e.severity, value: e.value, threshold: e.threshold, driver_id: e.driverId }]);
    }
    for (const e of output.health) lines.push([e.index, { vehicle_id: e.vehicleId, event: e.type, ts: texts[e.index], detail: e.detail }]);
    // in input order; at one row geofence events first, then driving, then health (stable sort)
    lines.sort((a, b) => a[0] - b[0]);
    for (const [, obj] of lines) {
      if (!out.write(JSON.stringify(obj) + '\n')) await once(out, 'drain');
    }
    result.events += lines.length;
  };

  try {
    for await (const raw of lines) {
      lineNo++;
      const line = raw.trim();
      if (!line) continue;
      const cells = splitCsvLine(line);
      if (!header) {
        header = cells.map((c) => c.trim().toLowerCase());
        col = { v: header.indexOf('vehicle_id'), ts: header.indexOf('ts'), lat: header.indexOf('lat'), lon: header.indexOf('lon') };
        const missing = Object.entries({ vehicle_id: col.v, ts: col.ts, lat: col.lat, lon: col.lon }).filter(([, i]) => i < 0).map(([k]) => k);
        if (missing.length) throw new Error(`${options.positionsFile}: header lacks column(s) ${missing.join(', ')}`);
        opt = Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c, header!.indexOf(c)])) as typeof opt;
        continue;
      }
      const vehicleId = cells[col.v]?.trim();
      const ts = cells[col.ts]?.trim() ?? '';
      const lat = Number(cells[col.lat]);
      const lon = Number(cells[col.lon]);
      if (!vehicleId) {
        problem(`line ${lineNo}: no vehicle_id`);
        continue;
      }
      const t = parseTimestampMs(/^\d+$/.test(ts) ? Number(ts) : ts);
      if (!t.ok) {
        problem(`line ${lineNo}: ${t.reason}`);
        continue;
      }
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || cells[col.lat]!.trim() === '' || cells[col.lon]!.trim() === '') {
        problem(`line ${lineNo}: impossible coordinates lat=${cells[col.lat]} lon=${cells[col.lon]}`);
        continue;
      }
      const read = readOptional(cells, opt);
      if (typeof read === 'string') {
        problem(`line ${lineNo}: ${read}`);
        continue;
      }
      positions.push({ ...positionOnly({ vehicleId, tsMs: t.ms, lon, lat }), ...read });
      tsText.push(ts);
      result.positions++;
      if (positions.length >= BATCH) await flush();
    }
    await flush();
  } finally {
    await engine.close();
    out.end();
    await once(out, 'finish');
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  result.positionsPerSecond = result.positions / Math.max(result.seconds, 1e-9);
  return result;
}

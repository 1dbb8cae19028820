// `replay`: runs a CSV of positions through the geofence engine worker, without MQTT, writing events as NDJSON.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import type { FenceGeometry } from '../../../shared/types';
import { EngineHost } from '../engine/engine-host';
import type { EnginePosition } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';
import { validateFenceGeometry } from '../geofence/geometry';
import { parseTimestampMs } from '../telemetry/validate';
import { splitCsvLine } from './csv';

const BATCH = 8192; // positions per message to the worker

/**
 * A GeoJSON feature's geometry as a fence: Polygon and MultiPolygon as they are; a Point with
 * `properties.radius_m` is a circle; a LineString with `properties.width_m` is a corridor.
 */
export function fenceGeometryOf(geometry: unknown, properties: Record<string, unknown> | null | undefined): { geometry: unknown } | { missing: string } {
  const g = geometry as { type?: string; coordinates?: unknown } | null;
  const prop = (name: string) => properties?.[name];
  if (g?.type === 'Point') {
    return prop('radius_m') === undefined ? { missing: 'radius_m' } : { geometry: { type: 'Circle', center: g.coordinates, radiusM: Number(prop('radius_m')) } };
  }
  if (g?.type === 'LineString') {
    return prop('width_m') === undefined ? { missing: 'width_m' } : { geometry: { type: 'Corridor', line: g.coordinates, widthM: Number(prop('width_m')) } };
  }
  return { geometry };
}

/** Reads fences from a GeoJSON FeatureCollection; id from properties.id, else the feature's id. */
export function loadFencesGeoJson(file: string): IndexedFence[] {
  let doc: { type?: string; features?: unknown[] };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) throw new Error(`${file} is not a GeoJSON FeatureCollection`);
  const fences: IndexedFence[] = [];
  const seen = new Set<string>();
  doc.features.forEach((f, i) => {
    const feat = f as { id?: unknown; properties?: { id?: unknown } | null; geometry?: unknown };
    const rawId = feat.properties?.id ?? feat.id;
    if (rawId === undefined || rawId === null || rawId === '') throw new Error(`feature ${i + 1} has no id (properties.id or id)`);
    const id = String(rawId);
    if (seen.has(id)) throw new Error(`feature ${i + 1}: fence id "${id}" is used twice`);
    seen.add(id);
    const shape = fenceGeometryOf(feat.geometry, feat.properties as Record<string, unknown> | null);
    if ('missing' in shape) throw new Error(`fence "${id}" (feature ${i + 1}): a ${(feat.geometry as { type: string }).type} fence needs properties.${shape.missing}`);
    const err = validateFenceGeometry(shape.geometry);
    if (err) throw new Error(`fence "${id}" (feature ${i + 1}): ${err}`);
    fences.push({ id, geometry: shape.geometry as FenceGeometry });
  });
  return fences;
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
  let positions: EnginePosition[] = [];
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
    const events = await engine.process(batch);
    for (const e of events) {
      const line = JSON.stringify({ vehicle_id: e.vehicleId, fence_id: e.fenceId, event: e.event, ts: texts[e.index] }) + '\n';
      if (!out.write(line)) await once(out, 'drain');
    }
    result.events += events.length;
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
      positions.push({ vehicleId, tsMs: t.ms, lon, lat });
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

// The history benchmarks' database: 100 vehicles × 30 days in one real SQLite file, rows in arrival
// order (interleaved by time, as ingest writes them). One vehicle (H000) reports every second, the
// other 99 every 30 s. Built once and reused (delete .bench-tmp/history to rebuild).
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Store } from '../src/main/core/storage/store';
import { M_PER_DEG } from '../src/main/core/geo/distance';

export const HISTORY_DB = path.resolve('.bench-tmp/history/history.sqlite');
export const DAYS = 30;
export const VEHICLES = 100;
export const SLOW_EVERY_S = 30;
export const START_MS = Date.UTC(2026, 9, 1);
export const FAST_VEHICLE = 'H000';

/** A vehicle's day: drives a loop around its home for 10 h a day (06:00–16:00 UTC), parked otherwise. */
function positionAt(v: number, tS: number): { lat: number; lon: number; speedKmh: number; odometerKm: number } {
  const home = { lat: 52.3 + (v % 10) * 0.04, lon: -2.1 + Math.floor(v / 10) * 0.06 };
  const day = Math.floor(tS / 86_400);
  const sod = tS % 86_400;
  const driving = sod >= 6 * 3600 && sod < 16 * 3600;
  const driveS = Math.min(Math.max(sod - 6 * 3600, 0), 10 * 3600);
  // 40 km/h round a 12 km loop, with a 10-minute stop every hour (delivery)
  const inHour = driveS % 3600;
  const movingS = Math.floor(driveS / 3600) * 3000 + Math.min(inHour, 3000);
  const speedKmh = driving && inHour < 3000 ? 40 + 10 * Math.sin(tS / 60) : 0;
  const distM = (movingS * 40) / 3.6;
  const ang = (distM / 12_000) * 2 * Math.PI;
  const r = 12_000 / (2 * Math.PI);
  return {
    lat: home.lat + (r * Math.sin(ang)) / M_PER_DEG,
    lon: home.lon + (r * (1 - Math.cos(ang))) / (M_PER_DEG * Math.cos((home.lat * Math.PI) / 180)),
    speedKmh: Math.max(0, speedKmh),
    odometerKm: 10_000 + day * 120 + distM / 1000,
  };
}

export function ensureHistoryDb(log: (s: string) => void = console.error): { rows: number; buildS: number; summaryS: number } | null {
  if (existsSync(HISTORY_DB)) return null;
  mkdirSync(path.dirname(HISTORY_DB), { recursive: true });
  const tmp = `${HISTORY_DB}.building`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}-wal`, { force: true });
  const store = new Store(tmp);
  const db = store.db;
  const insert = db.prepare(
    `INSERT INTO telemetry (vehicle_id, ts_ms, lat, lon, speed_kmh, heading_deg, fuel_level_pct, engine_rpm, odometer_km, hdop, satellites, ignition, driver_id, received_ms, quality, source)
     VALUES (?, ?, ?, ?, ?, 90, 50, 1500, ?, 0.9, 9, 1, ?, ?, ?, 'mqtt')`,
  );
  const ids = Array.from({ length: VEHICLES }, (_, i) => `H${String(i).padStart(3, '0')}`);
  const t0 = performance.now();
  let rows = 0;
  const totalS = DAYS * 86_400;
  const chunkS = 3600;
  for (let a = 0; a < totalS; a += chunkS) {
    db.transaction(() => {
      for (let s = a; s < a + chunkS; s++) {
        const ms = START_MS + s * 1000;
        const p = positionAt(0, s);
        // one in 5,000 of the fast vehicle's fixes is drift, flagged by the filter
        const drift = s % 5000 === 17;
        insert.run(ids[0], ms, drift ? p.lat + 0.05 : p.lat, p.lon, p.speedKmh, p.odometerKm, 'D000', ms + 300, drift ? 'jump' : null);
        rows++;
        // the others report every 30 s, staggered
        const k = s % SLOW_EVERY_S;
        for (let v = 1 + k; v < VEHICLES; v += SLOW_EVERY_S) {
          const q = positionAt(v, s);
          insert.run(ids[v], ms, q.lat, q.lon, q.speedKmh, q.odometerKm, `D${String(v).padStart(3, '0')}`, ms + 300, null);
          rows++;
        }
      }
    })();
    if ((a / chunkS) % 24 === 0) log(`  day ${a / 86_400 + 1}/${DAYS}: ${rows.toLocaleString('en')} rows`);
  }
  const upsert = db.prepare(`INSERT INTO vehicles (id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)`);
  for (const id of ids) upsert.run(id, START_MS, START_MS + totalS * 1000);
  const buildS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  store.track.summarizeAll();
  const summaryS = (performance.now() - t1) / 1000;
  store.close();
  renameSync(tmp, HISTORY_DB);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  return { rows, buildS, summaryS };
}

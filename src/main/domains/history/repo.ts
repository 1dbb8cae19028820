// The history domain's SQL (track_minutes, track_hours, track_dirty): the per-minute summary long ranges are drawn from, folded in from telemetry.
import type Database from 'better-sqlite3';
import type { SettingsRepo } from '../settings/repo';

const TRACK_WATERMARK_KEY = 'history.summarizedRowId';

export class TrackRepo {
  private readonly stmts;

  constructor(
    readonly db: Database.Database,
    private readonly settings: SettingsRepo,
    /** A read-only connection leaves repacking to the service's own. */
    private readonly readonly: boolean,
  ) {
    this.stmts = {
      // one vehicle-hour of the per-minute summary: packed into its blob, or read while not packed yet
      hourMinutes: this.db
        .prepare(`SELECT ts_ms, lat, lon, speed_kmh, max_speed_kmh, odometer_km, n, driver_id FROM track_minutes WHERE vehicle_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms`)
        .raw(),
      upsertHour: this.db.prepare(
        `INSERT INTO track_hours (vehicle_id, hour_ms, data, drivers) VALUES (?, ?, ?, ?) ON CONFLICT (vehicle_id, hour_ms) DO UPDATE SET data = excluded.data, drivers = excluded.drivers`,
      ),
    };
  }

  /**
   * Folds telemetry rows added since the last call into track_minutes (one trusted point per
   * vehicle-minute), at most `maxRows` rows per call. Late (out-of-order) rows are folded in too: the
   * watermark is the row id, not the fix time. Returns the rows read; 0 when up to date.
   */
  summarize(maxRows = 200_000): number {
    this.repackHoursIfNeeded();
    const from = Number(this.settings.get(TRACK_WATERMARK_KEY) ?? 0);
    const top = (this.db.prepare(`SELECT max(id) AS id FROM telemetry`).get() as { id: number | null }).id ?? 0;
    if (top <= from) return 0;
    const to = Math.min(top, from + maxRows);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO track_minutes (vehicle_id, minute_ms, ts_ms, lat, lon, speed_kmh, max_speed_kmh, odometer_km, n, driver_id)
           SELECT g.vehicle_id, g.m, t.ts_ms, t.lat, t.lon, t.speed_kmh, g.mx, t.odometer_km, g.n, t.driver_id
           FROM (SELECT vehicle_id, (ts_ms / 60000) * 60000 AS m, max(ts_ms) AS last_ts, max(speed_kmh) AS mx, count(*) AS n
                 FROM telemetry WHERE id > ? AND id <= ? AND quality IS NULL GROUP BY vehicle_id, m) g
           JOIN telemetry t ON t.vehicle_id = g.vehicle_id AND t.ts_ms = g.last_ts
           WHERE true
           ON CONFLICT (vehicle_id, minute_ms) DO UPDATE SET
             lat = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.lat ELSE lat END,
             lon = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.lon ELSE lon END,
             speed_kmh = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.speed_kmh ELSE speed_kmh END,
             odometer_km = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.odometer_km ELSE odometer_km END,
             driver_id = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.driver_id ELSE driver_id END,
             ts_ms = max(ts_ms, excluded.ts_ms),
             max_speed_kmh = max(coalesce(max_speed_kmh, excluded.max_speed_kmh), coalesce(excluded.max_speed_kmh, max_speed_kmh)),
             n = n + excluded.n`,
        )
        .run(from, to);
      // packing waits (packDirtyHours): repacking every vehicle's current hour on every pass would cost
      // more than the ingest it follows
      this.db
        .prepare(`INSERT OR IGNORE INTO track_dirty (vehicle_id, hour_ms) SELECT DISTINCT vehicle_id, (ts_ms / 3600000) * 3600000 FROM telemetry WHERE id > ? AND id <= ? AND quality IS NULL`)
        .run(from, to);
      this.settings.set(TRACK_WATERMARK_KEY, String(to));
    })();
    return to - from;
  }

  /** Rewrites one vehicle-hour's blob from its track_minutes rows. */
  private packHour(vehicleId: string, hourMs: number): void {
    const rows = this.stmts.hourMinutes.all(vehicleId, hourMs, hourMs + 3_600_000) as (number | string | null)[][];
    const data = new Float64Array(rows.length * 7);
    let k = 0;
    for (const r of rows) for (let j = 0; j < 7; j++) data[k++] = (r[j] as number | null) ?? Number.NaN;
    const drivers = rows.map((r) => r[7] as string | null);
    this.stmts.upsertHour.run(vehicleId, hourMs, Buffer.from(data.buffer, data.byteOffset, data.byteLength), drivers.some((d) => d !== null) ? JSON.stringify(drivers) : null);
  }

  /** Packs every vehicle-hour again (after the migration that added track_hours to an existing summary). */
  private repackHoursIfNeeded(): void {
    // a read-only connection leaves it to the service's own (which does it within seconds of starting)
    if (this.readonly || this.settings.get('history.repackHours') !== '1') return;
    this.db.transaction(() => {
      const hours = this.db.prepare(`SELECT DISTINCT vehicle_id, (minute_ms / 3600000) * 3600000 FROM track_minutes`).raw().all() as [string, number][];
      for (const [v, h] of hours) this.packHour(v, h);
      this.settings.set('history.repackHours', null);
    })();
  }

  /** Telemetry rows not yet folded into track_minutes. */
  backlog(): number {
    const top = (this.db.prepare(`SELECT max(id) AS id FROM telemetry`).get() as { id: number | null }).id ?? 0;
    return Math.max(0, top - Number(this.settings.get(TRACK_WATERMARK_KEY) ?? 0));
  }

  /** Packs up to `limit` changed vehicle-hours that started before `beforeMs`; returns how many. */
  packDirtyHours(beforeMs: number, limit = 500): number {
    const hours = this.db.prepare(`SELECT vehicle_id, hour_ms FROM track_dirty WHERE hour_ms < ? LIMIT ?`).raw().all(beforeMs, limit) as [string, number][];
    if (hours.length === 0) return 0;
    const del = this.db.prepare(`DELETE FROM track_dirty WHERE vehicle_id = ? AND hour_ms = ?`);
    this.db.transaction(() => {
      for (const [v, h] of hours) {
        this.packHour(v, h);
        del.run(v, h);
      }
    })();
    return hours.length;
  }

  /** Brings the summary fully up to date, hours packed (tools and tests; the service works in slices). */
  summarizeAll(): number {
    let total = 0;
    for (let n = this.summarize(); n > 0; n = this.summarize()) total += n;
    while (this.packDirtyHours(Number.POSITIVE_INFINITY, 5000) > 0);
    return total;
  }

  /** One point per minute (see track_minutes), with the count of trusted points it stands for. */
  minuteTrack(vehicleId: string, fromMs: number, toMs: number): { tsMs: number; lat: number; lon: number; speedKmh: number | null; maxSpeedKmh: number | null; odometerKm: number | null; n: number; driverId: string | null }[] {
    this.repackHoursIfNeeded();
    const rows = this.db
      .prepare(`SELECT data, drivers, hour_ms FROM track_hours WHERE vehicle_id = ? AND hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms`)
      .raw()
      .all(vehicleId, fromMs - (((fromMs % 3_600_000) + 3_600_000) % 3_600_000), toMs) as [Buffer, string | null, number][];
    const out = [];
    const nn = (x: number) => (Number.isNaN(x) ? null : x);
    // hours changed since packing are read from the minutes themselves
    const hourFrom = fromMs - (((fromMs % 3_600_000) + 3_600_000) % 3_600_000);
    const dirty = new Set(this.db.prepare(`SELECT hour_ms FROM track_dirty WHERE vehicle_id = ? AND hour_ms >= ? AND hour_ms < ?`).pluck().all(vehicleId, hourFrom, toMs) as number[]);
    for (const h of dirty) {
      const minutes = this.stmts.hourMinutes.all(vehicleId, h, h + 3_600_000) as [number, number, number, number | null, number | null, number | null, number, string | null][];
      for (const m of minutes) if (m[0] >= fromMs && m[0] < toMs) out.push({ tsMs: m[0], lat: m[1], lon: m[2], speedKmh: m[3], maxSpeedKmh: m[4], odometerKm: m[5], n: m[6], driverId: m[7] });
    }
    for (const [b, driversJson, hourMs] of rows) {
      if (dirty.has(hourMs)) continue;
      // copy: a blob's bytes need not be 8-byte aligned
      const d = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      const drivers = driversJson ? (JSON.parse(driversJson) as (string | null)[]) : null;
      for (let i = 0; i < d.length; i += 7) {
        const ts = d[i]!;
        if (ts < fromMs || ts >= toMs) continue; // the edge hours hold points outside the range
        out.push({ tsMs: ts, lat: d[i + 1]!, lon: d[i + 2]!, speedKmh: nn(d[i + 3]!), maxSpeedKmh: nn(d[i + 4]!), odometerKm: nn(d[i + 5]!), n: d[i + 6]!, driverId: drivers?.[i / 7] ?? null });
      }
    }
    if (dirty.size > 0) out.sort((a, b) => a.tsMs - b.tsMs);
    return out;
  }
}

// Vehicle-week features for the breakdown model, computed from FleetDesk's own telemetry, driving
// events and maintenance records (plus any imported history), and the label: a breakdown recorded in
// the 14 days after the week. Weeks start Monday 00:00 UTC.
import type Database from 'better-sqlite3';
import type { MaintenanceRecord } from '../../../shared/contract/maintenance';
import { FEATURE_COLUMNS, type FeatureTable } from './evaluate';

export const WEEK_MS = 7 * 86_400_000;
const MONDAY0_MS = 4 * 86_400_000; // 1970-01-05 was a Monday
export const LABEL_HORIZON_MS = 14 * 86_400_000;
/** Fuel tank size used to turn "% of tank" into litres when the vehicle's own is unknown. */
export const DEFAULT_TANK_L = 80;

export const weekStart = (ms: number) => Math.floor((ms - MONDAY0_MS) / WEEK_MS) * WEEK_MS + MONDAY0_MS;
export const weekLabel = (startMs: number) => new Date(startMs).toISOString().slice(0, 10);

export interface VehicleWeek {
  vehicleId: string;
  week: string;
  weekStartMs: number;
  x: number[]; // FEATURE_COLUMNS order, NaN = unknown
  /** null while the 14 days after the week have not passed yet. */
  label: 0 | 1 | null;
}

/** Features of every vehicle-week with telemetry since `fromMs`, from the database (read-only queries). */
export function telemetryWeeks(db: Database.Database, records: readonly MaintenanceRecord[], nowMs: number, fromMs = 0): VehicleWeek[] {
  const rows = db
    .prepare(
      `WITH t AS (
         SELECT t.vehicle_id, (t.ts_ms - ${MONDAY0_MS}) / ${WEEK_MS} AS wk, t.ts_ms, t.engine_rpm, t.coolant_temp_c, t.odometer_km,
                t.fuel_level_pct - LAG(t.fuel_level_pct) OVER (PARTITION BY t.vehicle_id ORDER BY t.ts_ms) AS dfuel
         -- vehicle by vehicle through the (vehicle_id, ts_ms) index: only the rows since fromMs are read
         -- (telemetry has no index on ts_ms alone, so a plain WHERE ts_ms >= ? reads the whole table)
         FROM vehicles v CROSS JOIN telemetry t ON t.vehicle_id = v.id AND t.ts_ms >= ?
         WHERE t.quality IS NULL)
       SELECT vehicle_id, wk, avg(engine_rpm) AS avg_rpm, max(engine_rpm) AS max_rpm, avg(coolant_temp_c) AS avg_cool,
              max(coolant_temp_c) AS max_cool, sum(CASE WHEN dfuel < 0 AND dfuel > -20 THEN -dfuel ELSE 0 END) AS fuel_pct,
              max(odometer_km) - min(odometer_km) AS km, max(odometer_km) AS odo_end, max(ts_ms) AS last_ts
       FROM t GROUP BY vehicle_id, wk`,
    )
    .all(fromMs) as { vehicle_id: string; wk: number; avg_rpm: number | null; max_rpm: number | null; avg_cool: number | null; max_cool: number | null; fuel_pct: number; km: number | null; odo_end: number | null; last_ts: number }[];
  const harsh = new Map<string, number>();
  for (const r of db
    .prepare(`SELECT vehicle_id, (ts_ms - ${MONDAY0_MS}) / ${WEEK_MS} AS wk, count(*) AS n FROM driving_events WHERE type = 'harsh_brake' AND ts_ms >= ? GROUP BY vehicle_id, wk`)
    .all(fromMs) as { vehicle_id: string; wk: number; n: number }[])
    harsh.set(`${r.vehicle_id}|${r.wk}`, r.n);
  const dtcAt = db.prepare(`SELECT dtc_codes FROM telemetry WHERE vehicle_id = ? AND ts_ms = ?`).pluck();
  const byVehicle = new Map<string, MaintenanceRecord[]>();
  for (const r of records) byVehicle.set(r.vehicleId, [...(byVehicle.get(r.vehicleId) ?? []), r]);
  for (const list of byVehicle.values()) list.sort((a, b) => a.tsMs - b.tsMs);
  const nn = (v: number | null) => (v === null || !Number.isFinite(v) ? Number.NaN : v);
  return rows.map((r) => {
    const start = r.wk * WEEK_MS + MONDAY0_MS;
    const end = start + WEEK_MS;
    const recs = byVehicle.get(r.vehicle_id) ?? [];
    const lastService = [...recs].reverse().find((x) => x.kind === 'service' && x.tsMs < end) ?? null;
    const km = r.km !== null && r.km >= 0 ? r.km : Number.NaN;
    const codes = dtcAt.get(r.vehicle_id, r.last_ts) as string | null | undefined;
    const x = [
      nn(r.avg_rpm),
      nn(r.max_rpm),
      nn(r.avg_cool),
      nn(r.max_cool),
      km > 1 ? ((r.fuel_pct / 100) * DEFAULT_TANK_L * 100) / km : Number.NaN, // litres per 100 km
      harsh.get(`${r.vehicle_id}|${r.wk}`) ?? 0,
      km,
      lastService ? (end - lastService.tsMs) / 86_400_000 : Number.NaN,
      lastService?.odometerKm != null && r.odo_end !== null ? r.odo_end - lastService.odometerKm : Number.NaN,
      codes ? (JSON.parse(codes) as string[]).length : 0,
    ];
    const label: 0 | 1 | null = end + LABEL_HORIZON_MS > nowMs ? null : recs.some((x) => x.kind === 'breakdown' && x.tsMs > end && x.tsMs <= end + LABEL_HORIZON_MS) ? 1 : 0;
    return { vehicleId: r.vehicle_id, week: weekLabel(start), weekStartMs: start, x, label };
  });
}

/** Imported history rows (same columns as `maintenance evaluate`). */
export function historyWeeks(db: Database.Database): VehicleWeek[] {
  return (db.prepare(`SELECT week, vehicle_id, features, label FROM maintenance_history`).all() as { week: string; vehicle_id: string; features: string; label: number }[]).map((r) => {
    const f = JSON.parse(r.features) as (number | null)[];
    return { vehicleId: r.vehicle_id, week: r.week, weekStartMs: Date.parse(`${r.week}T00:00:00Z`), x: f.map((v) => (v === null ? Number.NaN : v)), label: r.label ? 1 : 0 };
  });
}

/** Labelled weeks as a table for training (telemetry weeks win over imported ones for the same vehicle-week). */
export function trainingTable(weeks: readonly VehicleWeek[]): FeatureTable {
  const seen = new Map<string, VehicleWeek>();
  for (const w of weeks) if (w.label !== null) seen.set(`${w.week}|${w.vehicleId}`, w);
  const list = [...seen.values()].sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : a.vehicleId.localeCompare(b.vehicleId)));
  return {
    week: list.map((w) => w.week),
    vehicleId: list.map((w) => w.vehicleId),
    features: [...FEATURE_COLUMNS],
    x: FEATURE_COLUMNS.map((_, f) => Float64Array.from(list, (w) => w.x[f]!)),
    y: Uint8Array.from(list, (w) => w.label!),
  };
}

// Fleet cost from what FleetDesk stores: distance per vehicle (the odometer where it is plausible, else
// the GPS track, leg by leg as for driver scores, over the samples history uses), maintenance costs
// from the records, and the cost inputs; see tco.ts for the arithmetic.
import type Database from 'better-sqlite3';
import type { FleetCost, VehicleCostInputs } from '../../../shared/contract/costs';
import { loadSamples } from '../history/history';
import type { Store } from '../storage/store';
import { fleetCost, vehicleCost } from './tco';
import { DistanceAccumulator } from './scoring';

export function listCostInputs(db: Database.Database): VehicleCostInputs[] {
  return (db.prepare(`SELECT data FROM vehicle_costs ORDER BY vehicle_id`).pluck().all() as string[]).map((d) => JSON.parse(d) as VehicleCostInputs);
}

export function saveCostInputs(db: Database.Database, i: VehicleCostInputs, nowMs: number): void {
  db.prepare(`INSERT INTO vehicle_costs (vehicle_id, data, updated_ms) VALUES (?, ?, ?) ON CONFLICT(vehicle_id) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms`).run(i.vehicleId, JSON.stringify(i), nowMs);
}

/** Km a vehicle drove in a period, by the same rule as driver scores (DistanceAccumulator). */
export function kmDriven(store: Store, vehicleId: string, fromMs: number, toMs: number): number {
  const dist = new DistanceAccumulator();
  for (const s of loadSamples(store, vehicleId, fromMs, toMs).samples) dist.add({ vehicleId, tsMs: s.tsMs, lat: s.lat, lon: s.lon, odometerKm: s.odometerKm, driverId: null });
  return dist.kmByVehicle.get(vehicleId) ?? 0;
}

export function computeFleetCost(store: Store, fromMs: number, toMs: number, vehicleIds?: string[]): FleetCost {
  const db = store.db;
  const inputs = new Map(listCostInputs(db).map((i) => [i.vehicleId, i]));
  const known = (db.prepare(`SELECT id FROM vehicles ORDER BY id`).pluck().all() as string[]).concat([...inputs.keys()]);
  const ids = vehicleIds?.length ? vehicleIds : [...new Set(known)].sort();
  const maint = new Map(
    (db.prepare(`SELECT vehicle_id, sum(cost) AS c FROM maintenance_records WHERE ts_ms >= ? AND ts_ms < ? AND cost IS NOT NULL GROUP BY vehicle_id`).all(fromMs, toMs) as { vehicle_id: string; c: number }[]).map((r) => [r.vehicle_id, r.c]),
  );
  // how much of the period each vehicle's telemetry spans (first to last trusted fix in it)
  const span = db.prepare(`SELECT min(ts_ms) AS a, max(ts_ms) AS b FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL`);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const coverageOf = (v: string) => {
    const s = span.get(v, fromMs, toMs) as { a: number | null; b: number | null };
    if (s.a === null || s.b === null) return 0;
    first = Math.min(first, s.a);
    last = Math.max(last, s.b);
    return (s.b - s.a) / (toMs - fromMs);
  };
  const rows = ids.map((v) => vehicleCost(inputs.get(v) ?? null, v, kmDriven(store, v, fromMs, toMs), maint.get(v) ?? 0, fromMs, toMs, coverageOf(v)));
  return fleetCost(rows, fromMs, toMs, last > first ? (last - first) / (toMs - fromMs) : 0, currencyOf(store.settings));
}

export const CURRENCY_KEY = 'costs.currency';

/** The currency amounts are in (Costs tab), EUR until set. */
export function currencyOf(settings: { get(key: string): string | null }): string {
  const c = settings.get(CURRENCY_KEY);
  return c && /^[A-Z]{3}$/.test(c) ? c : 'EUR';
}

// Fleet cost from what FleetDesk stores: distance per vehicle (odometer where it agrees with GPS, else
// the GPS track, from the same samples history uses), maintenance costs from the records, and the cost
// inputs; see tco.ts for the arithmetic.
import type Database from 'better-sqlite3';
import type { FleetCost, VehicleCostInputs } from '../../../shared/types';
import { loadSamples } from '../history/history';
import { haversineM } from '../geo/distance';
import type { Store } from '../storage/store';
import { fleetCost, vehicleCost } from './tco';

export function listCostInputs(db: Database.Database): VehicleCostInputs[] {
  return (db.prepare(`SELECT data FROM vehicle_costs ORDER BY vehicle_id`).pluck().all() as string[]).map((d) => JSON.parse(d) as VehicleCostInputs);
}

export function saveCostInputs(db: Database.Database, i: VehicleCostInputs, nowMs: number): void {
  db.prepare(`INSERT INTO vehicle_costs (vehicle_id, data, updated_ms) VALUES (?, ?, ?) ON CONFLICT(vehicle_id) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms`).run(i.vehicleId, JSON.stringify(i), nowMs);
}

/** Km a vehicle drove in a period. */
export function kmDriven(store: Store, vehicleId: string, fromMs: number, toMs: number): number {
  const { samples } = loadSamples(store, vehicleId, fromMs, toMs);
  let gpsM = 0;
  for (let i = 1; i < samples.length; i++) gpsM += haversineM(samples[i - 1]!.lon, samples[i - 1]!.lat, samples[i]!.lon, samples[i]!.lat);
  const odo = samples.filter((s) => s.odometerKm !== null);
  const odoKm = odo.length >= 2 ? odo[odo.length - 1]!.odometerKm! - odo[0]!.odometerKm! : null;
  const gpsKm = gpsM / 1000;
  return odoKm !== null && odoKm >= 0 && odoKm <= gpsKm * 1.3 + 1 && odoKm >= gpsKm * 0.7 - 1 ? odoKm : gpsKm;
}

export function computeFleetCost(store: Store, fromMs: number, toMs: number, vehicleIds?: string[]): FleetCost {
  const db = store.db;
  const inputs = new Map(listCostInputs(db).map((i) => [i.vehicleId, i]));
  const known = (db.prepare(`SELECT id FROM vehicles ORDER BY id`).pluck().all() as string[]).concat([...inputs.keys()]);
  const ids = vehicleIds?.length ? vehicleIds : [...new Set(known)].sort();
  const maint = new Map(
    (db.prepare(`SELECT vehicle_id, sum(cost) AS c FROM maintenance_records WHERE ts_ms >= ? AND ts_ms < ? AND cost IS NOT NULL GROUP BY vehicle_id`).all(fromMs, toMs) as { vehicle_id: string; c: number }[]).map((r) => [r.vehicle_id, r.c]),
  );
  const rows = ids.map((v) => vehicleCost(inputs.get(v) ?? null, v, kmDriven(store, v, fromMs, toMs), maint.get(v) ?? 0, fromMs, toMs));
  return fleetCost(rows, fromMs, toMs);
}

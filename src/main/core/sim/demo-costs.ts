// The demo fleet's cost inputs and a year of service records with costs (a few old vans cost a lot to
// keep running), so the Costs and Maintenance tabs have something real to show. Deterministic.
import type { Store } from '../storage/store';
import { saveCostInputs } from '../analytics/fleet-cost';

export function seedDemoCosts(store: Store, vehicleIds: string[], nowMs: number): void {
  const ins = store.db.prepare(`INSERT INTO maintenance_records (vehicle_id, kind, ts_ms, odometer_km, cost, note) VALUES (?, 'service', ?, ?, ?, ?)`);
  store.db.transaction(() => {
    vehicleIds.forEach((id, i) => {
      const old = i % 7 === 3; // every seventh van is old and keeps breaking
      const leased = i % 5 === 1;
      const year = old ? 2016 + (i % 3) : 2021 + (i % 5);
      saveCostInputs(
        store.db,
        {
          vehicleId: id,
          acquisitionCost: leased ? null : 32_000 + (i % 6) * 2_500,
          acquisitionDate: leased ? null : `${year}-0${1 + (i % 9)}-15`,
          monthlyLease: leased ? 520 + (i % 4) * 40 : null,
          insurancePerYear: 1_100 + (i % 5) * 90,
          fuelPricePerL: 1.62,
          consumptionLPer100Km: 8.5 + (i % 4) * 0.6 + (old ? 1.5 : 0),
          costPerKm: null,
          depreciationRatePct: null,
        },
        nowMs,
      );
      // services every ~3 months over the last year; the old vans also need repairs
      for (let q = 1; q <= 4; q++) ins.run(id, nowMs - q * 91 * 86_400_000 + i * 3_600_000, 40_000 + i * 1_000 + (4 - q) * 5_000, old ? 2_400 + (i % 3) * 600 : 280 + (i % 4) * 35, old ? 'repair and service' : 'scheduled service');
    });
  })();
}

// Cost methods: total cost of ownership for a period, and each vehicle's cost inputs (typed or imported).
import type { costsMethods, VehicleCostInputs } from '../../../shared/contract/costs';
import { computeFleetCost, CURRENCY_KEY, listCostInputs, saveCostInputs } from '../../core/analytics/fleet-cost';
import { parseCostCsv, validateCostInputs } from '../../core/analytics/tco';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import type { HandlersOf } from '../../api/handlers';

const BLANK: Omit<VehicleCostInputs, 'vehicleId'> = {
  acquisitionCost: null,
  acquisitionDate: null,
  monthlyLease: null,
  insurancePerYear: null,
  fuelPricePerL: null,
  consumptionLPer100Km: null,
  costPerKm: null,
  depreciationRatePct: null,
};

export function costsHandlers(d: { store: Store }): HandlersOf<typeof costsMethods> {
  const { store } = d;
  return {
    getFleetCost: async (p) => {
      const toMs = p.toMs ?? Date.now();
      const fromMs = p.fromMs ?? toMs - 30 * 86_400_000;
      if (!(toMs > fromMs)) throw new ApiError('bad_request', 'The period must end after it starts.');
      if (toMs - fromMs > 3 * 366 * 86_400_000) throw new ApiError('bad_request', 'Choose a period of at most three years.');
      return computeFleetCost(store, fromMs, toMs);
    },
    listCostInputs: async () => listCostInputs(store.db),
    setCostCurrency: async (p) => {
      store.settings.set(CURRENCY_KEY, p.currency);
      return { currency: p.currency };
    },
    saveCostInputs: async (p) => {
      const input: VehicleCostInputs = { ...BLANK, ...p, vehicleId: p.vehicleId.trim() };
      const err = validateCostInputs(input);
      if (err) throw new ApiError('bad_request', err);
      saveCostInputs(store.db, input, Date.now());
      return input;
    },
    importCostCsv: async (p) => {
      if (!p.text.trim()) throw new ApiError('bad_request', 'The file is empty.');
      let parsed;
      try {
        parsed = parseCostCsv(p.text);
      } catch (err) {
        throw new ApiError('bad_request', (err as Error).message);
      }
      const now = Date.now();
      store.db.transaction(() => {
        for (const r of parsed.rows) saveCostInputs(store.db, r, now);
      })();
      return { imported: parsed.rows.length, errors: parsed.errors.slice(0, 50) };
    },
  };
}

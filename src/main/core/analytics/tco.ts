// Fleet total cost of ownership for a period: fuel (price × consumption, or a cost per km), compounding
// depreciation, lease and insurance pro rata, maintenance from the service records; cost per km and the
// maintenance ratio, with replacement candidates where maintenance is over 40 % of the total. Missing
// inputs are listed per vehicle rather than guessed; no division by zero.
import type { FleetCost, VehicleCost, VehicleCostInputs } from '../../../shared/contract/costs';
import { readCsv } from '../util/csv';
import { decimalNumber, realCalendar, VEHICLE_ID_PATTERN } from '../telemetry/validate';

export const DEFAULT_DEPRECIATION_PCT = 15;
export const REPLACEMENT_MAINTENANCE_RATIO = 0.4;
/** Below this distance a cost per km says nothing (a year's insurance over 3 km): it is left out. */
export const MIN_KM_FOR_RATE = 10;
const YEAR_MS = 365.25 * 86_400_000;
const MONTH_MS = YEAR_MS / 12;

/** Book value at a time: cost × (1 − rate)^years since acquisition (never before it: the cost). */
export function bookValue(cost: number, acquiredMs: number, atMs: number, ratePct: number): number {
  const years = Math.max(0, (atMs - acquiredMs) / YEAR_MS);
  return cost * Math.pow(1 - ratePct / 100, years);
}

/** Below this share of the period covered by telemetry, a cost per km is not given: it would set the whole
 *  period's fixed costs against the km of a part of it. */
export const MIN_COVERAGE_FOR_RATE = 0.9;

export function vehicleCost(inputs: VehicleCostInputs | null, vehicleId: string, km: number, maintenance: number, fromMs: number, toMs: number, coverage = 1): VehicleCost {
  const i = inputs ?? ({ vehicleId } as VehicleCostInputs);
  const missing: string[] = [];
  let fuelCost: number | null = null;
  if (i.costPerKm != null) fuelCost = i.costPerKm * km;
  else if (i.fuelPricePerL != null && i.consumptionLPer100Km != null) fuelCost = (km * i.consumptionLPer100Km * i.fuelPricePerL) / 100;
  else missing.push(i.fuelPricePerL == null ? 'fuel price' : 'fuel consumption');
  let depreciation: number | null = null;
  const acquiredMs = i.acquisitionDate ? Date.parse(`${i.acquisitionDate}T00:00:00Z`) : Number.NaN;
  if (i.acquisitionCost != null && Number.isFinite(acquiredMs)) {
    const rate = i.depreciationRatePct ?? DEFAULT_DEPRECIATION_PCT;
    // only the part of the period the vehicle was owned
    const a = Math.max(fromMs, acquiredMs);
    depreciation = a < toMs ? bookValue(i.acquisitionCost, acquiredMs, a, rate) - bookValue(i.acquisitionCost, acquiredMs, toMs, rate) : 0;
  } else if (i.monthlyLease == null) missing.push(i.acquisitionCost == null ? 'acquisition cost (or a lease)' : 'acquisition date');
  const lease = i.monthlyLease != null ? (i.monthlyLease * (toMs - fromMs)) / MONTH_MS : 0;
  const insurance = i.insurancePerYear != null ? (i.insurancePerYear * (toMs - fromMs)) / YEAR_MS : 0;
  if (i.insurancePerYear == null) missing.push('insurance');
  const total = (fuelCost ?? 0) + (depreciation ?? 0) + lease + insurance + maintenance;
  const maintenanceRatio = total > 0 ? maintenance / total : null;
  return {
    vehicleId,
    km,
    fuelCost,
    depreciation,
    lease,
    insurance,
    maintenance,
    total,
    costPerKm: km >= MIN_KM_FOR_RATE && coverage >= MIN_COVERAGE_FOR_RATE ? total / km : null,
    coverage,
    maintenanceRatio,
    replacementCandidate: maintenanceRatio !== null && maintenanceRatio > REPLACEMENT_MAINTENANCE_RATIO,
    missing,
  };
}

export function fleetCost(rows: VehicleCost[], fromMs: number, toMs: number, coverage = 1, currency = 'EUR'): FleetCost {
  const sum = (f: (v: VehicleCost) => number) => rows.reduce((a, v) => a + f(v), 0);
  const km = sum((v) => v.km);
  const total = sum((v) => v.total);
  return {
    fromMs,
    toMs,
    vehicles: rows,
    totals: { km, fuelCost: sum((v) => v.fuelCost ?? 0), depreciation: sum((v) => v.depreciation ?? 0), lease: sum((v) => v.lease), insurance: sum((v) => v.insurance), maintenance: sum((v) => v.maintenance), total, costPerKm: km >= MIN_KM_FOR_RATE && coverage >= MIN_COVERAGE_FOR_RATE ? total / km : null },
    replacementThreshold: REPLACEMENT_MAINTENANCE_RATIO,
    coverage,
    currency,
  };
}

const NUM_FIELDS: (keyof VehicleCostInputs)[] = ['acquisitionCost', 'monthlyLease', 'insurancePerYear', 'fuelPricePerL', 'consumptionLPer100Km', 'costPerKm', 'depreciationRatePct'];

export function validateCostInputs(i: VehicleCostInputs): string | null {
  if (!i || typeof i.vehicleId !== 'string' || !i.vehicleId.trim()) return 'vehicle id is required';
  if (!VEHICLE_ID_PATTERN.test(i.vehicleId)) return `"${i.vehicleId.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 70)}" is not a vehicle id (1–64 letters, digits or _ . : -)`;
  for (const k of NUM_FIELDS) {
    const v = i[k];
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) return `${k} must be a number ≥ 0`;
  }
  if (i.depreciationRatePct != null && i.depreciationRatePct >= 100) return 'depreciation must be below 100 % a year';
  if (i.acquisitionDate != null && !/^\d{4}-\d{2}-\d{2}$/.test(i.acquisitionDate)) return 'acquisition date must be YYYY-MM-DD';
  if (i.acquisitionDate != null && !realCalendar(i.acquisitionDate)) return `acquisition date ${i.acquisitionDate} is not a real day`;
  return null;
}

/** CSV columns for cost inputs (header row; any order; empty = unknown). */
export const COST_CSV_COLUMNS: Record<string, keyof VehicleCostInputs> = {
  vehicle_id: 'vehicleId',
  acquisition_cost: 'acquisitionCost',
  acquisition_date: 'acquisitionDate',
  monthly_lease: 'monthlyLease',
  insurance_per_year: 'insurancePerYear',
  fuel_price_per_l: 'fuelPricePerL',
  consumption_l_per_100km: 'consumptionLPer100Km',
  cost_per_km: 'costPerKm',
  depreciation_rate_pct: 'depreciationRatePct',
};

export function parseCostCsv(text: string): { rows: VehicleCostInputs[]; errors: string[] } {
  const csv = readCsv(text);
  const header = csv.header;
  if (!header.includes('vehicle_id')) throw new Error(`missing column "vehicle_id" (columns: ${Object.keys(COST_CSV_COLUMNS).join(', ')})`);
  const rows: VehicleCostInputs[] = [];
  const errors: string[] = [];
  for (const { line, cells } of csv.rows) {
    const c = cells.map((x) => x.trim());
    const r: VehicleCostInputs = { vehicleId: '', acquisitionCost: null, acquisitionDate: null, monthlyLease: null, insurancePerYear: null, fuelPricePerL: null, consumptionLPer100Km: null, costPerKm: null, depreciationRatePct: null };
    header.forEach((h, k) => {
      const key = COST_CSV_COLUMNS[h];
      const v = c[k] ?? '';
      if (!key || v === '') return;
      (r as unknown as Record<string, unknown>)[key] = key === 'vehicleId' || key === 'acquisitionDate' ? v : decimalNumber(v);
    });
    const err = validateCostInputs(r);
    if (err) errors.push(`line ${line}: ${err}`);
    else rows.push(r);
  }
  return { rows, errors };
}

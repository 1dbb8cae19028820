// Fleet cost: what each vehicle costs to own, per period and per km.
import { method, NoParams, Nullable, Type, type Static } from './schema';

/** What a vehicle costs to own, as entered or imported; any field may be missing (null). */
export const VehicleCostInputs = Type.Object({
  vehicleId: Type.String(),
  acquisitionCost: Nullable(Type.Number()),
  /** ISO date (YYYY-MM-DD). */
  acquisitionDate: Nullable(Type.String()),
  monthlyLease: Nullable(Type.Number()),
  insurancePerYear: Nullable(Type.Number()),
  fuelPricePerL: Nullable(Type.Number()),
  consumptionLPer100Km: Nullable(Type.Number()),
  /** Instead of price × consumption: an all-in fuel (or energy) cost per km. */
  costPerKm: Nullable(Type.Number()),
  /** Depreciation per year, % (compounding); default 15. */
  depreciationRatePct: Nullable(Type.Number()),
});
export type VehicleCostInputs = Static<typeof VehicleCostInputs>;

export const VehicleCost = Type.Object({
  vehicleId: Type.String(),
  km: Type.Number(),
  fuelCost: Nullable(Type.Number()),
  depreciation: Nullable(Type.Number()),
  lease: Type.Number(),
  insurance: Type.Number(),
  maintenance: Type.Number(),
  total: Type.Number(),
  /** null when the vehicle drove under 10 km in the period (a rate over a few km means nothing), or when
   *  its telemetry covers less than 90 % of the period (the period's costs over part of its km). */
  costPerKm: Nullable(Type.Number()),
  /** The share of the period between the vehicle's first and last trusted fix in it (0–1). */
  coverage: Type.Number(),
  /** Maintenance ÷ total; null when the total is 0. */
  maintenanceRatio: Nullable(Type.Number()),
  replacementCandidate: Type.Boolean(),
  /** Inputs that are missing, so the total leaves them out. */
  missing: Type.Array(Type.String()),
});
export type VehicleCost = Static<typeof VehicleCost>;

export const FleetCost = Type.Object({
  fromMs: Type.Number(),
  toMs: Type.Number(),
  vehicles: Type.Array(VehicleCost),
  totals: Type.Object({
    km: Type.Number(),
    fuelCost: Type.Number(),
    depreciation: Type.Number(),
    lease: Type.Number(),
    insurance: Type.Number(),
    maintenance: Type.Number(),
    total: Type.Number(),
    costPerKm: Nullable(Type.Number()),
  }),
  replacementThreshold: Type.Number(),
  /** The share of the period the fleet's telemetry spans (first to last trusted fix of any vehicle). */
  coverage: Type.Number(),
  /** ISO 4217 code the amounts are in (a setting; the inputs are taken to be in it). */
  currency: Type.String(),
});
export type FleetCost = Static<typeof FleetCost>;

export const costsMethods = {
  /** Total cost of ownership per vehicle and for the fleet, for a period (default: the last 30 days). */
  getFleetCost: method('supervisor', Type.Object({ fromMs: Type.Optional(Type.Number()), toMs: Type.Optional(Type.Number()) }), FleetCost),
  listCostInputs: method('supervisor', NoParams, Type.Array(VehicleCostInputs)),
  /** Missing fields count as not known (null). */
  saveCostInputs: method('supervisor', Type.Composite([Type.Object({ vehicleId: Type.String() }), Type.Partial(Type.Omit(VehicleCostInputs, ['vehicleId']))]), VehicleCostInputs),
  /** The currency amounts are entered and shown in (ISO 4217, e.g. EUR, GBP, USD). */
  setCostCurrency: method('admin', Type.Object({ currency: Type.String({ pattern: '^[A-Z]{3}$', default: 'EUR' }) }), Type.Object({ currency: Type.String() })),
  /** CSV with vehicle_id, acquisition_cost, acquisition_date, monthly_lease, insurance_per_year, fuel_price_per_l, consumption_l_per_100km, cost_per_km, depreciation_rate_pct. */
  importCostCsv: method('supervisor', Type.Object({ text: Type.String() }), Type.Object({ imported: Type.Integer(), errors: Type.Array(Type.String()) })),
};

import { describe, expect, it } from 'vitest';
import type { VehicleCostInputs } from '../../../shared/contract/costs';
import { bookValue, fleetCost, parseCostCsv, vehicleCost } from './tco';

const Y2026 = Date.UTC(2026, 0, 1);
const YEAR = 365.25 * 86_400_000;
const base: VehicleCostInputs = { vehicleId: 'VAN-1', acquisitionCost: 40_000, acquisitionDate: '2024-01-01', monthlyLease: null, insurancePerYear: 1_200, fuelPricePerL: 1.5, consumptionLPer100Km: 10, costPerKm: null, depreciationRatePct: null };

describe('fleet cost', () => {
  it('compounds depreciation at 15 % a year', () => {
    expect(bookValue(40_000, Y2026, Y2026 + YEAR, 15)).toBeCloseTo(34_000, 6);
    expect(bookValue(40_000, Y2026, Y2026 + 2 * YEAR, 15)).toBeCloseTo(28_900, 6); // 40,000 × 0.85²
  });

  it('adds fuel, depreciation, insurance and maintenance for a year, per km, with the maintenance ratio', () => {
    const from = Date.parse('2025-01-01T00:00:00Z');
    const to = from + YEAR;
    // acquired 2024-01-01: at 2025-01-01 it is worth 40,000 × 0.85^(366/365.25) …
    const v = vehicleCost(base, 'VAN-1', 20_000, 3_000, from, to);
    const y1 = (from - Date.parse('2024-01-01T00:00:00Z')) / YEAR;
    const dep = 40_000 * 0.85 ** y1 - 40_000 * 0.85 ** (y1 + 1);
    expect(v.fuelCost).toBeCloseTo(3_000, 9); // 20,000 km × 10 l/100 km × 1.50
    expect(v.depreciation).toBeCloseTo(dep, 6);
    expect(v.insurance).toBeCloseTo(1_200, 9);
    expect(v.total).toBeCloseTo(3_000 + dep + 1_200 + 3_000, 6);
    expect(v.costPerKm).toBeCloseTo(v.total / 20_000, 12);
    expect(v.maintenanceRatio).toBeCloseTo(3_000 / v.total, 12);
    expect(v.replacementCandidate).toBe(false);
    expect(v.missing).toEqual([]);
  });

  it('flags a vehicle whose maintenance is over 40 % of its cost, and handles no distance and missing inputs visibly', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = from + 30 * 86_400_000;
    const old = vehicleCost({ ...base, acquisitionCost: null, acquisitionDate: null, monthlyLease: 300, insurancePerYear: null, costPerKm: 0.2 }, 'OLD-1', 0, 900, from, to);
    // lease 300 × 30 days / (365.25/12 days) + maintenance 900; fuel 0 km × 0.2
    const lease = (300 * 30) / (365.25 / 12);
    expect(old.lease).toBeCloseTo(lease, 9);
    expect(old.total).toBeCloseTo(lease + 900, 9);
    expect(old.costPerKm).toBeNull(); // no distance: no cost per km rather than Infinity
    expect(vehicleCost({ ...base, costPerKm: 0.2 }, 'X', 9.9, 0, from, to).costPerKm).toBeNull(); // a few km: a meaningless rate
    expect(vehicleCost({ ...base, costPerKm: 0.2 }, 'X', 10, 0, from, to).costPerKm).not.toBeNull();
    expect(old.maintenanceRatio).toBeCloseTo(900 / (lease + 900), 12);
    expect(old.replacementCandidate).toBe(true);
    expect(old.missing).toEqual(['insurance']);
    const nothing = vehicleCost(null, 'NEW-1', 0, 0, from, to);
    expect(nothing.total).toBe(0);
    expect(nothing.maintenanceRatio).toBeNull();
    expect(nothing.missing).toEqual(['fuel price', 'acquisition cost (or a lease)', 'insurance']);
    const fleet = fleetCost([old, nothing], from, to);
    expect(fleet.totals.total).toBeCloseTo(lease + 900, 9);
    expect(fleet.totals.costPerKm).toBeNull();
  });

  it('reads cost inputs from CSV and refuses bad lines with the reason', () => {
    const { rows, errors } = parseCostCsv('vehicle_id,acquisition_cost,acquisition_date,fuel_price_per_l\nVAN-1,40000,2024-01-01,1.5\nVAN-2,-5,,\nVAN-3,,01/02/2024,\n');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ vehicleId: 'VAN-1', acquisitionCost: 40_000, acquisitionDate: '2024-01-01', fuelPricePerL: 1.5, monthlyLease: null });
    expect(errors).toEqual(['line 3: acquisitionCost must be a number ≥ 0', 'line 4: acquisition date must be YYYY-MM-DD']);
  });

  it('reads quoted CSV fields as RFC 4180 says, and refuses control characters in ids, hex numbers and impossible days', () => {
    const text = 'vehicle_id,monthly_lease,acquisition_date\r\n"VAN-1",1200,2024-02-29\r\n"VAN\u001b[2J",100,\r\nVAN-3,0x10,\r\nVAN-4,5,2023-02-29\r\n';
    const { rows, errors } = parseCostCsv(text);
    expect(rows).toEqual([expect.objectContaining({ vehicleId: 'VAN-1', monthlyLease: 1200, acquisitionDate: '2024-02-29' })]);
    expect(errors).toEqual([
      'line 3: "VAN?[2J" is not a vehicle id (1–64 letters, digits or _ . : -)',
      'line 4: monthlyLease must be a number ≥ 0',
      'line 5: acquisition date 2023-02-29 is not a real day',
    ]);
  });
});

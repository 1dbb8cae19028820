import { describe, expect, it } from 'vitest';
import type { RiskRow } from '../../../shared/contract/maintenance';
import { FEATURE_COLUMNS } from './evaluate';
import { WEEK_MS, weekStart, type VehicleWeek } from './features';
import { checksPerWeekOf, dataNote, expectedForCapacity, flagForCapacity } from './ranking';

const NOW = Date.UTC(2026, 11, 2, 12);
const week = (weeksAgo: number, x: number[]): VehicleWeek => ({ vehicleId: 'V1', week: 'w', weekStartMs: weekStart(NOW) - weeksAgo * WEEK_MS, x: Float64Array.from(x), label: null }) as unknown as VehicleWeek;
const full = (km: number) => FEATURE_COLUMNS.map((f) => (f === 'total_km' ? km : 1));

describe('flagging for the workshop', () => {
  it('flags the K riskiest vehicles that have enough data, never one without', () => {
    const rows = ['A', 'B', 'C', 'D'].map((v, i) => ({ vehicleId: v, week: 'w', risk: 0.9 - i * 0.1, alert: false, dataNote: v === 'B' ? 'no driving recorded' : null, drivers: [] })) as RiskRow[];
    expect(flagForCapacity(rows, 2).map((r) => [r.vehicleId, r.alert])).toEqual([['A', true], ['B', false], ['C', true], ['D', false]]);
  });

  it('says why a week is too thin to judge', () => {
    expect(dataNote(week(1, full(420)), NOW)).toBeNull();
    expect(dataNote(week(1, full(0)), NOW)).toMatch(/no driving recorded/);
    expect(dataNote(week(5, full(420)), NOW)).toMatch(/no data since/);
    const thin = full(420).map((v, i) => (i < 6 && FEATURE_COLUMNS[i] !== 'total_km' ? Number.NaN : v));
    expect(dataNote(week(1, thin), NOW)).toMatch(/only \d of 10 measures known/);
  });

  it('tells what a capacity caught on validation: per week, recall and precision', () => {
    const v = { weeks: 10, positives: 20, caught: [4, 7, 9, 10] };
    expect(expectedForCapacity(v, 2)).toEqual({ caughtPerWeek: 0.7, recall: 0.35, precision: 0.35, breakdownsPerWeek: 2 });
    expect(expectedForCapacity(v, 9)).toMatchObject({ caughtPerWeek: 1 }); // past the curve: its last point
    expect(expectedForCapacity(undefined, 5)).toBeNull();
    expect(checksPerWeekOf({ get: () => null })).toBe(5);
    expect(checksPerWeekOf({ get: () => '12' })).toBe(12);
    expect(checksPerWeekOf({ get: () => 'x' })).toBe(5);
  });
});

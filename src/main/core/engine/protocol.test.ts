import { describe, expect, it } from 'vitest';
import type { RuleInput } from '../rules/driving';
import { fromColumns, toColumns, transferablesOf } from './protocol';

const fix = (i: number, extra: Partial<RuleInput>): RuleInput => ({
  vehicleId: `V${i}`, tsMs: 1_763_884_800_000 + i, lon: 4 + i, lat: 52 - i, speedKmh: 30, headingDeg: 90, ignition: true, engineRpm: 1500,
  fuelLevelPct: 50, coolantTempC: 90, dtcCodes: null, driverId: null, ...extra,
});

describe('engine batch columns', () => {
  it('come back as the same fixes: unknown readings stay unknown, "no trouble codes" stays different from "not reported"', () => {
    const batch = [
      fix(0, { dtcCodes: null }),
      fix(1, { dtcCodes: [] }),
      fix(2, { dtcCodes: ['P0301', 'P0420'], driverId: 'D7' }),
      fix(3, { speedKmh: null, headingDeg: null, ignition: null, engineRpm: null, fuelLevelPct: null, coolantTempC: null }),
      fix(4, { ignition: false, speedKmh: 0 }),
    ];
    const columns = toColumns(batch);
    // the numbers travel as transferable buffers, each a column of its own
    expect(new Set(transferablesOf(columns)).size).toBe(transferablesOf(columns).length);
    expect(fromColumns(structuredClone(columns))).toEqual(batch);
  });
});

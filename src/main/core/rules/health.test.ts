import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from './config';
import type { RuleInput } from './driving';
import { HealthDetector } from './health';

const fix = (tS: number, extra: Partial<RuleInput>): RuleInput => ({
  vehicleId: 'V1', tsMs: tS * 1000, lon: 0, lat: 0, speedKmh: 0, headingDeg: null, ignition: false,
  engineRpm: null, fuelLevelPct: null, coolantTempC: null, dtcCodes: null, driverId: null, ...extra,
});

function run(fixes: RuleInput[]) {
  const h = new HealthDetector(DEFAULT_ENGINE_CONFIG);
  return fixes.flatMap((f, i) => h.push(f, i));
}

describe('vehicle health alerts', () => {
  it('reports each new trouble code once, and again only after it was cleared', () => {
    const ev = run([fix(0, { dtcCodes: [] }), fix(1, { dtcCodes: ['P0301'] }), fix(2, { dtcCodes: ['P0301'] }), fix(3, { dtcCodes: ['P0301', 'P0420'] }), fix(4, { dtcCodes: [] }), fix(5, { dtcCodes: ['P0301'] })]);
    expect(ev.map((e) => [e.type, e.tsMs, e.detail])).toEqual([
      ['dtc', 1000, 'new trouble code P0301'],
      ['dtc', 3000, 'new trouble code P0420'],
      ['dtc', 5000, 'new trouble code P0301'],
    ]);
  });

  it('reports low fuel once, re-arming only after a refuel above the margin', () => {
    const ev = run([20, 14, 13, 16, 12, 30, 10].map((f, i) => fix(i, { fuelLevelPct: f, speedKmh: 40, ignition: true })));
    expect(ev.map((e) => [e.type, e.value])).toEqual([['low_fuel', 14], ['low_fuel', 10]]);
  });

  it('reports fuel lost while parked (possible theft), not fuel burnt while driving or a refuel', () => {
    const parked = run([60, 60, 55, 49, 49].map((f, i) => fix(i * 60, { fuelLevelPct: f })));
    expect(parked.map((e) => [e.type, e.value, e.tsMs])).toEqual([['fuel_drop', 11, 180_000]]);
    expect(parked[0]!.detail).toContain('60 % → 49 %');
    expect(run([60, 55, 49, 40].map((f, i) => fix(i * 60, { fuelLevelPct: f, speedKmh: 50, ignition: true })))).toEqual([]);
    // refuelled at the pump while parked, then a small drop: nothing
    expect(run([20, 80, 75].map((f, i) => fix(i * 60, { fuelLevelPct: f })))).toEqual([]);
  });

  it('reports coolant over the limit once per overheating', () => {
    const ev = run([90, 106, 110, 103, 107, 99, 108].map((c, i) => fix(i, { coolantTempC: c })));
    expect(ev.map((e) => [e.type, e.value])).toEqual([['coolant_high', 106], ['coolant_high', 108]]);
  });
});

describe('conditions that end', () => {
  function runCleared(fixes: RuleInput[]) {
    const h = new HealthDetector(DEFAULT_ENGINE_CONFIG);
    const cleared: ReturnType<HealthDetector['push']> = [];
    fixes.forEach((f, i) => h.push(f, i, [], h.vehicle(f.vehicleId), cleared as never));
    return cleared.map((e) => [e.type, e.tsMs / 1000, e.detail]);
  }

  it('says when fuel is refilled past the margin, the engine has cooled, and every trouble code is gone', () => {
    // low at 12 %, 16 % is within the margin (limit 15 + 5), 30 % is refilled
    expect(runCleared([20, 12, 16, 30, 40].map((f, i) => fix(i, { fuelLevelPct: f, speedKmh: 40, ignition: true })))).toEqual([['low_fuel', 3, 'refuelled: 30 %']]);
    const limit = DEFAULT_ENGINE_CONFIG.coolantMaxC;
    expect(runCleared([limit - 10, limit + 4, limit - 2, limit - 6].map((c, i) => fix(i, { coolantTempC: c })))).toEqual([['coolant_high', 3, `coolant back to ${limit - 6} °C`]]);
    // one of two codes gone is not the end; both gone is; a report without codes at all (null) says nothing
    expect(runCleared([fix(0, { dtcCodes: ['P0301', 'P0420'] }), fix(1, { dtcCodes: ['P0420'] }), fix(2, { dtcCodes: null }), fix(3, { dtcCodes: [] }), fix(4, { dtcCodes: [] })])).toEqual([['dtc', 3, 'trouble codes cleared']]);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from './config';
import { DrivingDetector, headingDeltaDeg, type RuleInput } from './driving';

const fix = (tS: number, speedKmh: number | null, extra: Partial<RuleInput> = {}): RuleInput => ({
  vehicleId: 'V1',
  tsMs: tS * 1000,
  lon: 0,
  lat: 0,
  speedKmh,
  headingDeg: 0,
  ignition: true,
  engineRpm: null,
  fuelLevelPct: null,
  coolantTempC: null,
  dtcCodes: null,
  driverId: 'D7',
  ...extra,
});

function run(fixes: RuleInput[], fenceLimitKmh: number | null = null, config = DEFAULT_ENGINE_CONFIG) {
  const d = new DrivingDetector(config);
  return fixes.flatMap((f, i) => d.push(f, i, fenceLimitKmh));
}

describe('harsh braking and rapid acceleration (speed change over time)', () => {
  it('reports one harsh brake per episode with its peak, when the braking ends', () => {
    // 72 → 54 → 36 km/h in 1 s steps: −5 m/s² twice; then steady
    const events = run([fix(0, 72), fix(1, 54), fix(2, 36), fix(3, 36)]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'harsh_brake', value: 5, threshold: 3, startMs: 0, tsMs: 3000, driverId: 'D7', index: 3 });
    // severity: 0 at 3 m/s², 1 at 6 m/s² → (5 − 3) / 3
    expect(events[0]!.severity).toBeCloseTo(0.667, 3);
  });

  it('reports rapid acceleration and ignores normal driving', () => {
    const events = run([fix(0, 0), fix(1, 18), fix(2, 30), fix(3, 36)]); // 5, 3.33, 1.67 m/s²
    expect(events.map((e) => [e.type, e.value, e.severity])).toEqual([['rapid_accel', 5, 0.667]]);
    expect(run([fix(0, 0), fix(1, 5), fix(2, 10), fix(3, 15), fix(4, 15)])).toEqual([]); // 1.4 m/s² at most
  });

  it('does not differentiate across a gap in reporting', () => {
    // 90 km/h then 0 km/h 20 s later would be −1.25 m/s²: fine; but 60 s gaps must not be judged at all
    expect(run([fix(0, 90), fix(20, 0), fix(21, 0)])).toEqual([]);
    // a 1 s step after a long gap is judged again
    expect(run([fix(0, 90), fix(100, 36), fix(101, 18), fix(102, 18)]).map((e) => e.type)).toEqual(['harsh_brake']);
  });

  it('uses the thresholds of the vehicle class', () => {
    const strict = { ...DEFAULT_ENGINE_CONFIG, classes: { default: {}, truck: { harshBrakeMs2: 2 } }, vehicleClass: { V1: 'truck' } };
    const fixes = [fix(0, 36), fix(1, 26), fix(2, 26)]; // −2.78 m/s²
    expect(run(fixes)).toEqual([]);
    expect(run(fixes, null, strict).map((e) => [e.type, e.severity])).toEqual([['harsh_brake', 0.389]]);
  });
});

describe('hard cornering (heading change at speed)', () => {
  it('computes lateral acceleration v·ω and reports it over the threshold', () => {
    // 36 km/h = 10 m/s, 30° in 1 s = 0.5236 rad/s → 5.236 m/s²
    const events = run([fix(0, 36, { headingDeg: 0 }), fix(1, 36, { headingDeg: 30 }), fix(2, 36, { headingDeg: 30 })]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'hard_corner', value: 5.24, threshold: 3.5 });
    expect(events[0]!.severity).toBeCloseTo((5.236 - 3.5) / 3.5, 2);
  });

  it('wraps headings across north and ignores slow manoeuvres', () => {
    expect(headingDeltaDeg(350, 10)).toBe(20);
    expect(headingDeltaDeg(10, 350)).toBe(-20);
    expect(run([fix(0, 36, { headingDeg: 350 }), fix(1, 36, { headingDeg: 20 }), fix(2, 36, { headingDeg: 20 })]).map((e) => e.type)).toEqual(['hard_corner']);
    // 90° in 1 s at 10 km/h: a car park turn, not cornering
    expect(run([fix(0, 10, { headingDeg: 0 }), fix(1, 10, { headingDeg: 90 }), fix(2, 10, { headingDeg: 90 })])).toEqual([]);
  });
});

describe('speeding', () => {
  it('fires once when over the limit longer than the minimum, with severity from the peak', () => {
    // class limit 110, 30 s minimum; 125 km/h peak → (125 − 110) / 30 = 0.5
    const events = run([fix(0, 115), fix(10, 125), fix(20, 120), fix(30, 118), fix(40, 119)]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'speeding', tsMs: 30_000, startMs: 0, value: 125, threshold: 110, severity: 0.5 });
  });

  it('does not fire for a short overtake and starts a new episode after slowing down', () => {
    expect(run([fix(0, 115), fix(10, 120), fix(20, 100), fix(30, 100)])).toEqual([]);
    const twice = run([fix(0, 115), fix(10, 115), fix(20, 115), fix(30, 115), fix(40, 90), fix(50, 115), fix(60, 115), fix(70, 115), fix(80, 115)]);
    expect(twice.map((e) => e.tsMs)).toEqual([30_000, 80_000]);
  });

  it('judges against a fence speed limit where one applies', () => {
    const events = run([fix(0, 30), fix(10, 32), fix(20, 31), fix(30, 35)], 20);
    expect(events.map((e) => [e.type, e.threshold, e.value, e.severity])).toEqual([['speeding', 20, 35, 0.5]]);
  });
});

describe('excessive idling', () => {
  it('reports engine-on while stopped beyond the minimum, with its duration, when it ends', () => {
    const fixes = [];
    for (let t = 0; t <= 400; t += 10) fixes.push(fix(t, 0));
    fixes.push(fix(410, 20));
    const events = run(fixes);
    expect(events).toHaveLength(1);
    // 400 s idle, 300 s minimum, full severity 1800 s later → 100 / 1800
    expect(events[0]).toMatchObject({ type: 'excessive_idle', value: 400, threshold: 300, startMs: 0, tsMs: 410_000 });
    expect(events[0]!.severity).toBeCloseTo(100 / 1800, 3);
  });

  it('ignores short stops and a parked vehicle with the engine off; uses rpm when ignition is unknown', () => {
    const short = [];
    for (let t = 0; t <= 200; t += 10) short.push(fix(t, 0));
    short.push(fix(210, 20));
    expect(run(short)).toEqual([]);
    const parked = [];
    for (let t = 0; t <= 900; t += 10) parked.push(fix(t, 0, { ignition: false }));
    parked.push(fix(910, 20));
    expect(run(parked)).toEqual([]);
    const rpm = [];
    for (let t = 0; t <= 400; t += 10) rpm.push(fix(t, 0, { ignition: null, engineRpm: 750 }));
    rpm.push(fix(410, 0, { ignition: null, engineRpm: 0 }));
    expect(run(rpm).map((e) => [e.type, e.value])).toEqual([['excessive_idle', 400]]);
  });
});

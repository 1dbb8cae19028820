// The engine worker behind EngineHost: calls that queue up while the worker is busy are sent as one
// batch, and each caller still gets exactly its own events, indexed in its own positions.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineHost } from '../src/main/core/engine/engine-host';
import { FleetEngine } from '../src/main/core/engine/fleet-engine';
import type { RuleInput } from '../src/main/core/rules/driving';
import { mulberry32 } from '../src/main/core/sim/demo-fleet';
import { WORKER_PATH } from './helpers';

let host: EngineHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

const square = (id: string, x: number, y: number, s: number) => ({ id, geometry: { type: 'Polygon' as const, coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]] } });

function track(seed: number, vehicles: number, steps: number): RuleInput[] {
  const rand = mulberry32(seed);
  const out: RuleInput[] = [];
  const pos = Array.from({ length: vehicles }, () => [rand() * 0.1, rand() * 0.1]);
  for (let t = 0; t < steps; t++) {
    for (let v = 0; v < vehicles; v++) {
      const p = pos[v]!;
      p[0] = p[0]! + (rand() - 0.5) * 0.01;
      p[1] = p[1]! + (rand() - 0.5) * 0.01;
      // speed jumps now and then, so driving events (harsh braking, acceleration) come too
      const speedKmh = t % 7 === 3 ? 10 : 60;
      out.push({ vehicleId: `v${v}`, tsMs: t * 2000, lon: p[0]!, lat: p[1]!, speedKmh, headingDeg: 90, ignition: true, engineRpm: 1500, fuelLevelPct: 50, coolantTempC: 90, dtcCodes: null, driverId: null });
    }
  }
  return out;
}

describe('EngineHost', () => {
  it('merges calls that wait into one batch and gives each call its own events', async () => {
    const fences = Array.from({ length: 40 }, (_, i) => square(`f${i}`, (i % 8) * 0.0125, Math.floor(i / 8) * 0.02, 0.011));
    const positions = track(5, 50, 80);
    // 16 calls at once: the first two go straight to the worker, the rest wait and are merged
    const calls: RuleInput[][] = [];
    for (let i = 0; i < positions.length; i += 250) calls.push(positions.slice(i, i + 250));
    host = new EngineHost({ workerPath: WORKER_PATH });
    await host.start(fences);
    const got = await Promise.all(calls.map((c) => host!.process(c)));

    const reference = new FleetEngine(fences);
    const want = calls.map((c) => reference.step(c));
    const total = want.reduce((n, o) => n + o.geofence.length + o.driving.length, 0);
    expect(want.reduce((n, o) => n + o.driving.length, 0)).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(500);
    expect(got).toEqual(want);
  });
});

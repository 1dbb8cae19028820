// The suggestion search stops early (no vehicle left could beat the best few): it must give the same best
// few as ranking every vehicle, busy ones and fast ones included.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { learnEtaModel } from '../../core/eta/eta';
import { LiveState } from '../../core/live/live-state';
import { Store } from '../../core/storage/store';
import type { EtaModels } from '../eta/models';
import { PrivacyGate } from '../privacy/gate';
import { JobBoard } from './board';

const point = (vehicleId: string, lat: number, lon: number, tsMs: number, speedKmh: number): TelemetryPoint => ({
  vehicleId, tsMs, lat, lon, speedKmh, headingDeg: 90, fuelLevelPct: null, engineRpm: null, odometerKm: null, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: null, ignition: true, driverId: null,
});

describe('dispatch suggestions', () => {
  it('stopping early finds the same best vehicles as ranking them all', () => {
    const store = new Store(path.join(mkdtempSync(path.join(os.tmpdir(), 'fleetdesk-board-')), 'f.sqlite'));
    const live = new LiveState();
    const now = Date.now();
    let seed = 11;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    // some very fast vehicles far away, stopped ones near, busy ones anywhere
    for (let i = 0; i < 600; i++) live.apply(point(`V${i}`, 52.48 + (rnd() - 0.5) * 0.8, -1.89 + (rnd() - 0.5) * 1.2, now - 2000, i % 50 === 0 ? 180 : rnd() < 0.3 ? 0 : rnd() * 90), now - 1000);
    const model = learnEtaModel([], 'UTC');
    const board = new JobBoard({ store, live, gate: new PrivacyGate(store, () => undefined), models: { stoppedSinceMs: () => null } as unknown as EtaModels, emit: () => undefined, publish: null, log: () => undefined });
    for (let i = 0; i < 40; i++) {
      const j = board.create({ ref: `busy ${i}`, stops: [{ lat: 52.48 + (rnd() - 0.5) * 0.5, lon: -1.89 + (rnd() - 0.5) * 0.5 }] }, 't', now);
      store.jobs.update(j.id, { status: 'accepted', vehicleId: `V${i * 7}`, delivery: 'answered' }, now);
    }
    for (const [lat, lon] of [[52.5, -1.9], [52.2, -1.4], [52.9, -2.5]] as const) {
      const job = store.jobs.get(board.create({ ref: 'target', stops: [{ lat, lon }] }, 't', now).id)!;
      const all = board.rank(job, live.all(now), 1000, now, model);
      const few = board.rank(job, live.all(now), 5, now, model);
      expect(few.suggestions.map((s) => [s.vehicleId, s.etaMs])).toEqual(all.suggestions.slice(0, 5).map((s) => [s.vehicleId, s.etaMs]));
      expect(few.considered).toBe(600);
      expect(all.suggestions.length).toBe(600);
    }
    store.close();
  });
});

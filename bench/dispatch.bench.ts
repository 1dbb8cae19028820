// Dispatch suggestions: ranking every live vehicle by ETA to a job's first stop (after the work each busy
// vehicle still has), as `suggestVehicles` does, with the real JobBoard, Store (SQLite file), LiveState,
// privacy gate and ETA model. 10,000 vehicles around a city, 500 of them busy with a 3-stop job.
// Target (issue #18): a suggestion in < 50 ms.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { learnEtaModel } from '../src/main/core/eta/eta';
import { LiveState } from '../src/main/core/live/live-state';
import { Store } from '../src/main/core/storage/store';
import { JobBoard } from '../src/main/domains/jobs/board';
import { PrivacyGate } from '../src/main/domains/privacy/gate';
import type { EtaModels } from '../src/main/domains/eta/models';
import type { TelemetryPoint } from '../src/shared/contract/vehicles';
import { report, type Row } from './report';

const args = process.argv.slice(2);
const VEHICLES = Number(args[args.indexOf('--vehicles') + 1] || 10_000);
const BUSY = Math.round(VEHICLES / 20);
const RUNS = 60;

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleetdesk-bench-dispatch-'));
const store = new Store(path.join(dir, 'fleet.sqlite'));
const live = new LiveState();
const now = Date.now();
let seed = 7;
const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const telemetryPoint = (vehicleId: string, lat: number, lon: number, tsMs: number, speedKmh: number): TelemetryPoint => ({
  vehicleId, tsMs, lat, lon, speedKmh, headingDeg: 90, fuelLevelPct: null, engineRpm: null, odometerKm: null, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: null, ignition: true, driverId: null,
});
for (let i = 0; i < VEHICLES; i++) {
  const p = telemetryPoint(`V${String(i).padStart(5, '0')}`, 52.48 + (rnd() - 0.5) * 0.6, -1.89 + (rnd() - 0.5) * 0.9, now - 2000, rnd() < 0.7 ? 20 + rnd() * 60 : 0);
  live.apply(p, now - 1000);
}
const models = { stoppedSinceMs: () => null, model: async () => model } as unknown as EtaModels;
const model = learnEtaModel([], 'UTC');
const gate = new PrivacyGate(store, () => undefined);
const board = new JobBoard({ store, live, gate, models, emit: () => undefined, publish: null, log: () => undefined });
// busy vehicles: an accepted 3-stop job each
for (let i = 0; i < BUSY; i++) {
  const job = board.create({ ref: `busy ${i}`, stops: [0, 1, 2].map(() => ({ lat: 52.48 + (rnd() - 0.5) * 0.5, lon: -1.89 + (rnd() - 0.5) * 0.8 })) }, 'bench', now);
  store.jobs.update(job.id, { status: 'accepted', vehicleId: `V${String(i * 20).padStart(5, '0')}`, delivery: 'answered' }, now);
}
const target = board.create({ ref: 'the job', stops: [{ lat: 52.5, lon: -1.9 }, { lat: 52.45, lon: -1.85 }] }, 'bench', now);
const vehicles = live.all(now);
const stored = store.jobs.get(target.id)!;

const times: number[] = [];
let top = '';
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const s = board.rank(stored, vehicles, 5, now, model);
  times.push(performance.now() - t0);
  top = `${s.suggestions[0]!.vehicleId} (${s.suggestions[0]!.why})`;
}
const cold = times[0]!;
const sorted = times.slice(1).sort((a, b) => a - b);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!.toFixed(1);
const rows: Row[] = [
  { measure: 'suggestion (rank all, top 5)', vehicles: VEHICLES, busy: BUSY, runs: RUNS - 1, 'p50 ms': q(0.5), 'p99 ms': q(0.99), 'first (cold) ms': cold.toFixed(1), target: '< 50 ms' },
];
report('dispatch suggestions', [`${VEHICLES.toLocaleString()} live vehicles, ${BUSY} busy with a 3-stop job; the first call (cold JIT) apart. #1: ${top}`], rows);
store.close();
rmSync(dir, { recursive: true, force: true });

// Runs the geofence engine in a worker thread: batches in, events out, restarts the worker if it dies.
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../../../shared/contract/rules';
import type { IndexedFence } from '../geofence/fence-index';
import { DEFAULT_ENGINE_CONFIG } from '../rules/config';
import type { RuleInput } from '../rules/driving';
import type { EngineOutput } from './fleet-engine';
import { decodeGeofence, toColumns, transferablesOf, type FromWorker, type ToWorker } from './protocol';

/** A fix with only a position (replay, benchmarks): every other reading unknown. */
export function positionOnly(p: { vehicleId: string; tsMs: number; lon: number; lat: number }): RuleInput {
  return { ...p, speedKmh: null, headingDeg: null, ignition: null, engineRpm: null, fuelLevelPct: null, coolantTempC: null, dtcCodes: null, driverId: null };
}

const NO_OUTPUT: EngineOutput = Object.freeze({ geofence: [], driving: [], health: [], cleared: [] }) as unknown as EngineOutput;

interface Job {
  positions: readonly RuleInput[];
  resolve: (output: EngineOutput) => void;
  reject: (err: Error) => void;
}

interface Pending {
  /** The batch sent (the jobs' positions one after the other), to rebuild the events from (see GeofenceColumns). */
  positions: readonly RuleInput[];
  jobs: Job[];
}

/** Batches at the worker at once: one being stepped through, one waiting, so it never idles. */
const MAX_IN_FLIGHT = 2;
/** Jobs that queued up meanwhile go as one batch of up to this many positions. */
const MAX_MERGED = 16_384;

export interface EngineHostOptions {
  /** Path of the built engine worker script. */
  workerPath: string;
  /** Called with a message a person can act on when the worker fails. */
  onError?: (message: string) => void;
  /** The worker's young-generation heap (MiB); 0 = Node's default. */
  youngGenerationMb?: number;
}

export class EngineHost {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Job[] = [];
  private fences = new Map<string, IndexedFence>();
  private membership: { vehicleId: string; fenceId: string; sinceMs: number }[] = [];
  private config: EngineConfig = DEFAULT_ENGINE_CONFIG;
  private closed = false;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: EngineHostOptions) {}

  /** Starts the worker with the given fences and remembered membership. */
  start(fences: IndexedFence[], membership: { vehicleId: string; fenceId: string; sinceMs: number }[] = [], config: EngineConfig = DEFAULT_ENGINE_CONFIG): Promise<void> {
    this.fences = new Map(fences.map((f) => [f.id, f]));
    this.membership = membership;
    this.config = config;
    this.spawn();
    return this.ready;
  }

  private spawn(): void {
    // a larger young generation: the engine allocates a short-lived object per fix, and with the default
    // size the collector promotes many of them before they die (more, slower old-generation collections)
    const young = this.options.youngGenerationMb ?? 64;
    const worker = new Worker(this.options.workerPath, young > 0 ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {});
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (msg: FromWorker) => {
        if (msg.type === 'ready') {
          worker.off('error', onEarlyError);
          resolve();
        }
      };
      const onEarlyError = (err: Error) => reject(new Error(`geofence engine failed to start: ${err.message}`));
      worker.on('message', onMessage);
      worker.once('error', onEarlyError);
    });
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.options.onError?.(`geofence engine crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const err = new Error(`geofence engine stopped (exit code ${code})`);
      this.failAll(err);
      if (!this.closed) {
        this.options.onError?.(`${err.message}; restarting it`);
        this.spawn();
      }
    });
    this.post({ type: 'init', fences: [...this.fences.values()], membership: this.membership, config: this.config });
  }

  private post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) for (const j of p.jobs) j.reject(err);
    this.pending.clear();
    for (const j of this.queue.splice(0)) j.reject(err);
  }

  /** Sends queued jobs while fewer than MAX_IN_FLIGHT batches are at the worker, merging those that waited. */
  private pump(): void {
    while (this.pending.size < MAX_IN_FLIGHT && this.queue.length > 0 && this.worker) {
      const jobs = [this.queue.shift()!];
      let n = jobs[0]!.positions.length;
      while (this.queue.length > 0 && n + this.queue[0]!.positions.length <= MAX_MERGED) {
        const j = this.queue.shift()!;
        jobs.push(j);
        n += j.positions.length;
      }
      const positions = jobs.length === 1 ? jobs[0]!.positions : jobs.flatMap((j) => j.positions);
      const batch = toColumns(positions);
      const seq = ++this.seq;
      this.pending.set(seq, { positions, jobs });
      this.post({ type: 'positions', seq, batch }, transferablesOf(batch));
    }
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'events') {
      const p = this.pending.get(msg.seq);
      this.pending.delete(msg.seq);
      if (p) {
        const output: EngineOutput = { ...msg.output, geofence: decodeGeofence(msg.output.geofence, p.positions) };
        if (p.jobs.length === 1) p.jobs[0]!.resolve(output);
        else splitOutput(output, p.jobs);
      }
      this.pump();
    } else if (msg.type === 'error') {
      if (msg.seq !== null) {
        const p = this.pending.get(msg.seq);
        this.pending.delete(msg.seq);
        if (p) for (const j of p.jobs) j.reject(new Error(msg.message));
        this.pump();
      } else {
        this.options.onError?.(`geofence engine: ${msg.message}`);
      }
    }
  }

  upsertFence(fence: IndexedFence): void {
    this.fences.set(fence.id, fence);
    this.post({ type: 'upsertFence', fence });
  }

  removeFence(id: string): void {
    this.fences.delete(id);
    this.post({ type: 'removeFence', id });
  }

  setConfig(config: EngineConfig): void {
    this.config = config;
    this.post({ type: 'config', config });
  }

  /**
   * Sends fixes (in the order to evaluate them) and resolves with the events they cause, their
   * `index` counted in `positions`. Calls are evaluated in the order made; under load, calls that
   * wait are sent together as one batch (the same events as one by one, fewer round trips).
   */
  async process(positions: readonly RuleInput[]): Promise<EngineOutput> {
    if (positions.length === 0) return NO_OUTPUT;
    await this.ready;
    if (!this.worker) throw new Error('geofence engine is not running');
    return new Promise<EngineOutput>((resolve, reject) => {
      this.queue.push({ positions, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.failAll(new Error('geofence engine closed'));
    if (w) await w.terminate();
  }
}

/** Hands each job of a merged batch its own events, with indexes counted in its own positions. */
function splitOutput(output: EngineOutput, jobs: Job[]): void {
  const parts: EngineOutput[] = jobs.map(() => ({ geofence: [], driving: [], health: [], cleared: [] }));
  const starts: number[] = [];
  let at = 0;
  for (const j of jobs) {
    starts.push(at);
    at += j.positions.length;
  }
  const jobOf = (index: number) => {
    let k = jobs.length - 1;
    while (k > 0 && starts[k]! > index) k--;
    return k;
  };
  for (const key of ['geofence', 'driving', 'health', 'cleared'] as const) {
    for (const e of output[key]) {
      const k = jobOf(e.index);
      e.index -= starts[k]!;
      (parts[k]![key] as (typeof e)[]).push(e);
    }
  }
  jobs.forEach((j, k) => j.resolve(parts[k]!));
}

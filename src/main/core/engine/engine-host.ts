// Runs the geofence engine in a worker thread: batches in, events out, restarts the worker if it dies.
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../../../shared/types';
import type { IndexedFence } from '../geofence/fence-index';
import { DEFAULT_ENGINE_CONFIG } from '../rules/config';
import type { RuleInput } from '../rules/driving';
import type { EngineOutput } from './fleet-engine';
import { decodeGeofence, toColumns, transferablesOf, type FromWorker, type ToWorker } from './protocol';

/** A fix with only a position (replay, benchmarks): every other reading unknown. */
export function positionOnly(p: { vehicleId: string; tsMs: number; lon: number; lat: number }): RuleInput {
  return { ...p, speedKmh: null, headingDeg: null, ignition: null, engineRpm: null, fuelLevelPct: null, coolantTempC: null, dtcCodes: null, driverId: null };
}

const NO_OUTPUT: EngineOutput = Object.freeze({ geofence: [], driving: [], health: [] }) as unknown as EngineOutput;

interface Pending {
  /** The batch sent, to rebuild the events from (see GeofenceColumns). */
  positions: readonly RuleInput[];
  resolve: (output: EngineOutput) => void;
  reject: (err: Error) => void;
}

export interface EngineHostOptions {
  /** Path of the built engine worker script. */
  workerPath: string;
  /** Called with a message a person can act on when the worker fails. */
  onError?: (message: string) => void;
}

export class EngineHost {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
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
    const worker = new Worker(this.options.workerPath);
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
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
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

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'events') {
      const p = this.pending.get(msg.seq);
      this.pending.delete(msg.seq);
      if (p) p.resolve({ ...msg.output, geofence: decodeGeofence(msg.output.geofence, p.positions) });
    } else if (msg.type === 'error') {
      if (msg.seq !== null) {
        const p = this.pending.get(msg.seq);
        this.pending.delete(msg.seq);
        p?.reject(new Error(msg.message));
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

  /** Sends fixes (in the order to evaluate them) and resolves with the events they cause. */
  async process(positions: readonly RuleInput[]): Promise<EngineOutput> {
    if (positions.length === 0) return NO_OUTPUT;
    await this.ready;
    if (!this.worker) throw new Error('geofence engine is not running');
    const batch = toColumns(positions);
    const seq = ++this.seq;
    return new Promise<EngineOutput>((resolve, reject) => {
      this.pending.set(seq, { positions, resolve, reject });
      this.post({ type: 'positions', seq, batch }, transferablesOf(batch));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('geofence engine closed'));
    this.pending.clear();
    if (w) await w.terminate();
  }
}

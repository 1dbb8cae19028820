// Runs the geofence engine in a worker thread: batches in, events out, restarts the worker if it dies.
import { Worker } from 'node:worker_threads';
import type { EnginePosition, GeofenceEvent } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';
import type { FromWorker, PositionColumns, ToWorker } from './protocol';

interface Pending {
  resolve: (events: GeofenceEvent[]) => void;
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
  private closed = false;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: EngineHostOptions) {}

  /** Starts the worker with the given fences and remembered membership. */
  start(fences: IndexedFence[], membership: { vehicleId: string; fenceId: string; sinceMs: number }[] = []): Promise<void> {
    this.fences = new Map(fences.map((f) => [f.id, f]));
    this.membership = membership;
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
    this.post({ type: 'init', fences: [...this.fences.values()], membership: this.membership });
  }

  private post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'events') {
      const p = this.pending.get(msg.seq);
      this.pending.delete(msg.seq);
      p?.resolve(msg.events);
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

  /** Sends positions (in the order to evaluate them) and resolves with the events they cause. */
  async process(positions: readonly EnginePosition[]): Promise<GeofenceEvent[]> {
    if (positions.length === 0) return [];
    await this.ready;
    if (!this.worker) throw new Error('geofence engine is not running');
    const n = positions.length;
    const batch: PositionColumns = {
      vehicleIds: new Array<string>(n),
      tsMs: new Float64Array(n),
      lon: new Float64Array(n),
      lat: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const p = positions[i]!;
      batch.vehicleIds[i] = p.vehicleId;
      batch.tsMs[i] = p.tsMs;
      batch.lon[i] = p.lon;
      batch.lat[i] = p.lat;
    }
    const seq = ++this.seq;
    return new Promise<GeofenceEvent[]>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.post({ type: 'positions', seq, batch }, [
        batch.tsMs.buffer as ArrayBuffer,
        batch.lon.buffer as ArrayBuffer,
        batch.lat.buffer as ArrayBuffer,
      ]);
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

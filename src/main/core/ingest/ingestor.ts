// Batches validated telemetry into SQLite transactions (by size or time) and hands committed points on.
import type { TelemetryPoint } from '../../../shared/types';
import type { DeadLetterInput, Store } from '../storage/store';
import { validateTelemetry, vehicleIdFromTopic } from '../telemetry/validate';

export interface IngestOptions {
  store: Store;
  /** Flush when this many messages are waiting. */
  maxBatch?: number; // messages; default 500
  /** Flush at the latest this long after the first waiting message. */
  maxDelayMs?: number; // ms; default 50
  /** Wait before retrying a failed commit (e.g. disk full). */
  retryDelayMs?: number; // ms; default 1000
  now?: () => number;
  /** Called after each commit with the points that were new, in arrival order. */
  onCommitted?: (inserted: TelemetryPoint[], receivedMs: number) => void;
  /** Called when a commit fails; the batch is kept and retried. */
  onError?: (message: string) => void;
}

export interface IngestCounters {
  accepted: number;
  duplicates: number;
  rejected: number;
  lastAcceptedMs: number | null;
}

interface Waiting {
  points: TelemetryPoint[];
  deadLetters: DeadLetterInput[];
  /** Acknowledgements to send once the batch is committed (e.g. MQTT PUBACK). */
  acks: (() => void)[];
}

export class Ingestor {
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private waiting: Waiting = { points: [], deadLetters: [], acks: [] };
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  readonly counters: IngestCounters = { accepted: 0, duplicates: 0, rejected: 0, lastAcceptedMs: null };

  constructor(private readonly options: IngestOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get queued(): number {
    return this.waiting.points.length + this.waiting.deadLetters.length;
  }

  /** Takes one MQTT message; `ack` is called only after it (or its dead letter) is committed. */
  acceptMqtt(topic: string, payload: Uint8Array, ack?: () => void): void {
    const topicVehicle = vehicleIdFromTopic(topic);
    const result = topicVehicle === null
      ? { ok: false as const, reason: `topic "${topic.slice(0, 200)}" is not fleet/<vehicle_id>/telemetry` }
      : validateTelemetry(payload, topicVehicle);
    this.enqueue(result.ok ? result.point : null, result.ok ? null : result.reason, 'mqtt', topic, payload, ack);
  }

  /** Takes an already-decoded point from another source (e.g. a simulator or an HTTP endpoint). */
  acceptPoint(point: TelemetryPoint, ack?: () => void): void {
    this.enqueue(point, null, 'direct', null, new Uint8Array(), ack);
  }

  private enqueue(
    point: TelemetryPoint | null,
    reason: string | null,
    source: string,
    topic: string | null,
    payload: Uint8Array,
    ack?: () => void,
  ): void {
    if (point) this.waiting.points.push(point);
    else this.waiting.deadLetters.push({ receivedMs: this.now(), source, topic, reason: reason!, payload: Uint8Array.from(payload.subarray(0, 4096)) });
    if (ack) this.waiting.acks.push(ack);
    if (this.failing) return;
    if (this.queued >= this.maxBatch) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
  }

  /** Commits everything waiting now. Safe to call at any time. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.waiting;
    if (batch.points.length === 0 && batch.deadLetters.length === 0 && batch.acks.length === 0) return;
    const receivedMs = this.now();
    let result;
    try {
      result = this.options.store.writeBatch(batch.points, batch.deadLetters, receivedMs);
    } catch (err) {
      // Nothing is acknowledged, nothing is dropped: keep the batch and try again.
      this.failing = true;
      this.options.onError?.(`could not save telemetry (${(err as Error).message}); retrying in ${this.retryDelayMs / 1000} s`);
      this.timer = setTimeout(() => {
        this.failing = false;
        this.flush();
      }, this.retryDelayMs);
      return;
    }
    this.waiting = { points: [], deadLetters: [], acks: [] };
    this.counters.accepted += result.inserted.length;
    this.counters.duplicates += result.duplicates;
    this.counters.rejected += batch.deadLetters.length;
    if (result.inserted.length) this.counters.lastAcceptedMs = receivedMs;
    for (const ack of batch.acks) ack();
    if (result.inserted.length) this.options.onCommitted?.(result.inserted, receivedMs);
  }

  close(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

// Ingest: validates, flags untrusted fixes, commits in group transactions as soon as the input drains,
// and acknowledges each message only after its commit. Bounded: a full queue pushes back on the source.
import { DEAD_LETTER_MAX_BYTES, type DeadLetterInput, type IncomingPoint, type Store } from '../storage/store';
import { QualityFilter, type QualityThresholds, DEFAULT_QUALITY } from '../telemetry/quality';
import { validateTelemetry, vehicleIdFromTopic, type ValidationResult } from '../telemetry/validate';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';

export interface IngestOptions {
  store: Store;
  /** The newest trusted fix of each vehicle, for the drift filter (default: read from the store). */
  latest?: TelemetryPoint[];
  /** Most messages in one transaction. */
  maxBatch?: number; // messages; default 2000
  /** Above this many waiting messages the ingestor reports `full` and sources should pause. */
  maxQueued?: number; // messages; default 20,000
  /**
   * Commits come at most this often unless a batch is full: a lone message still commits at once,
   * but a flood is gathered into larger transactions (each commit rewrites the B-tree pages it touches).
   */
  minCommitIntervalMs?: number; // ms; default 10
  /** Wait before retrying a failed commit (e.g. disk full). */
  retryDelayMs?: number; // ms; default 1000
  quality?: QualityThresholds;
  now?: () => number;
  /** Called after each commit with the points that were new, in arrival order. */
  onCommitted?: (inserted: IncomingPoint[], receivedMs: number) => void;
  /** Called when a commit fails; the batch is kept and retried. */
  onError?: (message: string) => void;
}

export interface IngestCounters {
  accepted: number;
  flagged: number;
  duplicates: number;
  rejected: number;
  lastAcceptedMs: number | null;
  flaggedByReason: Record<string, number>;
}

interface Waiting {
  points: IncomingPoint[];
  deadLetters: DeadLetterInput[];
  /** Acknowledgements to send once the batch is committed (MQTT PUBACK, HTTP 200). */
  acks: (() => void)[];
}

export class Ingestor {
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private readonly quality: QualityFilter;
  private waiting: Waiting = { points: [], deadLetters: [], acks: [] };
  /**
   * Batches of at most maxBatch messages that failed to commit (disk full) or arrived meanwhile, oldest
   * first. They are retried one transaction each, so a little freed space is enough to make progress.
   */
  private backlog: Waiting[] = [];
  /** Why the last commit failed, while commits fail; null when all is well. */
  failure: string | null = null;
  // One pending flush, either on the next turn of the loop or after the minimum commit interval.
  private scheduled: { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timeout'; handle: NodeJS.Timeout } | null = null;
  private readonly minCommitIntervalMs: number;
  private lastCommitMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private failing = false;
  private drainWaiters: (() => void)[] = [];
  readonly counters: IngestCounters = { accepted: 0, flagged: 0, duplicates: 0, rejected: 0, lastAcceptedMs: null, flaggedByReason: {} };

  constructor(private readonly options: IngestOptions) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.minCommitIntervalMs = options.minCommitIntervalMs ?? 10;
    this.now = options.now ?? (() => Date.now()); // looked up at each call: the clock may be replaced (tests of a clock jump)
    this.quality = new QualityFilter(options.quality ?? DEFAULT_QUALITY);
    this.quality.seed(options.latest ?? options.store.telemetry.latestPoints().map((l) => l.point));
  }

  get queued(): number {
    let n = this.waiting.points.length + this.waiting.deadLetters.length;
    for (const b of this.backlog) n += b.points.length + b.deadLetters.length;
    return n;
  }

  /** True while sources should stop sending until `whenDrained()` resolves. */
  get full(): boolean {
    return this.queued >= this.maxQueued;
  }

  whenDrained(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Takes one MQTT message; `ack` is called only after it (or its dead letter) is committed. */
  acceptMqtt(topic: string, payload: Uint8Array, ack?: () => void): void {
    const topicVehicle = vehicleIdFromTopic(topic);
    const result: ValidationResult =
      topicVehicle === null
        ? { ok: false, reason: `topic "${topic.slice(0, 200)}" is not fleet/<vehicle_id>/telemetry` }
        : validateTelemetry(payload, topicVehicle);
    this.accept('mqtt', topic, payload, result, ack);
  }

  /** Takes a message another adapter decoded (e.g. OsmAnd over HTTP), with its raw bytes for dead letters. */
  accept(source: string, topic: string | null, payload: Uint8Array, result: ValidationResult, ack?: () => void): void {
    if (result.ok) this.waiting.points.push({ point: result.point, flags: [], source });
    else {
      // A copy of only what the store keeps (the caller may reuse its buffer), with the original size.
      const copy = Uint8Array.from(payload.subarray(0, DEAD_LETTER_MAX_BYTES));
      this.waiting.deadLetters.push({ receivedMs: this.now(), source, topic, reason: result.reason, payload: copy, payloadBytes: payload.byteLength });
    }
    if (ack) this.waiting.acks.push(ack);
    if (this.failing) {
      // kept in bounded batches for the retries; the sources are held back once the queue is full
      if (this.waiting.points.length + this.waiting.deadLetters.length >= this.maxBatch) this.park();
      return;
    }
    if (this.queued >= this.maxBatch) this.flush();
    else if (!this.scheduled) {
      const wait = this.lastCommitMs + this.minCommitIntervalMs - performance.now();
      this.scheduled =
        wait > 0 ? { kind: 'timeout', handle: setTimeout(() => this.flush(), wait) } : { kind: 'immediate', handle: setImmediate(() => this.flush()) };
    }
  }

  /** Commits everything waiting now. Safe to call at any time. */
  flush(): void {
    if (this.scheduled) {
      // clearImmediate on a Timeout (or the reverse) corrupts Node's timer lists: clear by kind.
      if (this.scheduled.kind === 'immediate') clearImmediate(this.scheduled.handle);
      else clearTimeout(this.scheduled.handle);
      this.scheduled = null;
    }
    this.lastCommitMs = performance.now();
    if (this.backlog.length) return this.flushBacklog();
    const batch = this.waiting;
    if (batch.points.length === 0 && batch.deadLetters.length === 0 && batch.acks.length === 0) return;
    this.waiting = { points: [], deadLetters: [], acks: [] };
    if (!this.commit(batch)) {
      this.backlog.push(batch);
      this.retryLater();
    }
  }

  /** Moves what waits into the backlog, as one batch. */
  private park(): void {
    const w = this.waiting;
    if (w.points.length || w.deadLetters.length || w.acks.length) this.backlog.push(w);
    this.waiting = { points: [], deadLetters: [], acks: [] };
  }

  /** The oldest failed batch, then the next one on the next turn, until the backlog is empty. */
  private flushBacklog(): void {
    const batch = this.backlog[0]!;
    if (!this.commit(batch)) return this.retryLater();
    this.backlog.shift();
    // the rest (older batches first, then what waits) on the next turn, so ingest's other work interleaves
    if (this.queued > 0) setImmediate(() => !this.failing && this.flush());
  }

  private retryLater(): void {
    this.failing = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.failing = false;
      this.flush();
    }, this.retryDelayMs);
  }

  /** One transaction for `batch`; false (nothing acknowledged, nothing dropped) when it fails. */
  private commit(batch: Waiting): boolean {
    const receivedMs = this.now();
    // Judge each vehicle's fixes in time order, so a late-arriving older fix is not called a jump.
    const ordered = [...batch.points].sort((a, b) => a.point.tsMs - b.point.tsMs);
    for (const p of ordered) if (p.flags.length === 0) p.flags = this.quality.check(p.point, receivedMs);
    let result;
    try {
      result = this.options.store.telemetry.writeBatch(batch.points, batch.deadLetters, receivedMs);
    } catch (err) {
      const first = this.failure === null;
      this.failure = (err as Error).message;
      if (first) this.options.onError?.(`could not save telemetry (${this.failure}); retrying every ${this.retryDelayMs / 1000} s`);
      return false;
    }
    if (this.failure !== null) {
      this.failure = null;
      this.options.onError?.('saving telemetry again');
    }
    const c = this.counters;
    for (const p of result.inserted) {
      if (p.flags.length === 0) continue;
      c.flagged++;
      for (const f of p.flags) c.flaggedByReason[f] = (c.flaggedByReason[f] ?? 0) + 1;
    }
    c.accepted += result.inserted.length;
    c.duplicates += result.duplicates;
    c.rejected += batch.deadLetters.length;
    if (result.inserted.length) c.lastAcceptedMs = receivedMs;
    for (const ack of batch.acks) ack();
    if (result.inserted.length) this.options.onCommitted?.(result.inserted, receivedMs);
    if (!this.full) for (const w of this.drainWaiters.splice(0)) w();
    return true;
  }

  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failing = false;
    // one last try of everything, in order; what still fails stays unacknowledged (the broker resends it)
    while (this.backlog.length && this.commit(this.backlog[0]!)) this.backlog.shift();
    if (!this.backlog.length) this.flush();
  }
}


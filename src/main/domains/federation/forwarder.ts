// A depot's link to headquarters: forwards what the depot committed — telemetry with its quality flags,
// alerts, jobs and driver messages with every change of their state, geofence and driving events — to `fleetdesk/<depot>/…` on an upstream broker at QoS 1,
// in compressed batches. The cursor in the depot's database moves only when the upstream broker has
// acknowledged a batch (PUBACK), so a WAN outage of hours or a restart of either side resumes exactly
// where it stopped (a batch sent again is stored once at headquarters). A rate cap keeps a backlog from
// starving the depot's own work.
import type { MqttClient } from 'mqtt';
import type { FederationStatus } from '../../../shared/contract/federation';
import { persistentClient, redactUrl, type BrokerSettings } from '../../adapters/mqtt-subscriber';
import type { Store } from '../../core/storage/store';
import { batchTopic, encodeBatch, fencePushTopic, rulesPushTopic, type Batch, type FederationStream } from './wire';

export interface ForwarderOptions {
  store: Store;
  depotId: string;
  upstream: BrokerSettings;
  log: (line: string) => void;
  /** Rows a second at most (default 20,000). */
  maxRowsPerSec?: number;
  /** Rows per batch at most (default 2,000). */
  batchRows?: number;
  /** True while the depot's own work waits (telemetry queued for storage): forwarding drops to a trickle. */
  pressure?: () => boolean;
  /** Fences headquarters pushed (its retained message on fleetdesk/<depot>/push/fences). */
  fencesPushed?: (payload: Buffer) => void;
  /** What the depot runs of headquarters' fences, for the status. */
  pushedFences?: () => FederationStatus['pushedFences'];
  /** Rules headquarters pushed (retained on fleetdesk/<depot>/push/rules), and which version runs here. */
  rulesPushed?: (payload: Buffer) => void;
  pushedRules?: () => FederationStatus['pushedRules'];
}

/** Under pressure, forwarding slows to this share of its cap (at least 500 rows/s): the depot's own work first. */
const PRESSURE_SHARE = 1 / 20;

const IDLE_MS = 250;

export class Forwarder {
  private client: MqttClient | null = null;
  private running = false;
  private lastError: string | null = null;
  private forwardedRows = 0;
  private bytesSent = 0;
  /** Rows sent per 1 s slot over the last 10 s (for the rate shown and the cap). */
  private readonly window: { slotMs: number; rows: number }[] = [];
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly o: ForwarderOptions) {}

  get maxRowsPerSec(): number {
    return this.o.maxRowsPerSec ?? 20_000;
  }

  start(): void {
    this.o.store.federation.startForwarding();
    const { client, password } = persistentClient(this.o.upstream, `depot|${this.o.depotId}`);
    this.client = client;
    let said = false;
    client.on('connect', () => {
      // headquarters' fences for this depot (retained: the latest arrives at once)
      client.subscribe([fencePushTopic(this.o.depotId), rulesPushTopic(this.o.depotId)], { qos: 1 }, (err) => err && this.o.log(`federation: cannot listen for fences and rules from headquarters: ${err.message}`));
      if (said) this.o.log(`federation: upstream ${redactUrl(this.o.upstream.url)} is back; forwarding resumes`);
      said = false;
      this.lastError = null;
      this.wake?.();
    });
    client.on('message', (topic, payload) => {
      if (topic === fencePushTopic(this.o.depotId)) this.o.fencesPushed?.(payload);
      else if (topic === rulesPushTopic(this.o.depotId)) this.o.rulesPushed?.(payload);
    });
    client.on('error', (err) => {
      this.lastError = err.message.replace(password ?? '\u0000', '***');
      if (!said) this.o.log(`federation: upstream ${redactUrl(this.o.upstream.url)}: ${this.lastError}; the depot keeps working and forwards when it is back`);
      said = true;
    });
    client.on('offline', () => {
      if (!said) this.o.log(`federation: upstream ${redactUrl(this.o.upstream.url)} unreachable; the depot keeps working and forwards when it is back`);
      said = true;
    });
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Waiting for rows (not for the link or the cap): a commit may wake it. */
  private idle = false;

  /** New rows were committed: forward them soon when idle (the loop also looks on its own every 250 ms). */
  nudge(): void {
    if (this.idle) this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private sentLastSecond(nowMs: number): number {
    while (this.window.length && this.window[0]!.slotMs <= nowMs - 10_000) this.window.shift();
    return this.window.filter((w) => w.slotMs > nowMs - 1000).reduce((s, w) => s + w.rows, 0);
  }

  private count(rows: number, bytes: number): void {
    const slotMs = Math.floor(Date.now() / 100) * 100;
    const last = this.window[this.window.length - 1];
    if (last && last.slotMs === slotMs) last.rows += rows;
    else this.window.push({ slotMs, rows });
    this.forwardedRows += rows;
    this.bytesSent += bytes;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const client = this.client!;
      if (!client.connected) {
        await this.sleep(1000);
        continue;
      }
      // the cap: no more than maxRowsPerSec over the last second, far less while the depot is busy storing
      const cap = this.cap();
      if (this.sentLastSecond(Date.now()) >= cap) {
        await this.sleep(100);
        continue;
      }
      const batch = this.nextBatch(cap);
      if (!batch) {
        this.idle = true;
        await this.sleep(IDLE_MS);
        this.idle = false;
        continue;
      }
      const payload = encodeBatch(batch);
      try {
        // resolves on the upstream broker's PUBACK: only then does the cursor move
        await client.publishAsync(batchTopic(this.o.depotId, batch.stream), payload, { qos: 1 });
      } catch (err) {
        this.lastError = (err as Error).message;
        await this.sleep(1000);
        continue;
      }
      if (!this.running) return;
      this.o.store.federation.advance(batch.stream, batch.toId);
      this.count(batch.rows.length + (batch.jobs?.length ?? 0) + (batch.messages?.length ?? 0), payload.byteLength);
      // let the depot's own work in between batches
      await new Promise((r) => setImmediate(r));
    }
  }

  private cap(): number {
    return this.o.pressure?.() ? Math.max(500, Math.floor(this.maxRowsPerSec * PRESSURE_SHARE)) : this.maxRowsPerSec;
  }

  /** Changes first (alerts, jobs, driver messages: few and urgent), then geofence and driving events, then telemetry; null when everything is forwarded. */
  private nextBatch(cap: number): Batch | null {
    const fed = this.o.store.federation;
    const limit = Math.max(1, Math.min(this.o.batchRows ?? 2000, cap));
    const header = (stream: FederationStream, fromId: number, toId: number, rows: unknown[], extra: Pick<Batch, 'jobs' | 'messages'> = {}): Batch => {
      const b = fed.backlog();
      const sent = rows.length + (extra.jobs?.length ?? 0) + (extra.messages?.length ?? 0);
      return {
        v: 1,
        depot: this.o.depotId,
        stream,
        fromId,
        toId,
        sentMs: Date.now(),
        depotNewestMs: b.newestMs,
        backlogRows: Math.max(0, b.telemetry.rows + b.changes.rows + b.driving.rows + b.visits.rows - sent),
        backlogOldestMs: b.telemetry.oldestMs,
        rows,
        ...extra,
      };
    };
    const c = fed.cursor('changes');
    const changes = fed.changesAfter(c, 500);
    if (changes.toId > c) return header('changes', c, changes.toId, changes.alerts, { jobs: changes.jobs, messages: changes.messages });
    const vc = fed.cursor('visits');
    const visits = fed.visitsAfter(vc, limit);
    if (visits.length) return header('visits', vc, visits[visits.length - 1]![0], visits);
    const dc = fed.cursor('driving');
    const driving = fed.drivingAfter(dc, limit);
    if (driving.length) return header('driving', dc, driving[driving.length - 1]![0], driving);
    const t = fed.cursor('telemetry');
    const rows = fed.telemetryAfter(t, limit);
    if (rows.length === 0) return null;
    return header('telemetry', t, rows[rows.length - 1]![0], rows);
  }

  status(): Omit<FederationStatus, 'fromSettings' | 'username'> {
    const now = Date.now();
    this.sentLastSecond(now);
    const tenS = this.window.reduce((s, w) => s + w.rows, 0);
    const b = this.o.store.federation.backlog();
    return {
      role: 'depot',
      depotId: this.o.depotId,
      brokerUrl: redactUrl(this.o.upstream.url),
      connected: this.client?.connected ?? false,
      lastError: this.client?.connected ? null : this.lastError,
      backlogRows: b.telemetry.rows + b.changes.rows + b.driving.rows + b.visits.rows,
      backlogOldestMs: b.telemetry.oldestMs,
      forwardedRows: this.forwardedRows,
      rowsPerSec: Math.round(tenS / 10),
      bytesSent: this.bytesSent,
      maxRowsPerSec: this.maxRowsPerSec,
      pushedFences: this.o.pushedFences?.() ?? null,
      pushedRules: this.o.pushedRules?.() ?? null,
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone.catch(() => undefined);
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true);
  }
}

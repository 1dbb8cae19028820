// The dispatch board: jobs created, the vehicles best placed to take one (by ETA to its first stop),
// assignment sent to the vehicle over MQTT and its answers, and each stop's arrival, departure and
// completion from the vehicle's trusted fixes — every change in the job's timeline and pushed to screens.
import { ApiError } from '../../api/api-error';
import type { Job, JobStop, NewJob, SuggestResult } from '../../../shared/contract/jobs';
import type { TelemetryPoint, VehicleState } from '../../../shared/contract/vehicles';
import { estimateEta, type EtaModel } from '../../core/eta/eta';
import { haversineM } from '../../core/geo/distance';
import type { LiveState } from '../../core/live/live-state';
import type { Store } from '../../core/storage/store';
import { jobTopic, vehicleOfAnswer } from '../../adapters/dispatch-link';
import type { Emit } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';
import type { EtaModels } from '../eta/models';
import { isOpen, type StoredJob } from './repo';
import { rankVehicles } from './ranking';
import { deadLetter, jobMessage, parseAnswer } from './device-messages';
import type { Geofence } from '../../../shared/contract/fences';
import type { GeofenceEvent } from '../../core/geofence/engine';
import type { IndexedFence } from '../../core/geofence/fence-index';
import { isStrictlyInside } from '../../core/geofence/geometry';
import { fenceLookup, resolveStops } from './stops';

export const DEFAULT_STOP_RADIUS_M = 150;
/**
 * A stop's circle is a fence in the geofence engine while it is a vehicle's next stop, with this entry
 * delay against GPS bounce: inside this long is an arrival, outside as long a departure.
 */
export const STOP_ENTRY_DELAY_S = 10;
/** The engine's id of a job stop's circle. */
export const stopFenceId = (jobId: number, seq: number) => `job:${jobId}:${seq}`;
export const isStopFence = (fenceId: string) => fenceId.startsWith('job:');
/** A device that has not answered an offer by then: "no answer". */
export const DEFAULT_ANSWER_MS = 10 * 60_000;
/** A job sent before the device was listening is sent again this long after it subscribes, if it has not arrived. */
const RESEND_AFTER_SUBSCRIBE_MS = 1000;

export class JobBoard {
  private model: EtaModel | null = null;
  /** Stop circles the engine holds now (see syncStopFences). */
  private readonly stopFences = new Set<string>();
  /** Vehicles whose last fixes came from a source that cannot receive anything (OsmAnd phones). */
  private readonly noDownlink = new Set<string>();
  private readonly resendTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly d: {
      store: Store;
      live: LiveState;
      gate: PrivacyGate;
      models: EtaModels;
      emit: Emit;
      /** Sends to the broker; null: no dispatch connection (tests of the board alone). */
      publish: ((topic: string, message: unknown) => Promise<void>) | null;
      log: (line: string) => void;
      answerMs?: number;
      /** The geofences (a stop may be one): id → fence, as the engine holds them. */
      fences?: ReadonlyMap<string, Geofence>;
      /** The geofence engine, which also watches each vehicle's next stop circle. */
      engine?: { upsertFence(f: IndexedFence): void; removeFence(id: string): void };
      /** A vehicle's class, as Rules maps it ('default' when unmapped). */
      classOf?: (vehicleId: string) => string;
      /** Late and missed stops become alerts (and resolve when the vehicle arrives). */
      alerts?: {
        raise(type: 'job_late' | 'job_missed' | 'job_no_answer', a: { vehicleId: string; jobKey: string; jobName: string; tsMs: number; lat: number | null; lon: number | null; message: string }): void;
        clear(vehicleId: string, jobKey: string, tsMs: number, reason: string): void;
      };
    },
  ) {}

  /** Stops already said late or missed (job:<id>:<seq> → which), so each is said once. */
  private readonly warned = new Map<string, 'job_late' | 'job_missed'>();
  /** Offers said unanswered (job id), cleared when the device answers or the job ends. */
  private readonly unanswered = new Set<number>();

  // ---- what screens see ----

  shown(j: StoredJob, nowMs = Date.now()): Job {
    const { sentMs: _s, answerDueMs: _a, ...job } = j;
    const next = job.stops.find((s) => s.seq === job.nextStopSeq);
    if (next && job.vehicleId && this.model && ['accepted', 'en_route', 'offered'].includes(job.status)) {
      const v = this.d.live.get(job.vehicleId, nowMs);
      if (v && v.status !== 'offline' && !this.d.gate.shownVehicle(v).hidden) {
        const r = estimateEta(this.model, { vehicleId: v.vehicleId, lat: v.last.lat, lon: v.last.lon, speedKmh: v.last.speedKmh, stoppedSinceMs: this.d.models.stoppedSinceMs(v.vehicleId), nowMs, destination: { lat: next.lat, lon: next.lon } });
        job.nextStopEtaMs = r.etaMs;
      }
    }
    return job;
  }

  private changed(id: number, nowMs = Date.now()): Job {
    const job = this.shown(this.d.store.jobs.get(id)!, nowMs);
    this.d.emit('jobUpdated', job);
    this.syncStopFences();
    return job;
  }

  /**
   * The engine watches the circle of each vehicle's next stop (a stop that is a geofence it watches
   * already): added when a vehicle starts on it, removed when the stop or the job is over.
   */
  syncStopFences(): void {
    const engine = this.d.engine;
    if (!engine) return;
    const want = new Map<string, IndexedFence>();
    for (const job of this.working().values()) {
      const stop = job.stops.find((x) => x.seq === job.nextStopSeq);
      if (!stop || this.fenceOfNext(job)) continue;
      const id = stopFenceId(job.id, stop.seq);
      want.set(id, { id, geometry: { type: 'Circle', center: [stop.lon, stop.lat], radiusM: stop.radiusM }, rules: { entryDelayS: STOP_ENTRY_DELAY_S } });
    }
    for (const id of this.stopFences) if (!want.has(id)) (engine.removeFence(id), this.stopFences.delete(id));
    for (const [id, f] of want) if (!this.stopFences.has(id)) (engine.upsertFence(f), this.stopFences.add(id));
  }

  timeline(id: number) {
    return this.d.store.jobs.timeline(id);
  }

  get(id: number): StoredJob {
    const j = this.d.store.jobs.get(id);
    if (!j) throw new ApiError('not_found', `Job ${id} does not exist.`);
    return j;
  }

  /** A job this FleetDesk works: a depot's (at headquarters) is dispatched and worked at the depot, refused here. */
  own(id: number): StoredJob {
    const j = this.get(id);
    if (j.depotId) throw new ApiError('forbidden', `Job ${id} (${j.ref}) belongs to depot ${j.depotId}: it is dispatched and worked there (headquarters sees it as the depot sends it).`);
    return j;
  }

  /** Headquarters: a vehicle reporting through a depot takes work from that depot only. */
  private ownVehicle(vehicleId: string): void {
    const depot = this.d.store.federation.depotOfVehicle(vehicleId);
    if (depot) throw new ApiError('forbidden', `${vehicleId} reports through depot ${depot}: give it work there.`);
  }

  list(q: { open?: boolean; vehicleId?: string; limit: number }): Job[] {
    const now = Date.now();
    return this.d.store.jobs.list(q).map((j) => this.shown(j, now));
  }

  /** Whether FleetDesk can send anything to this vehicle (an OsmAnd phone has no downlink). */
  canReach(vehicleId: string): boolean {
    return !this.noDownlink.has(vehicleId);
  }

  // ---- what dispatchers do ----

  create(p: NewJob, by: string, nowMs = Date.now()): Job {
    for (const [i, s] of p.stops.entries()) {
      if (s.windowStartMs != null && s.windowEndMs != null && s.windowEndMs <= s.windowStartMs) throw new ApiError('bad_request', `Stop ${i + 1}: its time window ends before it starts.`);
    }
    if (!p.ref.trim()) throw new ApiError('bad_request', 'Name the customer or place of the job.');
    const stops = resolveStops(p.stops, fenceLookup(this.d.fences?.values() ?? []));
    const id = this.d.store.jobs.add({ ...p, stops, createdMs: nowMs, createdBy: by }, DEFAULT_STOP_RADIUS_M);
    return this.changed(id, nowMs);
  }

  async suggest(id: number, limit: number, nowMs = Date.now()): Promise<SuggestResult> {
    const job = this.own(id);
    if (!isOpen(job.status)) throw new ApiError('bad_request', `Job ${id} is ${job.status}: there is nothing to assign.`);
    this.model = await this.d.models.model(nowMs);
    return this.rank(job, this.d.live.all(nowMs), limit, nowMs);
  }

  /** The ranking itself (synchronous: the benchmark times it on 10,000 vehicles). */
  rank(job: StoredJob, vehicles: readonly VehicleState[], limit: number, nowMs: number, model: EtaModel = this.model!): SuggestResult {
    return rankVehicles(job, vehicles, limit, nowMs, model, {
      active: this.d.store.jobs.allActive(),
      hidden: (v) => this.d.gate.shownVehicle(v).hidden === true,
      classOf: this.d.classOf,
      stoppedSinceMs: (id) => this.d.models.stoppedSinceMs(id),
    });
  }

  async assign(id: number, vehicleId: string, by: string, nowMs = Date.now()): Promise<Job> {
    const job = this.own(id);
    this.ownVehicle(vehicleId);
    if (!isOpen(job.status) && job.status !== 'rejected') throw new ApiError('bad_request', `Job ${id} is ${job.status}: it cannot be assigned.`);
    const v = this.d.live.get(vehicleId, nowMs);
    if (!v) throw new ApiError('not_found', `Vehicle ${vehicleId} has not reported yet.`);
    if (this.d.gate.shownVehicle(v).hidden) throw new ApiError('bad_request', `${vehicleId} is in privacy mode: it cannot be given work now.`);
    const cls = this.d.classOf?.(vehicleId) ?? 'default';
    if (job.vehicleClass && cls !== job.vehicleClass) throw new ApiError('bad_request', `Job ${id} needs a ${job.vehicleClass}; ${vehicleId} is a ${cls} (Rules → vehicle classes).`);
    const before = job.vehicleId;
    const s = this.d.store.jobs;
    if (before && this.unanswered.delete(id)) this.d.alerts?.clear(before, `job:${id}`, nowMs, `given to ${vehicleId}`);
    const online = v.status !== 'offline';
    const downlink = !this.noDownlink.has(vehicleId) && this.d.publish !== null;
    s.update(id, { status: 'offered', vehicleId, delivery: downlink ? (online ? 'sent' : 'queued') : 'cannot_send', sentMs: downlink ? nowMs : null, answerDueMs: downlink ? nowMs + (this.d.answerMs ?? DEFAULT_ANSWER_MS) : null }, nowMs);
    for (const st of job.stops) if (st.status !== 'pending') s.updateStop(id, st.seq, { status: 'pending' });
    s.event(id, nowMs, null, 'offered', by, before && before !== vehicleId ? `to ${vehicleId} (was ${before})` : `to ${vehicleId}`);
    if (!downlink) s.event(id, nowMs, null, 'cannot_send', 'FleetDesk', `${vehicleId} has no downlink (an OsmAnd phone): call the driver`);
    else {
      if (before && before !== vehicleId) void this.send(before, { type: 'cancel', job_id: id, reason: `given to ${vehicleId}` });
      await this.send(vehicleId, jobMessage(this.shown(this.get(id), nowMs), nowMs));
      if (!online) s.event(id, nowMs, null, 'queued', 'FleetDesk', `${vehicleId} is offline: it gets the job when it connects`);
    }
    return this.changed(id, nowMs);
  }

  async cancel(id: number, reason: string, by: string, nowMs = Date.now()): Promise<Job> {
    const job = this.own(id);
    if (!isOpen(job.status) && job.status !== 'rejected') throw new ApiError('bad_request', `Job ${id} is already ${job.status}.`);
    this.d.store.jobs.update(id, { status: 'cancelled', answerDueMs: null }, nowMs);
    this.d.store.jobs.event(id, nowMs, null, 'cancelled', by, reason);
    for (const st of job.stops) this.settleWarning(job, st.seq, nowMs, 'job cancelled');
    if (this.unanswered.delete(id) && job.vehicleId) this.d.alerts?.clear(job.vehicleId, `job:${id}`, nowMs, 'job cancelled');
    if (job.vehicleId && job.delivery !== 'cannot_send' && this.d.publish) void this.send(job.vehicleId, { type: 'cancel', job_id: id, reason });
    return this.changed(id, nowMs);
  }

  /** A dispatcher settles a stop (the driver phoned, or the device cannot answer): done, or failed with why. */
  settleStop(id: number, seq: number, outcome: 'done' | 'failed', reason: string, by: string, nowMs = Date.now()): Job {
    const job = this.own(id);
    if (!isOpen(job.status) || job.status === 'planned') throw new ApiError('bad_request', `Job ${id} is ${job.status}: ${job.status === 'planned' ? 'give it to a vehicle first' : 'its stops are settled'}.`);
    const stop = job.stops.find((x) => x.seq === seq);
    if (!stop) throw new ApiError('not_found', `Job ${id} has no stop ${seq}.`);
    if (stop.status === 'done' || stop.status === 'failed') throw new ApiError('bad_request', `Stop ${seq} of job ${id} is already ${stop.status}.`);
    if (outcome === 'failed' && !reason.trim()) throw new ApiError('bad_request', 'Say why the stop failed (the driver’s words will do).');
    const s = this.d.store.jobs;
    if (job.status === 'offered') {
      // the driver was reached another way: the job is theirs
      s.update(id, { status: 'accepted', answerDueMs: null, ...(job.delivery === 'cannot_send' ? {} : { delivery: 'answered' }) }, nowMs);
      s.event(id, nowMs, null, 'accepted', by, 'on the driver’s word');
      if (this.unanswered.delete(id) && job.vehicleId) this.d.alerts?.clear(job.vehicleId, `job:${id}`, nowMs, 'settled by a dispatcher');
    }
    if (outcome === 'done') s.updateStop(id, seq, { status: 'done', doneMs: nowMs });
    else s.updateStop(id, seq, { status: 'failed', failedReason: reason.trim(), doneMs: nowMs });
    s.event(id, nowMs, seq, outcome === 'done' ? 'stop_done' : 'stop_failed', by, outcome === 'failed' ? reason.trim() : 'settled by a dispatcher');
    this.settleWarning(job, seq, nowMs, outcome === 'done' ? 'stop done' : 'stop failed');
    this.finishIfLast(id, nowMs);
    // the device hears it too, so its list matches (a device with no downlink is not written to)
    if (job.vehicleId && job.delivery !== 'cannot_send' && this.d.publish) void this.send(job.vehicleId, { type: 'stop_settled', job_id: id, stop: seq, status: outcome, reason: outcome === 'failed' ? reason.trim() : null });
    return this.changed(id, nowMs);
  }

  private async send(vehicleId: string, message: unknown): Promise<void> {
    try {
      await this.d.publish!(jobTopic(vehicleId), message);
    } catch (err) {
      // mqtt.js keeps QoS 1 messages while the broker is away and sends them when it is back
      this.d.log(`dispatch: could not send to ${vehicleId} now (${(err as Error).message}); it goes when the broker is back`);
    }
  }

  // ---- what devices do ----

  /** An answer on `fleet/<vehicle>/jobs/ack`: applied, or kept as a dead letter with why. */
  answer(topic: string, payload: Buffer, nowMs = Date.now()): void {
    const vehicleId = vehicleOfAnswer(topic);
    const refuse = (reason: string) => {
      deadLetter(this.d.store, 'jobs', topic, payload, reason, nowMs);
      this.d.log(`dispatch: answer on ${topic} refused: ${reason}`);
    };
    if (!vehicleId) return refuse('not a job answer topic');
    const a = parseAnswer(payload);
    if (typeof a === 'string') return refuse(a);
    const job = this.d.store.jobs.get(a.jobId);
    if (!job || job.depotId) return refuse(`job ${a.jobId} does not exist`);
    if (job.vehicleId !== vehicleId) return refuse(`job ${a.jobId} is not assigned to ${vehicleId}`);
    const s = this.d.store.jobs;
    const by = `device ${vehicleId}`;
    if (!isOpen(job.status)) {
      s.event(job.id, nowMs, null, 'late_answer', by, `${a.status} after the job was ${job.status}`);
      return void this.changed(job.id, nowMs);
    }
    if (a.status !== 'received' && this.unanswered.delete(job.id)) this.d.alerts?.clear(vehicleId, `job:${job.id}`, nowMs, `the device answered: ${a.status}`);
    const delivered = job.delivery === 'sent' || job.delivery === 'queued' || job.delivery === 'no_answer' ? { delivery: a.status === 'received' ? 'delivered' : 'answered' } : {};
    switch (a.status) {
      case 'received':
        if (job.delivery === 'sent' || job.delivery === 'queued' || job.delivery === 'no_answer') {
          s.update(job.id, delivered, nowMs);
          s.event(job.id, nowMs, null, 'delivered', by);
        }
        break;
      case 'accepted':
        if (job.status !== 'offered') return;
        s.update(job.id, { ...delivered, delivery: 'answered', status: 'accepted', answerDueMs: null }, nowMs);
        s.event(job.id, nowMs, null, 'accepted', by);
        break;
      case 'rejected':
        if (job.status !== 'offered') return;
        s.update(job.id, { delivery: 'answered', status: 'rejected', answerDueMs: null }, nowMs);
        s.event(job.id, nowMs, null, 'rejected', by, a.reason);
        break;
      case 'stop_done':
      case 'stop_failed': {
        const stop = job.stops.find((x) => x.seq === a.stop);
        if (!stop) return refuse(`job ${job.id} has no stop ${a.stop}`);
        if (stop.status === 'done' || stop.status === 'failed') return;
        if (a.status === 'stop_done') s.updateStop(job.id, stop.seq, { status: 'done', doneMs: nowMs });
        else s.updateStop(job.id, stop.seq, { status: 'failed', failedReason: a.reason, doneMs: nowMs });
        s.event(job.id, nowMs, stop.seq, a.status === 'stop_done' ? 'stop_done' : 'stop_failed', by, a.status === 'stop_failed' ? a.reason : '');
        this.settleWarning(job, stop.seq, nowMs, a.status === 'stop_done' ? 'stop done' : 'stop failed');
        if (job.status === 'offered') s.update(job.id, { delivery: 'answered', status: 'accepted', answerDueMs: null }, nowMs);
        this.finishIfLast(job.id, nowMs);
        break;
      }
    }
    this.changed(job.id, nowMs);
  }

  /** The embedded broker saw the device acknowledge one of our messages: it has the job. */
  acked(vehicleId: string, topic: string, payload: Buffer, nowMs = Date.now()): void {
    if (topic !== jobTopic(vehicleId)) return;
    let id: unknown;
    try {
      const m = JSON.parse(payload.toString('utf8')) as { type?: string; job_id?: unknown };
      if (m.type !== 'job') return;
      id = m.job_id;
    } catch {
      return;
    }
    const job = typeof id === 'number' ? this.d.store.jobs.get(id) : null;
    if (!job || job.depotId || job.vehicleId !== vehicleId || (job.delivery !== 'sent' && job.delivery !== 'queued' && job.delivery !== 'no_answer')) return;
    this.d.store.jobs.update(job.id, { delivery: 'delivered' }, nowMs);
    this.d.store.jobs.event(job.id, nowMs, null, 'delivered', `device ${vehicleId}`, 'acknowledged by the device');
    this.changed(job.id, nowMs);
  }

  /**
   * The device subscribed: it is listening now. A job it has not acknowledged goes again a moment later
   * (if its session kept it, the broker delivers it first and the device's acknowledgement stops this).
   */
  subscribed(vehicleId: string, filters: string[]): void {
    if (!filters.some((f) => f === jobTopic(vehicleId) || f === `fleet/${vehicleId}/#`)) return;
    // only what was sent before it listened: a job sent since reached it through this subscription
    const listeningSinceMs = Date.now();
    const t = setTimeout(() => {
      this.resendTimers.delete(t);
      for (const j of this.d.store.jobs.activeOf(vehicleId))
        if (j.status === 'offered' && j.sentMs !== null && j.sentMs < listeningSinceMs && (j.delivery === 'queued' || j.delivery === 'sent' || j.delivery === 'no_answer')) {
          this.d.store.jobs.event(j.id, Date.now(), null, 'resent', 'FleetDesk', `${vehicleId} connected`);
          void this.send(vehicleId, jobMessage(this.shown(j), Date.now()));
        }
    }, RESEND_AFTER_SUBSCRIBE_MS);
    this.resendTimers.add(t);
  }

  // ---- what positions tell ----

  /** Committed trusted fixes (in time order) and where they came from: arrivals, departures, en route. */
  observe(points: readonly TelemetryPoint[], sources: ReadonlyMap<string, string>): void {
    for (const [v, src] of sources) {
      if (src === 'osmand') this.noDownlink.add(v);
      else this.noDownlink.delete(v);
    }
    const byVehicle = this.working();
    if (byVehicle.size === 0) return;
    const touched = new Set<number>();
    for (const p of points) {
      const job = byVehicle.get(p.vehicleId);
      if (!job) continue;
      if (this.step(job, p)) {
        touched.add(job.id);
        byVehicle.set(p.vehicleId, this.d.store.jobs.get(job.id)!);
      }
    }
    for (const id of touched) this.changed(id);
  }

  /**
   * The job each vehicle works on: its oldest unfinished, accepted one (a job that cannot be sent is worked
   * once the driver was called: its positions count from the offer).
   */
  private working(): Map<string, StoredJob> {
    const byVehicle = new Map<string, StoredJob>();
    for (const j of this.d.store.jobs.allActive()) if ((j.status !== 'offered' || j.delivery === 'cannot_send') && !byVehicle.has(j.vehicleId!)) byVehicle.set(j.vehicleId!, j);
    return byVehicle;
  }

  /**
   * The engine's enter and exit events (after the entry delay against GPS bounce): a vehicle entering its
   * next stop (the stop's circle, or the geofence it is) has arrived there, since it crossed in; leaving
   * it, the stop is done.
   */
  fenceEvents(events: readonly GeofenceEvent[]): void {
    if (events.length === 0) return;
    const byVehicle = this.working();
    const touched = new Set<number>();
    for (const e of events) {
      if (e.event === 'dwell') continue;
      const job = byVehicle.get(e.vehicleId);
      const stop = job?.stops.find((x) => x.seq === job.nextStopSeq);
      if (!job || !stop || job.status === 'offered' || job.status === 'accepted') continue;
      const fence = this.fenceOfNext(job);
      if (fence ? e.fenceId !== fence.id : e.fenceId !== stopFenceId(job.id, stop.seq)) continue;
      if (e.event === 'enter' && stop.status === 'pending') this.arrive(job, stop, e.sinceMs, e.tsMs, fence ? 'entered the geofence' : `${Math.round(haversineM(e.lon, e.lat, stop.lon, stop.lat))} m from its centre`);
      else if (e.event === 'exit' && stop.status === 'arrived') this.depart(job, stop, e.sinceMs, e.tsMs);
      else continue;
      touched.add(job.id);
      byVehicle.set(e.vehicleId, this.d.store.jobs.get(job.id)!);
    }
    for (const id of touched) this.changed(id);
  }

  /** One fix against a job's next stop; true when the job changed. */
  private step(job: StoredJob, p: TelemetryPoint): boolean {
    const s = this.d.store.jobs;
    if (job.status === 'accepted' || job.status === 'offered') {
      s.update(job.id, { status: 'en_route' }, p.tsMs);
      s.event(job.id, p.tsMs, job.nextStopSeq, 'en_route', 'FleetDesk', `to stop ${job.nextStopSeq}`);
      // already inside the geofence of its stop when the work began: the engine will not see it enter (a
      // stop's own circle is new to the engine, which sees the vehicle enter it with the next fixes)
      const now = s.get(job.id)!;
      const fence = this.fenceOfNext(now);
      const stop = now.stops.find((x) => x.seq === now.nextStopSeq);
      if (fence && stop?.status === 'pending' && isStrictlyInside(fence.geometry, p.lon, p.lat)) this.arrive(now, stop, p.tsMs, p.tsMs, 'inside the geofence when the job began');
      return true;
    }
    return false;
  }

  /** The fence the job's next stop is, when it is one the engine still holds (else its circle decides). */
  private fenceOfNext(job: StoredJob): Geofence | null {
    const stop = job.stops.find((x) => x.seq === job.nextStopSeq);
    return (stop?.fenceId && this.d.fences?.get(stop.fenceId)) || null;
  }

  private arrive(job: StoredJob, stop: JobStop, sinceMs: number, tsMs: number, how: string): void {
    const s = this.d.store.jobs;
    s.updateStop(job.id, stop.seq, { status: 'arrived', arrivedMs: sinceMs });
    s.update(job.id, { status: 'arrived' }, tsMs);
    s.event(job.id, tsMs, stop.seq, 'arrived', 'FleetDesk', `at ${stop.name} (${how})`);
    this.settleWarning(job, stop.seq, sinceMs, `arrived ${stop.windowEndMs !== null && sinceMs > stop.windowEndMs ? `${Math.round((sinceMs - stop.windowEndMs) / 60_000)} min after the window` : 'in time'}`);
  }

  private depart(job: StoredJob, stop: JobStop, sinceMs: number, tsMs: number): void {
    this.d.store.jobs.updateStop(job.id, stop.seq, { status: 'done', departedMs: sinceMs, doneMs: sinceMs });
    this.d.store.jobs.event(job.id, tsMs, stop.seq, 'departed', 'FleetDesk', `left ${stop.name}: stop done`);
    this.finishIfLast(job.id, tsMs);
  }

  /** After a stop finished: the job is done when none is left, else on its way to the next. */
  private finishIfLast(id: number, atMs: number): void {
    const job = this.d.store.jobs.get(id)!;
    const s = this.d.store.jobs;
    if (job.nextStopSeq === null) {
      const allFailed = job.stops.every((x) => x.status === 'failed');
      s.update(id, { status: allFailed ? 'failed' : 'done', answerDueMs: null }, atMs);
      s.event(id, atMs, null, allFailed ? 'failed' : 'done', 'FleetDesk', `${job.stops.filter((x) => x.status === 'done').length} of ${job.stops.length} stops done`);
    } else if (job.status === 'arrived' || job.status === 'accepted') {
      s.update(id, { status: 'en_route' }, atMs);
      s.event(id, atMs, job.nextStopSeq, 'en_route', 'FleetDesk', `to stop ${job.nextStopSeq}`);
    }
  }

  // ---- the clock ----

  private settleWarning(job: StoredJob, seq: number, tsMs: number, reason: string): void {
    const key = `job:${job.id}:${seq}`;
    if (!this.warned.delete(key) || !job.vehicleId) return;
    this.d.alerts?.clear(job.vehicleId, key, tsMs, reason);
  }

  /** The next stop of each job under way: late when its live ETA passes the window, missed when the window is over. */
  private checkWindows(nowMs: number): void {
    for (const j of this.d.store.jobs.allActive()) {
      if (!j.vehicleId || j.status === 'offered' || j.nextStopSeq === null) continue;
      const stop = j.stops.find((x) => x.seq === j.nextStopSeq)!;
      if (stop.windowEndMs === null || stop.status !== 'pending') continue;
      const key = `job:${j.id}:${stop.seq}`;
      const said = this.warned.get(key);
      const v = this.d.live.get(j.vehicleId, nowMs);
      const at = { vehicleId: j.vehicleId, jobKey: key, jobName: `${j.ref} · stop ${stop.seq}`, tsMs: v?.last.tsMs ?? nowMs, lat: v?.last.lat ?? null, lon: v?.last.lon ?? null };
      const window = `${new Date(stop.windowEndMs).toISOString().slice(11, 16)} UTC`;
      if (nowMs > stop.windowEndMs) {
        if (said === 'job_missed') continue;
        this.warned.set(key, 'job_missed');
        this.d.alerts?.raise('job_missed', { ...at, message: `${j.vehicleId} missed the window of job #${j.id} ${j.ref}, stop ${stop.seq} ${stop.name} (ended ${window})` });
        this.d.store.jobs.event(j.id, nowMs, stop.seq, 'window_missed', 'FleetDesk', `window ended ${window}`);
        this.changed(j.id, nowMs);
        continue;
      }
      if (said) continue;
      const eta = this.shown(j, nowMs).nextStopEtaMs;
      if (eta !== null && eta > stop.windowEndMs) {
        this.warned.set(key, 'job_late');
        const late = Math.round((eta - stop.windowEndMs) / 60_000);
        this.d.alerts?.raise('job_late', { ...at, message: `${j.vehicleId} is running late for job #${j.id} ${j.ref}, stop ${stop.seq} ${stop.name}: ETA ${late} min after its window (ends ${window})` });
        this.d.store.jobs.event(j.id, nowMs, stop.seq, 'late_risk', 'FleetDesk', `ETA ${late} min after the window`);
        this.changed(j.id, nowMs);
      }
    }
  }

  /** Offers nobody answered in time: "no answer" (said once); stops running late or missed. */
  tick(nowMs = Date.now()): void {
    void this.d.models.model(nowMs).then((m) => (this.model = m), () => undefined);
    this.checkWindows(nowMs);
    for (const j of this.d.store.jobs.allActive()) {
      if (j.status === 'offered' && j.answerDueMs !== null && j.answerDueMs <= nowMs && j.delivery !== 'no_answer') {
        this.d.store.jobs.update(j.id, { delivery: 'no_answer', answerDueMs: null }, nowMs);
        const answerMs = this.d.answerMs ?? DEFAULT_ANSWER_MS;
        const within = answerMs >= 60_000 ? `${Math.round(answerMs / 60_000)} min` : `${Math.round(answerMs / 1000)} s`;
        this.d.store.jobs.event(j.id, nowMs, null, 'no_answer', 'FleetDesk', `${j.vehicleId} did not answer within ${within}`);
        const v = this.d.live.get(j.vehicleId!, nowMs);
        this.unanswered.add(j.id);
        this.d.alerts?.raise('job_no_answer', { vehicleId: j.vehicleId!, jobKey: `job:${j.id}`, jobName: j.ref, tsMs: v?.last.tsMs ?? nowMs, lat: v?.last.lat ?? null, lon: v?.last.lon ?? null, message: `${j.vehicleId} has not answered job #${j.id} ${j.ref} within ${within}: call the driver or give it to another vehicle` });
        this.changed(j.id, nowMs);
      }
    }
  }

  close(): void {
    for (const t of this.resendTimers) clearTimeout(t);
    this.resendTimers.clear();
  }
}

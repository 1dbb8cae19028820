// FleetDesk's service: builds storage, ingest, engine worker, broker link and demo from core + adapters.
// The Electron shell and the `fleetdesk serve` command both construct exactly this.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { ApiEvents, ApiHandlers, EventName } from '../../shared/api';
import {
  ALERT_TYPE_TEXT,
  ALERT_TYPES,
  type Alert,
  type AlertSettings,
  type AlertType,
  type BrokerConnectionState,
  type BrokerSecuritySettings,
  type DeadLetter,
  type EngineConfig,
  type IngestHealth,
  type Geofence,
  type GeofenceInput,
  type OnlineTileSettings,
  type DrivingEvent,
  type VehicleCostInputs,
  type Suppression,
  type SystemStatus,
  type TelemetryPoint,
  type VehicleState,
} from '../../shared/types';
import { FENCE_CATEGORIES, FENCE_DEFAULT_COLORS } from '../../shared/fence-geojson';
import { EngineHost } from '../core/engine/engine-host';
import type { EngineOutput } from '../core/engine/fleet-engine';
import { fenceSize, validateFenceGeometry } from '../core/geofence/geometry';
import { alertsFromEngineOutput, DEFAULT_ALERT_SETTINGS, newAlert, validateAlertSettings } from '../core/rules/alerts';
import { DEFAULT_ENGINE_CONFIG, validateEngineConfig, validateFenceRules } from '../core/rules/config';
import type { RuleInput } from '../core/rules/driving';
import { DEFAULT_PENALTIES, driverScoresFrom, PENALTIES_SETTING_KEY, shiftResolver, type Penalties } from '../core/analytics/scoring';
import { Ingestor } from '../core/ingest/ingestor';
import { LiveState } from '../core/live/live-state';
import { HistoryQueryError, queryHistory, validateHistoryQuery } from '../core/history/history';
import { Store, type IncomingPoint } from '../core/storage/store';
import { DemoFleet, demoEngineConfig } from '../core/sim/demo-fleet';
import { startEmbeddedBroker, type EmbeddedBroker } from '../adapters/embedded-broker';
import { clientIdFor, MqttSubscriber, redactUrl, type BrokerSettings } from '../adapters/mqtt-subscriber';
import { SimPublisher } from '../adapters/sim-publisher';
import { startOsmAndServer, type OsmAndServer } from '../adapters/osmand-server';
import { ApiError } from './api-error';
import { ExportJobs } from './exports';
import { centroid } from '@turf/turf';
import { estimateEta, learnEtaModel, STOPPED_KMH, type EtaModel } from '../core/eta/eta';
import type { EtaLearnInput, EtaLearnMessage } from '../core/eta/learn-task';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES } from '../core/storage/checkpointer';
import { haversineM } from '../core/geo/distance';
import { computeFleetCost, listCostInputs, saveCostInputs } from '../core/analytics/fleet-cost';
import { parseCostCsv, validateCostInputs } from '../core/analytics/tco';
import { MaintenanceService } from './maintenance';
import { workerTask } from './worker-task';
import { syntheticFeatureCsv } from '../core/maintenance/synthetic';
import { seedDemoCosts } from '../core/sim/demo-costs';
import { weekStart } from '../core/maintenance/features';
import { PrivacyPolicy, SUPERVISOR_PASSWORD_KEY, validatePrivacyRule } from '../core/privacy/privacy';
import { dataInventory } from '../core/privacy/inventory';
import { DEFAULT_ONLINE, describeSources, MbtilesSource, OnlineTileCache, validateOnlineSettings } from '../core/maps/tiles';
import { fetchTile } from '../core/maps/tile-fetch';
import { DEFAULT_RETENTION, runRetention, type RetentionSettings } from '../core/retention/retention';
import { ClockWatch } from '../core/retention/clock';
import { QUALITY_FLAG_TEXT, type QualityFlag } from '../core/telemetry/quality';
import { VEHICLE_ID_PATTERN, vehicleIdFromTopic } from '../core/telemetry/validate';
import { checkDeviceKey, hashSecret, INTERNAL_USERNAME, newSecret, verifySecret, VerifiedSecrets, type BrokerSecurity } from '../core/security/broker-policy';
import { LoginGuard } from '../core/security/login-guard';
import { damageMessage, openStore, type IntegrityResult } from '../core/storage/integrity';
import { groupRejects } from '../core/ingest/reject-reasons';

export interface FleetServiceOptions {
  dbFile: string;
  workerPath: string;
  /** External broker; when omitted an embedded broker is started. */
  broker?: BrokerSettings;
  embeddedBroker?: {
    port: number;
    host?: string;
    /** Force anonymous access on for this run (demo mode, --allow-anonymous); otherwise the saved setting. */
    allowAnonymous?: boolean;
    tls?: { port: number; certFile: string; keyFile: string };
  };
  /** OsmAnd / Traccar Client HTTP endpoint; omitted = off. */
  osmand?: { port: number; host?: string };
  /** Run the built-in demo fleet against the broker. */
  demo?: { vehicles: number; rateHz: number; seed?: number };
  /** How often live positions are pushed to UIs. */
  positionPushMs?: number; // ms; default 250
  /** Retention of raw points; defaults in core/retention. */
  retention?: Partial<RetentionSettings>;
  /** Instrumentation (benchmarks): every commit's new points and the commit time. */
  observeCommits?: (points: IncomingPoint[], committedMs: number) => void;
  log?: (line: string) => void;
  /** Desktop app: ask where to save an export (the native dialog); null = cancelled. Serve mode omits it. */
  chooseExportPath?: (suggestedName: string) => Promise<string | null>;
  /** serve mode: where finished exports wait for their download; default: beside the database. */
  exportDir?: string;
  /** MBTiles files to show (besides those added in the UI), e.g. from `serve --mbtiles`. */
  mbtilesFiles?: string[];
  /** Desktop app: ask for an MBTiles file (the native dialog); null = cancelled. */
  chooseMbtilesFile?: () => Promise<string | null>;
  /** Fetches an online tile (tests replace it); default: fetch() with FleetDesk's user agent. */
  fetchTile?: (url: string) => Promise<{ ok: boolean; status: number; data: Buffer; contentType: string }>;
}

const CATEGORIES = FENCE_CATEGORIES;
const ENGINE_CONFIG_KEY = 'engine.config';
const ALERT_SETTINGS_KEY = 'alerts.settings';
const PENALTIES_KEY = PENALTIES_SETTING_KEY;
const DEFAULT_COLORS = FENCE_DEFAULT_COLORS;
const MBTILES_KEY = 'maps.mbtiles';
const SUPERVISOR_KEY = SUPERVISOR_PASSWORD_KEY;
const UNLOCK_MINUTES = 15;
const ONLINE_TILES_KEY = 'maps.online';
/** Fences with more vertices than this are validated in a worker thread. */
const OFF_THREAD_VERTICES = 2_000;

export class FleetService {
  private readonly emitter = new EventEmitter();
  private readonly live = new LiveState();
  private store!: Store;
  private ingestor!: Ingestor;
  private checkpointer: Checkpointer | null = null;
  private engine!: EngineHost;
  private subscriber: MqttSubscriber | null = null;
  private embedded: EmbeddedBroker | null = null;
  private sim: SimPublisher | null = null;
  private osmand: OsmAndServer | null = null;
  /** Whether this computer's clock agrees with the fleet's GPS time (retention deletes by age). */
  private readonly clock = new ClockWatch();
  /** Failed logins and device keys (broker and OsmAnd), throttled and counted in one place. */
  private readonly loginGuard = new LoginGuard();
  private readonly verified = new VerifiedSecrets();
  private osmandError: string | null = null;
  private fences = new Map<string, Geofence>();
  private engineConfig: EngineConfig = DEFAULT_ENGINE_CONFIG;
  private alertSettings: AlertSettings = DEFAULT_ALERT_SETTINGS;
  private suppressions: Suppression[] = [];
  /** Vehicles with an "offline" alert raised and not yet back. */
  private offlineVehicles = new Set<string>();
  private startedMs = Date.now();
  private dirtyVehicles = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private engineChain: Promise<void> = Promise.resolve();
  /** Counter samples, one per second, for the rates in Ingest health. */
  private samples: { atMs: number; accepted: number; flagged: number; rejected: number }[] = [];
  private retentionRun: { running: boolean; lastRunMs: number | null; lastDeletedPoints: number | null } = { running: false, lastRunMs: null, lastDeletedPoints: null };
  private brokerState: { state: BrokerConnectionState; url: string; lastError: string | null } = {
    state: 'connecting',
    url: '',
    lastError: null,
  };
  private readonly log: (line: string) => void;
  /** FleetDesk's own clients log in to the embedded broker with this; it lives only as long as the process. */
  private readonly internalSecret = newSecret();
  readonly handlers: ApiHandlers;
  readonly exports: ExportJobs;
  private get exportDir(): string {
    return this.options.exportDir ?? `${this.options.dbFile}.exports`;
  }
  readonly maintenance: MaintenanceService;
  private readonly stoppedSince = new Map<string, number>();
  private etaModel: { model: EtaModel; learnedMs: number } | null = null;
  private etaLearning: Promise<void> | null = null;
  private privacy: PrivacyPolicy = new PrivacyPolicy([]);
  private readonly unlocks = new Map<string, { untilMs: number; reason: string; by: string; audited: Set<string> }>();
  private unlockFailures: number[] = [];
  private mbtiles: MbtilesSource[] = [];
  private tileCache: OnlineTileCache | null = null;
  private onlineTiles: OnlineTileSettings = DEFAULT_ONLINE;

  constructor(private readonly options: FleetServiceOptions) {
    this.emitter.setMaxListeners(100);
    this.log = options.log ?? (() => {});
    this.handlers = this.createHandlers();
    this.maintenance = new MaintenanceService(() => this.store, options.dbFile, options.workerPath, (t) => this.emit('maintenanceProgress', t), (l) => this.log(l));
    this.exports = new ExportJobs(() => this.store, options.dbFile, options.workerPath, this.exportDir, (p) => this.emit('exportProgress', p), options.chooseExportPath);
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  private emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    // privacy mode applies to everything pushed to screens
    let out: unknown = payload;
    if (event === 'positions') out = (payload as VehicleState[]).map((v) => this.shownVehicle(v));
    else if (event === 'alertRaised' || event === 'alertUpdated') out = this.shownAlert(payload as Alert);
    this.emitter.emit(event, out);
  }

  /** A vehicle as screens may see it: position and driver withheld while privacy mode covers it. */
  private shownVehicle(v: VehicleState): VehicleState {
    if (!this.privacy || this.privacy.empty || !this.privacy.isPrivate(v.vehicleId, v.last.driverId, Date.now())) return v;
    return { ...v, hidden: true, last: { ...v.last, lat: 0, lon: 0, headingDeg: null, driverId: null, attributes: undefined } };
  }

  /** An alert as screens may see it: no location (and no fence name) while privacy mode covered it. */
  private shownAlert(a: Alert): Alert {
    if (!this.privacy || this.privacy.empty || !this.privacy.mayAffect(a.vehicleId)) return a;
    const driver = this.store.pointAt(a.vehicleId, a.tsMs)?.point.driverId ?? null;
    if (!this.privacy.isPrivate(a.vehicleId, driver, a.tsMs)) return a;
    return { ...a, lat: null, lon: null, fenceId: null, fenceName: null, message: `${ALERT_TYPE_TEXT[a.type]} — ${a.vehicleId} (location hidden: privacy mode)` };
  }

  /**
   * Throws unless `password` is the supervisor's. Wrong ones are audited and, five in five minutes,
   * refused for a while whatever is typed.
   */
  private checkSupervisor(password: unknown, what: string, by = 'supervisor', detail: Record<string, unknown> = {}): void {
    const now = Date.now();
    const stored = this.store.getSetting(SUPERVISOR_KEY);
    if (!stored) throw new ApiError('bad_request', `No supervisor password is set: set one in Settings → Privacy first (only a supervisor may ${what}).`);
    this.unlockFailures = this.unlockFailures.filter((t) => t > now - 5 * 60_000);
    if (this.unlockFailures.length >= 5) throw new ApiError('bad_request', 'Too many wrong passwords: wait 5 minutes.');
    if (typeof password !== 'string' || !password) throw new ApiError('bad_request', `The supervisor password is needed to ${what}.`);
    if (!verifySecret(password, stored)) {
      this.unlockFailures.push(now);
      this.store.audit({ tsMs: now, actor: by, action: what === 'unlock private positions' ? 'privacy_unlock_refused' : 'supervisor_refused', detail: JSON.stringify({ what, ...detail }) });
      throw new ApiError('bad_request', 'Wrong supervisor password.');
    }
  }

  /** A driver rule covers the vehicles its driver is on shift in: a shift change may hide or show vehicles. */
  private shiftsChanged(): void {
    const hadDriverRules = this.privacy.rules.some((r) => r.kind === 'driver');
    this.reloadPrivacy();
    if (hadDriverRules) this.republishAll();
  }

  /** A dead letter as screens may see it: its raw payload withheld when it is a private position. */
  private shownDeadLetter(d: DeadLetter): DeadLetter {
    if (this.privacy.empty) return d;
    const fromTopic = d.topic ? vehicleIdFromTopic(d.topic) : null;
    let body: { vehicle_id?: unknown; driver_id?: unknown; device_id?: unknown } | null = null;
    try {
      body = JSON.parse(d.payloadText);
    } catch {
      // not JSON (an OsmAnd query, a broken payload): ids come from the text
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
    const query = /[?&\n](?:id|deviceid)=([^&\s]+)/i.exec(d.payloadText)?.[1] ?? null;
    const vehicleId = fromTopic ?? text(body?.vehicle_id) ?? text(body?.device_id) ?? query;
    const driverId = text(body?.driver_id) ?? /[?&](?:driverUniqueId)=([^&\s]+)/i.exec(d.payloadText)?.[1] ?? null;
    // by the vehicle (or the driver on shift in it), or by a driver named in the payload, whatever the vehicle
    const hidden = this.privacy.isPrivate(vehicleId ?? '', driverId, d.receivedMs);
    return hidden ? { ...d, payloadText: '(hidden: privacy mode covers this vehicle or driver)' } : d;
  }

  private reloadPrivacy(): void {
    this.privacy = new PrivacyPolicy(this.store.listPrivacyRules(), this.store.listAssignments());
  }

  /** The policy to apply for a request: none when a valid supervisor unlock comes with it (audited). */
  private privacyFor(unlockToken: unknown, by: unknown, what: Record<string, unknown>, auditOnceAs?: string): { policy: PrivacyPolicy | null; unlocked: boolean } {
    if (typeof unlockToken === 'string' && unlockToken) {
      const u = this.unlocks.get(unlockToken);
      if (!u || u.untilMs < Date.now()) throw new ApiError('bad_request', 'The privacy unlock has expired: unlock again with the supervisor password.');
      // a replay asks for the cursor's point several times a second: one audit line per unlock and vehicle
      const first = auditOnceAs === undefined || !u.audited.has(auditOnceAs);
      if (auditOnceAs !== undefined) u.audited.add(auditOnceAs);
      if (!this.privacy.empty && first) this.store.audit({ tsMs: Date.now(), actor: typeof by === 'string' && by ? by.slice(0, 80) : u.by, action: 'privacy_access', detail: JSON.stringify({ ...what, reason: u.reason }) });
      return { policy: null, unlocked: true };
    }
    return { policy: this.privacy.empty ? null : this.privacy, unlocked: false };
  }

  /** Problems with the database a person must act on (damage found at start, a full disk, a clock jump). */
  private readonly storageProblems = new Map<'integrity' | 'clock', string>(); // a full disk: from the ingestor

  /** SQLite's quick_check on a read-only connection in a thread of its own; damage goes to the status bar. */
  private checkIntegrityInBackground(): void {
    this.integrityCheck = workerTask<IntegrityResult>(this.options.workerPath, 'integrity-check', { dbFile: this.options.dbFile }).then(
      (r) => {
        if (r.ok) return;
        const message = damageMessage(this.options.dbFile, r.problems);
        this.storageProblems.set('integrity', message);
        this.log(message);
        this.emit('status', this.status());
      },
      (err: Error) => this.log(`database check could not run: ${err.message}`),
    );
  }

  private savingProblem(failure: string): string {
    const full = /full|ENOSPC/i.test(failure);
    return (
      `${full ? 'Disk full: ' : ''}FleetDesk cannot save telemetry (${failure}). ${this.ingestor.queued.toLocaleString('en')} messages wait in memory and ` +
      `vehicles are held back (nothing is lost). ${full ? 'Free space on the disk of' : 'Check the disk and the file'} ${this.options.dbFile}; saving resumes by itself.`
    );
  }

  /** Settles when the check at start has run (tests; stop waits for it). */
  integrityCheck: Promise<void> = Promise.resolve();

  get brokerUrl(): string {
    return this.embedded?.url ?? this.options.broker?.url ?? '';
  }

  async start(): Promise<void> {
    this.store = openStore(this.options.dbFile);
    this.checkIntegrityInBackground();
    // checkpoints in a thread of their own; the automatic one stays as a fallback at a higher threshold
    this.checkpointer = new Checkpointer(this.options.workerPath, this.options.dbFile, (m) => this.log(m));
    this.checkpointer.start();
    this.store.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    if (this.options.demo && this.store.listGeofences().length === 0) {
      const fleet = new DemoFleet({ vehicles: 1, seed: this.options.demo.seed, startMs: 0 });
      for (const f of fleet.demoGeofences()) this.saveGeofence(f);
      if (this.store.getSetting(ENGINE_CONFIG_KEY) === null) this.store.setSetting(ENGINE_CONFIG_KEY, JSON.stringify(demoEngineConfig()));
    }
    this.fences = new Map(this.store.listGeofences().map((f) => [f.id, f]));
    this.startMaps();
    this.reloadPrivacy();
    if (this.options.demo && !this.maintenance.hasHistory()) {
      // the demo fleet comes with two years of (generated) maintenance history, up to last week, so the panel has something to learn from
      const ids = new DemoFleet({ vehicles: this.options.demo.vehicles, seed: this.options.demo.seed, startMs: 0 }).vehicles.map((v) => v.id);
      seedDemoCosts(this.store, ids, Date.now());
      this.maintenance.importCsv('history', syntheticFeatureCsv({ vehicleIds: ids, weeks: 104, endMs: weekStart(Date.now()) - 7 * 86_400_000, seed: 7 }));
    }
    // the live map starts from the newest stored fixes; a damaged page there must not stop the service
    // (the check at start says what is wrong), it starts with an empty map that fills as vehicles report
    let latest: ReturnType<Store['latestPoints']> = [];
    try {
      latest = this.store.latestPoints();
    } catch (err) {
      if (!String((err as { code?: string }).code ?? '').startsWith('SQLITE_CORRUPT')) throw err;
      this.log(`the newest positions could not be read (${(err as Error).message}); the live map fills as vehicles report`);
    }
    for (const { point, receivedMs } of latest) this.live.apply(point, receivedMs);

    this.engineConfig = this.loadSetting(ENGINE_CONFIG_KEY, DEFAULT_ENGINE_CONFIG, validateEngineConfig);
    this.alertSettings = this.loadSetting(ALERT_SETTINGS_KEY, DEFAULT_ALERT_SETTINGS, validateAlertSettings);
    this.alertSettings = { ...this.alertSettings, severity: { ...DEFAULT_ALERT_SETTINGS.severity, ...this.alertSettings.severity } };
    this.suppressions = this.store.activeSuppressions(Date.now());
    this.startedMs = Date.now();
    this.engine = new EngineHost({ workerPath: this.options.workerPath, onError: (m) => this.log(m) });
    await this.engine.start([...this.fences.values()], this.store.fenceMembership(), this.engineConfig);

    this.ingestor = new Ingestor({
      store: this.store,
      latest: latest.map((l) => l.point),
      // Embedded: commit as soon as the input drains, for the lowest publish→PUBACK latency (the broker
      // reads on meanwhile, so messages arriving together still share a commit); an external broker's
      // deliveries are gathered for up to the default interval.
      minCommitIntervalMs: this.options.broker ? undefined : 0,
      onCommitted: (points, receivedMs) => this.onCommitted(points, receivedMs),
      // failing to save (disk full) and saving again are said on the status bar as soon as they happen
      onError: (m) => {
        this.log(m);
        this.emit('status', this.status());
      },
    });

    let settings = this.options.broker;
    if (!settings) {
      // Embedded: the broker hands telemetry straight to the ingestor, and FleetDesk sends the PUBACK after
      // the commit, so there is no subscriber hop and no broker-side copy that a crash could lose.
      const eb = this.options.embeddedBroker;
      this.embedded = await startEmbeddedBroker({
        port: eb?.port ?? 1883,
        host: eb?.host,
        tls: eb?.tls,
        security: () => this.brokerSecurity(),
        ingest: (topic, payload, done) => this.ingestor.acceptMqtt(topic, payload, done),
        ingestBackpressure: () => (this.ingestor.full ? this.ingestor.whenDrained() : null),
        log: (l) => this.log(l),
        loginGuard: this.loginGuard,
        verified: this.verified,
      });
      this.log(`embedded MQTT broker listening on ${this.embedded.url}${this.embedded.tlsUrl ? ` and ${this.embedded.tlsUrl}` : ''}`);
      settings = { url: this.embedded.url, username: INTERNAL_USERNAME, password: this.internalSecret };
      this.brokerState = { state: 'connected', url: redactUrl(settings.url), lastError: null };
    } else {
      this.brokerState = { state: 'connecting', url: redactUrl(settings.url), lastError: null };
      this.subscriber = new MqttSubscriber(
        { ...settings, clientId: settings.clientId ?? clientIdFor(`${settings.url}|${this.options.dbFile}`) },
        {
          onState: (state, error) => {
            this.brokerState = { ...this.brokerState, state, lastError: error ?? (state === 'connected' ? null : this.brokerState.lastError) };
            if (error) this.log(`broker: ${error}`);
            this.emit('status', this.status());
          },
          onMessage: (topic, payload, ack) => this.ingestor.acceptMqtt(topic, payload, ack),
          backpressure: () => (this.ingestor.full ? this.ingestor.whenDrained() : null),
        },
      );
      this.subscriber.start();
    }

    if (this.options.osmand) {
      try {
        this.osmand = await startOsmAndServer(this.ingestor, {
          port: this.options.osmand.port,
          host: this.options.osmand.host,
          log: this.log,
          authorize: (vehicleId, key, address) => checkDeviceKey(this.brokerSecurity(), vehicleId, key, address, this.verified, this.loginGuard, Date.now()),
          refused: (vehicleId, reason, address) => this.loginGuard.record({ atMs: Date.now(), reason, username: vehicleId, address, detail: 'OsmAnd' }),
        });
        this.log(`OsmAnd endpoint listening on ${this.osmand.url}`);
      } catch (err) {
        // Not fatal: MQTT keeps working; the status bar says why this endpoint is missing.
        this.osmandError = (err as Error).message;
        this.log(this.osmandError);
      }
    }

    if (this.options.demo) {
      this.sim = new SimPublisher({ brokerUrl: settings.url, username: settings.username, password: settings.password, ...this.options.demo });
      this.sim.run().catch((err) => this.log(`demo fleet stopped: ${(err as Error).message}`));
    }

    this.timers.push(setInterval(() => this.pushPositions(), this.options.positionPushMs ?? 250));
    // a model to rank vehicles with from the start, when there is history and none was trained yet
    if (!this.maintenance.hasModel() && this.maintenance.hasHistory()) this.maintenance.retrain();
    this.timers.push(
      setInterval(() => {
        const c = this.ingestor.counters;
        this.samples.push({ atMs: Date.now(), accepted: c.accepted, flagged: c.flagged, rejected: c.rejected });
        if (this.samples.length > 61) this.samples.shift();
        this.emit('status', this.status());
      }, 1000),
    );
    // Offline vehicles and escalation of unacknowledged critical alerts, on the wall clock.
    this.timers.push(setInterval(() => this.checkOffline(), 15_000));
    this.timers.push(setInterval(() => this.escalate(), 5_000));
    // History summary (one point per vehicle-minute) kept up to date in small steps.
    this.timers.push(setInterval(() => void this.summarizeTrackStep(), 10_000));
    // Retention: first pass a minute after start, then every 6 hours; never two at once.
    this.timers.push(setTimeout(() => void this.runRetentionNow(), 60_000));
    this.timers.push(setInterval(() => void this.runRetentionNow(), 6 * 3_600_000));
  }

  private onCommitted(incoming: IncomingPoint[], receivedMs: number): void {
    this.options.observeCommits?.(incoming, receivedMs);
    // a sample of the vehicles' GPS times against our clock, for the clock check before retention
    for (let i = 0; i < incoming.length; i += 64) this.clock.observe(incoming[i]!.point.tsMs, receivedMs);
    // Untrusted fixes are stored and counted but neither move the vehicle nor reach the engine.
    const points: TelemetryPoint[] = [];
    for (const p of incoming) {
      if (p.flags.length === 0) points.push(p.point);
      else this.live.touch(p.point.vehicleId, receivedMs);
    }
    for (const p of points) if (this.live.apply(p, receivedMs)) this.dirtyVehicles.add(p.vehicleId);
    // since when each vehicle has stood still (for ETA's "stalled")
    for (const p of points) {
      if (p.speedKmh !== null && p.speedKmh >= STOPPED_KMH) this.stoppedSince.delete(p.vehicleId);
      else if (!this.stoppedSince.has(p.vehicleId) || this.stoppedSince.get(p.vehicleId)! > p.tsMs) this.stoppedSince.set(p.vehicleId, p.tsMs);
    }
    for (const p of points) if (this.offlineVehicles.has(p.vehicleId)) this.backOnline(p.vehicleId);
    // Evaluate in fix-time order (stable, so equal times keep arrival order); the engine skips stale fixes.
    // (a TelemetryPoint is what the rules read, no copy needed; `points` is this call's own array)
    const ordered: readonly RuleInput[] = points.sort((a, b) => a.tsMs - b.tsMs);
    // Sent at once (the host keeps calls in order and merges those that wait); recorded in order.
    const result = this.engine.process(ordered);
    result.catch(() => undefined); // handled below, in turn; this only stops an early failure counting as unhandled
    this.engineChain = this.engineChain
      .then(() => result)
      .then((output) => this.recordEngineOutput(output))
      .catch((err) => this.log(`engine check failed: ${(err as Error).message}`));
  }

  private recordEngineOutput(output: EngineOutput): void {
    if (output.geofence.length + output.driving.length + output.health.length === 0) return;
    const raisedMs = Date.now();
    const alerts = alertsFromEngineOutput(output, { fences: this.fences, settings: this.alertSettings, suppressions: this.suppressions, raisedMs });
    const { raised, repeated } = this.store.recordEngineOutput({
      alerts,
      fenceEvents: output.geofence,
      drivingEvents: output.driving.map((d) => ({ type: d.type, vehicleId: d.vehicleId, driverId: d.driverId, tsMs: d.tsMs, startMs: d.startMs, severity: d.severity, value: d.value, threshold: d.threshold, lat: d.lat, lon: d.lon })),
    });
    for (const a of raised) this.emit('alertRaised', a);
    for (const a of repeated) this.emit('alertUpdated', a);
  }

  private startMaps(): void {
    this.onlineTiles = this.loadSetting(ONLINE_TILES_KEY, DEFAULT_ONLINE, (x) => {
      try {
        validateOnlineSettings(x);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    const files = [...new Set([...(this.options.mbtilesFiles ?? []).map((f) => path.resolve(f)), ...this.loadSetting<string[]>(MBTILES_KEY, [], (x) => (Array.isArray(x) ? null : 'not a list'))])];
    for (const f of files) {
      try {
        this.mbtiles.push(new MbtilesSource(f));
      } catch (err) {
        // a file moved or unplugged: say so and go on with the rest
        this.log(`map tiles: ${(err as Error).message}`);
      }
    }
    this.tileCache = new OnlineTileCache(`${this.options.dbFile}.tilecache.mbtiles`, this.options.fetchTile ?? ((url) => fetchTile(url, { allowPrivateAddresses: this.onlineTiles.allowPrivateAddresses })));
  }

  private saveMbtilesList(): void {
    this.store.setSetting(MBTILES_KEY, JSON.stringify(this.mbtiles.map((m) => m.info.file)));
  }

  /** A tile for the map, from an MBTiles file or the online cache (fetching only when online tiles are on). */
  async tile(sourceId: string, z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string } | null> {
    if (![z, x, y].every((n) => Number.isInteger(n) && n >= 0) || z > 24 || x >= 2 ** z || y >= 2 ** z) return null;
    if (sourceId === 'online') {
      try {
        return (await this.tileCache?.tile(this.onlineTiles, z, x, y)) ?? null;
      } catch (err) {
        this.log(`online tile ${z}/${x}/${y}: ${(err as Error).message}`);
        return null;
      }
    }
    return this.mbtiles.find((m) => m.info.id === sourceId)?.tile(z, x, y) ?? null;
  }

  private privacyStatus() {
    return { rules: this.store.listPrivacyRules(), supervisorPasswordSet: this.store.getSetting(SUPERVISOR_KEY) !== null, unlockMinutes: UNLOCK_MINUTES };
  }

  /** After a privacy change, every screen gets every vehicle again (hidden or shown as now applies). */
  private republishAll(): void {
    for (const v of this.live.all(Date.now())) this.dirtyVehicles.add(v.vehicleId);
  }

  /**
   * The ETA model, learned from the last 28 days of trips at most once an hour. Learning reads every
   * vehicle's month (seconds on a big database), so it runs in a worker thread; meanwhile answers use
   * the model of the hour before, and only the very first ETA waits for one.
   */
  private async eta(nowMs: number): Promise<EtaModel> {
    if (!this.etaModel || nowMs - this.etaModel.learnedMs > 3_600_000) {
      this.etaLearning ??= this.learnEtaInWorker(nowMs)
        .then(
          (model) => {
            this.etaModel = { model, learnedMs: nowMs };
          },
          (err: Error) => {
            this.log(`could not learn ETA speeds from history: ${err.message}`);
            // answer from current speeds for now, and try again in a minute
            this.etaModel ??= { model: learnEtaModel([], this.timeZone()), learnedMs: nowMs - 3_600_000 + 60_000 };
          },
        )
        .finally(() => (this.etaLearning = null));
      if (!this.etaModel) await this.etaLearning;
    }
    return this.etaModel!.model;
  }

  private timeZone(): string {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }

  private async learnEtaInWorker(nowMs: number): Promise<EtaModel> {
    const input: EtaLearnInput = { dbFile: this.options.dbFile, fromMs: nowMs - 28 * 86_400_000, toMs: nowMs, timeZone: this.timeZone() };
    const m = await workerTask<EtaLearnMessage>(this.options.workerPath, 'eta-model', input);
    if (m.type === 'model') return m.value;
    throw new Error(m.message);
  }

  /** The summary pass under way, if any (stop waits for it: its next slice would find the database closed). */
  private summarizing: Promise<void> | null = null;
  private stopping = false;
  /** Catches the per-minute summary up and packs finished hours, in small slices between which ingest runs. */
  private summarizeTrackStep(): Promise<void> {
    if (this.summarizing) return this.summarizing;
    const pass = async () => {
      try {
        // slices of a few milliseconds each, with the event loop turning in between: ingest never waits long
        while (!this.stopping && this.store.summarizeTrack(5_000) > 0) await new Promise((r) => setImmediate(r));
        const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
        while (!this.stopping && this.store.packDirtyHours(hourStart, 100) > 0) await new Promise((r) => setImmediate(r));
      } catch (err) {
        this.log(`history summary failed: ${(err as Error).message}`);
      }
    };
    // (cleared in a later microtask, so a pass that finishes at once is not left standing)
    this.summarizing = pass().finally(() => (this.summarizing = null));
    return this.summarizing;
  }

  /** Raises "offline" for vehicles silent longer than the setting (counted from start at the earliest). */
  checkOffline(nowMs = Date.now()): void {
    const limitMs = this.alertSettings.offlineAfterMin * 60_000;
    const severity = this.alertSettings.severity.offline;
    if (severity === 'off') return;
    const ctx = { fences: this.fences, settings: this.alertSettings, suppressions: this.suppressions, raisedMs: nowMs };
    const alerts = [];
    for (const v of this.live.all(nowMs)) {
      if (this.offlineVehicles.has(v.vehicleId) || nowMs - Math.max(v.lastSeenMs, this.startedMs) < limitMs) continue;
      this.offlineVehicles.add(v.vehicleId);
      const min = Math.round((nowMs - v.lastSeenMs) / 60_000);
      alerts.push(newAlert(ctx, 'offline', severity, { vehicleId: v.vehicleId, tsMs: v.last.tsMs, lat: v.last.lat, lon: v.last.lon, message: `${v.vehicleId}: no report for ${min} min` }));
    }
    if (alerts.length === 0) return;
    const { raised, repeated } = this.store.recordEngineOutput({ alerts });
    for (const a of raised) this.emit('alertRaised', a);
    for (const a of repeated) this.emit('alertUpdated', a);
  }

  private backOnline(vehicleId: string): void {
    this.offlineVehicles.delete(vehicleId);
    for (const id of this.store.openAlertIds(vehicleId, 'offline')) {
      const a = this.store.resolveAlert(id, 'FleetDesk (reported again)', Date.now());
      if (a) this.emit('alertUpdated', a);
    }
  }

  /** Marks unacknowledged critical alerts older than the setting as escalated and pushes them. */
  escalate(nowMs = Date.now()): void {
    const due = this.store.escalateDue(nowMs - this.alertSettings.escalateAfterMin * 60_000, nowMs);
    for (const a of due) this.emit('alertUpdated', a);
    if (due.length) this.emit('status', this.status());
  }

  private penalties(): Record<keyof typeof DEFAULT_PENALTIES, number> {
    return { ...DEFAULT_PENALTIES, ...this.loadSetting<Penalties>(PENALTIES_KEY, {}, (x) => (x && typeof x === 'object' ? null : 'not an object')) };
  }

  private loadSetting<T>(key: string, dflt: T, validate: (x: unknown) => string | null): T {
    const text = this.store.getSetting(key);
    if (text === null) return dflt;
    try {
      const value = JSON.parse(text) as T;
      const err = validate(value);
      if (!err) return value;
      this.log(`saved ${key} is invalid (${err}); using defaults`);
    } catch {
      this.log(`saved ${key} is not JSON; using defaults`);
    }
    return dflt;
  }

  private lastPushedCounters = '';

  private pushPositions(): void {
    // Counters changed since the last status push: push now rather than wait for the 1 s tick.
    const c = this.ingestor.counters;
    const key = `${c.accepted}|${c.rejected}|${c.duplicates}|${c.flagged}`;
    if (key !== this.lastPushedCounters) {
      this.lastPushedCounters = key;
      this.emit('status', this.status());
    }
    if (this.dirtyVehicles.size === 0) return;
    const now = Date.now();
    const batch: VehicleState[] = [];
    for (const id of this.dirtyVehicles) {
      const s = this.live.get(id, now);
      if (s) batch.push(s);
    }
    this.dirtyVehicles.clear();
    this.emit('positions', batch);
  }

  private retentionSettings(): RetentionSettings {
    return { ...DEFAULT_RETENTION, ...this.options.retention };
  }

  /** Runs one retention pass (also used by tests); resolves when done. */
  async runRetentionNow(nowMs = Date.now()) {
    if (this.retentionRun.running) return null;
    // deleting by age needs a clock that is right: the vehicles' GPS time (or, before any report, the
    // newest stored data) must agree with it
    const clock = this.clock.verdict(nowMs, this.store.newestSeenMs());
    if (!clock.ok) {
      if (!this.storageProblems.has('clock')) this.log(`retention paused: ${clock.reason}`);
      this.storageProblems.set('clock', clock.reason);
      this.emit('status', this.status());
      return null;
    }
    if (this.storageProblems.delete('clock')) this.emit('status', this.status());
    this.retentionRun.running = true;
    try {
      const r = await runRetention(this.store, nowMs, this.retentionSettings());
      this.retentionRun.lastRunMs = Date.now();
      this.retentionRun.lastDeletedPoints = r.deletedPoints;
      if (r.deletedPoints || r.deletedDeadLetters) this.log(`retention: thinned ${r.deletedPoints} old points, removed ${r.deletedDeadLetters} old dead letters`);
      return r;
    } catch (err) {
      this.log(`retention failed: ${(err as Error).message}`);
      return null;
    } finally {
      this.retentionRun.running = false;
    }
  }

  private ingestHealth(): IngestHealth {
    const now = Date.now();
    const c = this.ingestor.counters;
    const latest = { atMs: now, accepted: c.accepted, flagged: c.flagged, rejected: c.rejected };
    const rates = [10, 60].map((windowS) => {
      const base = [...this.samples].reverse().find((x) => now - x.atMs >= windowS * 1000) ?? this.samples[0] ?? latest;
      const dt = Math.max(1, (now - base.atMs) / 1000);
      return {
        windowS,
        accepted: Math.round(((latest.accepted - base.accepted) / dt) * 10) / 10,
        flagged: Math.round(((latest.flagged - base.flagged) / dt) * 10) / 10,
        rejected: Math.round(((latest.rejected - base.rejected) / dt) * 10) / 10,
      };
    });
    const rs = this.retentionSettings();
    return {
      nowMs: now,
      queueDepth: this.ingestor.queued,
      rates,
      totals: { accepted: c.accepted, flagged: c.flagged, duplicates: c.duplicates, rejected: c.rejected },
      rejectsByReason: groupRejects(this.store.deadLetterReasons(now - 86_400_000)),
      flaggedByReason: Object.entries(c.flaggedByReason)
        .map(([flag, count]) => ({ flag, text: QUALITY_FLAG_TEXT[flag as QualityFlag] ?? flag, count }))
        .sort((a, b) => b.count - a.count),
      retention: { ...rs, lastRunMs: this.retentionRun.lastRunMs, lastDeletedPoints: this.retentionRun.lastDeletedPoints },
    };
  }

  private brokerSecurity(): BrokerSecurity {
    const forced = this.options.embeddedBroker?.allowAnonymous === true;
    return {
      allowAnonymous: forced || this.store.getSetting('broker.allowAnonymous') === 'true',
      fleetTokenHash: this.store.getSetting('broker.fleetTokenHash'),
      vehicleSecretHash: (id) => this.store.deviceSecretHash(id),
      internalSecret: this.internalSecret,
      knownVehicle: (id) => this.store.knownVehicle(id),
    };
  }

  private securitySettings(): BrokerSecuritySettings {
    const sec = this.brokerSecurity();
    return {
      embedded: this.embedded !== null,
      listenUrls: this.embedded ? [this.embedded.url, ...(this.embedded.tlsUrl ? [this.embedded.tlsUrl] : [])] : [],
      allowAnonymous: sec.allowAnonymous,
      anonymousForcedByStartup: this.options.embeddedBroker?.allowAnonymous === true,
      fleetTokenSet: sec.fleetTokenHash !== null,
      devices: this.store.listDeviceCredentials().map((d) => {
        const refused = this.loginGuard.perUser.get(d.vehicleId);
        return {
          ...d,
          lastSeenMs: this.live.get(d.vehicleId, Date.now())?.lastSeenMs ?? null,
          refused: refused?.count ?? 0,
          lastRefusedMs: refused?.lastMs ?? null,
          lastRefusalReason: refused?.lastReason ?? null,
        };
      }),
      refusals: this.refusals(),
    };
  }

  /** Refusals of the embedded broker and the OsmAnd listener (the web UI's are the serve shell's). */
  private refusals(): BrokerSecuritySettings['refusals'] {
    const byReason: BrokerSecuritySettings['refusals']['byReason'] = [];
    const last: BrokerSecuritySettings['refusals']['last'] = [];
    // device logins and keys: the broker's and OsmAnd's (marked 'OsmAnd' in detail)
    for (const [reason, count] of Object.entries(this.loginGuard.byReason)) byReason.push({ listener: 'devices', reason, count: count ?? 0 });
    for (const r of this.loginGuard.last) {
      last.push({ atMs: r.atMs, listener: r.detail === 'OsmAnd' ? 'OsmAnd' : 'MQTT', reason: r.detail && r.detail !== 'OsmAnd' ? `${r.reason}: ${r.detail}` : r.reason, who: r.username, address: r.address });
    }
    if (this.osmand) {
      for (const [reason, count] of Object.entries(this.osmand.refusals.byReason)) byReason.push({ listener: 'OsmAnd', reason, count });
      for (const r of this.osmand.refusals.last) last.push({ atMs: r.atMs, listener: 'OsmAnd', reason: r.reason, who: '', address: r.address });
    }
    last.sort((a, b) => b.atMs - a.atMs);
    return { byReason, last: last.slice(0, 50) };
  }

  status(): SystemStatus {
    const now = Date.now();
    const bySeverity = this.store?.openAlertsBySeverity() ?? { info: 0, warning: 0, critical: 0 };
    return {
      broker: { ...this.brokerState, embedded: this.embedded !== null },
      vehiclesOnline: this.live.onlineCount(now),
      vehiclesTotal: this.live.size,
      lastMessageMs: this.ingestor?.counters.lastAcceptedMs ?? null,
      ingest: {
        accepted: this.ingestor?.counters.accepted ?? 0,
        flagged: this.ingestor?.counters.flagged ?? 0,
        duplicates: this.ingestor?.counters.duplicates ?? 0,
        rejected: this.ingestor?.counters.rejected ?? 0,
      },
      openAlerts: bySeverity.info + bySeverity.warning + bySeverity.critical,
      openAlertsBySeverity: bySeverity,
      escalatedAlerts: this.store?.countEscalated() ?? 0,
      osmand: { url: this.osmand?.url ?? null, error: this.osmandError },
      storageProblems: [...this.storageProblems.values(), ...(this.ingestor?.failure ? [this.savingProblem(this.ingestor.failure)] : [])],
      demo: this.options.demo !== undefined,
      nowMs: now,
    };
  }

  /** Validates a big fence's geometry in a thread of its own (an imported boundary of 50,000 vertices
   * takes a few hundred ms: the service thread ingests and answers meanwhile); null when it is usable. */
  private validateInWorker(geometry: unknown): Promise<string | null> {
    return workerTask<string | null>(this.options.workerPath, 'validate-fence', geometry);
  }

  /** `geometryChecked`: the geometry was already validated (in a worker, see validateInWorker). */
  private saveGeofence(input: GeofenceInput, geometryChecked = false): Geofence {
    if (input === null || typeof input !== 'object') throw new ApiError('bad_request', 'geofence is missing');
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw new ApiError('bad_request', 'A geofence needs a name.');
    if (name.length > 120) throw new ApiError('bad_request', 'A geofence name can be at most 120 characters.');
    if (!CATEGORIES.includes(input.category)) {
      throw new ApiError('bad_request', `Unknown category ${JSON.stringify(input.category)}; expected one of ${CATEGORIES.join(', ')}.`);
    }
    const geometryError = geometryChecked ? null : validateFenceGeometry(input.geometry);
    if (geometryError) throw new ApiError('bad_request', `Geofence "${name}" was not saved: ${geometryError}.`);
    const rulesError = validateFenceRules(input.rules);
    if (rulesError) throw new ApiError('bad_request', `Geofence "${name}" was not saved: ${rulesError}.`);
    const color = typeof input.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(input.color) ? input.color : DEFAULT_COLORS[input.category];
    const now = Date.now();
    const existing = input.id ? this.store.getGeofence(input.id) : null;
    const fence: Geofence = {
      id: input.id && /^[A-Za-z0-9_.:-]{1,64}$/.test(input.id) ? input.id : `fence-${now.toString(36)}-${Math.random().toString(36).slice(2, 7)}`,
      name,
      category: input.category,
      color,
      geometry: input.geometry,
      rules: input.rules ?? {},
      createdMs: existing?.createdMs ?? now,
      updatedMs: now,
    };
    this.store.upsertGeofence(fence);
    this.fences.set(fence.id, fence);
    this.engine?.upsertFence(fence);
    return fence;
  }

  private createHandlers(): ApiHandlers {
    const clampLimit = (n: unknown, dflt: number, max: number) =>
      typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, max) : dflt;
    return {
      listVehicles: async () => this.live.all(Date.now()).map((v) => this.shownVehicle(v)),
      getVehicle: async (p) => {
        const live = this.live.get(String(p?.vehicleId), Date.now());
        if (!live) return null;
        const state = this.shownVehicle(live);
        return { state, insideFenceIds: state.hidden ? [] : this.store.fenceMembership().filter((m) => m.vehicleId === state.vehicleId).map((m) => m.fenceId) };
      },
      listAlerts: async (p) => {
        const q = p ?? {};
        const list = <T extends string>(x: unknown, allowed: readonly T[]): T[] | undefined => (Array.isArray(x) ? x.filter((v): v is T => allowed.includes(v as T)) : undefined);
        const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
        return this.store.listAlerts({
          limit: clampLimit(q.limit, 200, 5000),
          includeAcknowledged: q.includeAcknowledged === true,
          includeSuppressed: q.includeSuppressed === true,
          severity: list(q.severity, ['info', 'warning', 'critical'] as const),
          types: list(q.types, ALERT_TYPES),
          vehicleId: typeof q.vehicleId === 'string' && q.vehicleId.trim() ? q.vehicleId.trim() : undefined,
          fromMs: time(q.fromMs),
          toMs: time(q.toMs),
          sort: q.sort === 'severity' ? 'severity' : 'time',
        }).map((a) => this.shownAlert(a));
      },
      resolveAlert: async (p) => {
        if (typeof p?.alertId !== 'number') throw new ApiError('bad_request', 'alertId must be a number');
        const by = typeof p.by === 'string' && p.by.trim() ? p.by.trim().slice(0, 80) : 'dispatcher';
        const alert = this.store.resolveAlert(p.alertId, by, Date.now());
        if (!alert) throw new ApiError('not_found', `Alert ${p.alertId} does not exist.`);
        this.emit('alertUpdated', alert);
        this.emit('status', this.status());
        return this.shownAlert(alert);
      },
      suppress: async (p) => {
        const kind = p?.kind === 'mute' ? 'mute' : p?.kind === 'snooze' ? 'snooze' : null;
        if (!kind) throw new ApiError('bad_request', 'kind must be snooze or mute');
        const vehicleId = typeof p.vehicleId === 'string' ? p.vehicleId.trim() : '';
        if (!VEHICLE_ID_PATTERN.test(vehicleId)) throw new ApiError('bad_request', 'Which vehicle? vehicleId is missing or not a vehicle id.');
        if (p.type !== null && !ALERT_TYPES.includes(p.type as AlertType)) throw new ApiError('bad_request', `Unknown alert type ${JSON.stringify(p.type)}.`);
        if (typeof p.durationMin !== 'number' || !(p.durationMin > 0) || p.durationMin > 30 * 24 * 60) throw new ApiError('bad_request', 'durationMin must be between 1 minute and 30 days.');
        const reason = typeof p.reason === 'string' ? p.reason.trim().slice(0, 200) : '';
        if (kind === 'mute' && !reason) throw new ApiError('bad_request', 'A mute needs a reason (the known issue), so the next shift knows why alerts are quiet.');
        const now = Date.now();
        const created = this.store.addSuppression({
          kind,
          vehicleId,
          type: p.type,
          untilMs: now + p.durationMin * 60_000,
          reason: reason || 'snoozed',
          createdBy: typeof p.by === 'string' && p.by.trim() ? p.by.trim().slice(0, 80) : 'dispatcher',
          createdMs: now,
        });
        this.suppressions = this.store.activeSuppressions(now);
        // the lines it covers are handled: they leave the open count (a snooze leaves critical ones open)
        const handled = this.store.handleBySuppression(vehicleId, p.type, kind === 'mute', `${created.createdBy} (${kind === 'mute' ? `muted: ${created.reason}` : `snoozed ${p.durationMin} min`})`.slice(0, 120), now);
        for (const a of handled) this.emit('alertUpdated', this.shownAlert(a));
        if (handled.length) this.emit('status', this.status());
        return created;
      },
      listSuppressions: async () => (this.suppressions = this.store.activeSuppressions(Date.now())),
      endSuppression: async (p) => {
        const ended = this.store.endSuppression(Number(p?.id), Date.now());
        this.suppressions = this.store.activeSuppressions(Date.now());
        return { ended };
      },
      getRuleSettings: async () => ({ engine: this.engineConfig, alerts: this.alertSettings, penalties: this.penalties() }),
      saveRuleSettings: async (p) => {
        const engineErr = validateEngineConfig(p?.engine);
        if (engineErr) throw new ApiError('bad_request', `Rules not saved: ${engineErr}.`);
        const merged = { ...p.alerts, severity: { ...DEFAULT_ALERT_SETTINGS.severity, ...p.alerts?.severity } };
        const alertErr = validateAlertSettings(merged);
        if (alertErr) throw new ApiError('bad_request', `Alert settings not saved: ${alertErr}.`);
        this.engineConfig = p.engine;
        this.alertSettings = merged;
        this.store.setSetting(ENGINE_CONFIG_KEY, JSON.stringify(p.engine));
        this.store.setSetting(ALERT_SETTINGS_KEY, JSON.stringify(merged));
        this.engine.setConfig(p.engine);
        if (p.penalties !== undefined) {
          const bad = Object.entries(p.penalties).find(([k, v]) => !(k in DEFAULT_PENALTIES) || typeof v !== 'number' || !(v >= 0) || v > 100);
          if (bad) throw new ApiError('bad_request', `Penalty for ${bad[0]} must be a number from 0 to 100.`);
          this.store.setSetting(PENALTIES_KEY, JSON.stringify({ ...DEFAULT_PENALTIES, ...p.penalties }));
        }
        return { engine: this.engineConfig, alerts: this.alertSettings, penalties: this.penalties() };
      },
      getDriverScores: async (p) => {
        const now = Date.now();
        const toMs = typeof p?.toMs === 'number' ? p.toMs : now;
        const fromMs = typeof p?.fromMs === 'number' ? p.fromMs : toMs - 86_400_000;
        if (!(toMs > fromMs)) throw new ApiError('bad_request', 'The period must end after it starts.');
        return driverScoresFrom(this.store, fromMs, toMs, this.penalties(), shiftResolver(this.store.listAssignments()));
      },
      listDrivingEvents: async (p) => {
        const now = Date.now();
        const fromMs = typeof p?.fromMs === 'number' ? p.fromMs : now - 86_400_000;
        const toMs = typeof p?.toMs === 'number' ? p.toMs : now + 86_400_000;
        const limit = clampLimit(p?.limit, 1000, 100_000);
        // events carry a place: those under privacy mode are left out of lists (scores still count them)
        const shown = (list: DrivingEvent[]) => (this.privacy.empty ? list : list.filter((e) => !this.privacy.isPrivate(e.vehicleId, e.driverId, e.tsMs)));
        if (!p?.driverId) return shown(this.store.listDrivingEvents({ fromMs, toMs, vehicleId: p?.vehicleId, limit }));
        // the driver's own events, and events without a driver from vehicles while the driver was on shift
        const assignments = this.store.listAssignments();
        const onShift = shiftResolver(assignments);
        const named = this.store.listDrivingEvents({ fromMs, toMs, vehicleId: p.vehicleId, driverId: p.driverId, limit });
        const unnamed = assignments.some((a) => a.driverId === p.driverId)
          ? this.store.listDrivingEvents({ fromMs, toMs, vehicleId: p.vehicleId, limit }).filter((e) => !e.driverId && onShift(e.vehicleId, e.tsMs) === p.driverId).map((e) => ({ ...e, driverId: p.driverId! }))
          : [];
        return shown([...named, ...unnamed].sort((a, b) => a.tsMs - b.tsMs).slice(-limit));
      },
      acknowledgeAlert: async (p) => {
        if (typeof p?.alertId !== 'number') throw new ApiError('bad_request', 'alertId must be a number');
        const by = typeof p.by === 'string' && p.by.trim() ? p.by.trim().slice(0, 80) : 'dispatcher';
        const alert = this.store.acknowledgeAlert(p.alertId, by, Date.now());
        if (!alert) throw new ApiError('not_found', `Alert ${p.alertId} does not exist.`);
        this.emit('alertUpdated', alert);
        this.emit('status', this.status());
        return this.shownAlert(alert);
      },
      getHistory: async (p) => {
        try {
          validateHistoryQuery(p);
        } catch (err) {
          if (err instanceof HistoryQueryError) throw new ApiError('bad_request', err.message);
          throw err;
        }
        // fold in what arrived since the last background pass (normally seconds of telemetry; a big
        // backlog is left to the background pass, and the raw path answers short ranges correctly anyway)
        if (this.store.trackBacklog() <= 500_000) while (this.store.summarizeTrack() > 0);
        const { policy, unlocked } = this.privacyFor(p.unlockToken, p.by, { via: 'history', vehicles: p.vehicleIds, fromMs: p.fromMs, toMs: p.toMs });
        return queryHistory(this.store, p, policy, unlocked);
      },
      getPointAt: async (p) => {
        if (typeof p?.vehicleId !== 'string' || !Number.isFinite(p?.tsMs)) throw new ApiError('bad_request', 'vehicleId and tsMs are required');
        const at = this.store.pointAt(p.vehicleId, p.tsMs);
        if (!at) return null;
        const { policy } = this.privacyFor(p.unlockToken, p.by, { via: 'replay cursor', vehicles: [p.vehicleId], tsMs: p.tsMs }, `replay|${p.vehicleId}`);
        if (policy?.isPrivate(p.vehicleId, at.point.driverId, at.point.tsMs)) return null;
        return at;
      },
      startExport: async (p) => {
        const { policy } = this.privacyFor(p?.unlockToken, p?.by, { via: 'export', report: p?.report, format: p?.format, vehicles: p?.vehicleIds ?? [], fromMs: p?.fromMs, toMs: p?.toMs });
        return this.exports.start(p, policy);
      },
      cancelExport: async (p) => ({ cancelled: this.exports.cancel(String(p?.jobId)) }),
      listAudit: async (p) => this.store.listAudit(clampLimit(p?.limit, 100, 1000)),
      getMapSources: async () => describeSources(this.mbtiles, this.onlineTiles, this.tileCache),
      addMbtiles: async (p) => {
        let file = typeof p?.path === 'string' && p.path.trim() ? p.path.trim() : null;
        if (!file && this.options.chooseMbtilesFile) file = await this.options.chooseMbtilesFile();
        if (!file) {
          if (this.options.chooseMbtilesFile) return describeSources(this.mbtiles, this.onlineTiles, this.tileCache);
          throw new ApiError('bad_request', 'Give the path of an .mbtiles file on the FleetDesk machine.');
        }
        let src: MbtilesSource;
        try {
          src = new MbtilesSource(path.resolve(file));
        } catch (err) {
          throw new ApiError('bad_request', (err as Error).message);
        }
        if (this.mbtiles.some((m) => m.info.id === src.info.id)) src.close();
        else this.mbtiles.push(src);
        this.saveMbtilesList();
        return describeSources(this.mbtiles, this.onlineTiles, this.tileCache);
      },
      removeMbtiles: async (p) => {
        const i = this.mbtiles.findIndex((m) => m.info.id === p?.id);
        if (i >= 0) {
          this.mbtiles[i]!.close();
          this.mbtiles.splice(i, 1);
          this.saveMbtilesList();
        }
        return describeSources(this.mbtiles, this.onlineTiles, this.tileCache);
      },
      setOnlineTiles: async (p) => {
        try {
          this.onlineTiles = validateOnlineSettings(p);
        } catch (err) {
          throw new ApiError('bad_request', (err as Error).message);
        }
        this.store.setSetting(ONLINE_TILES_KEY, JSON.stringify(this.onlineTiles));
        return describeSources(this.mbtiles, this.onlineTiles, this.tileCache);
      },
      getPrivacy: async () => this.privacyStatus(),
      savePrivacyRule: async (p) => {
        const input = { ...p, subjectId: typeof p?.subjectId === 'string' ? p.subjectId.trim() : p?.subjectId, note: typeof p?.note === 'string' ? p.note.trim() : '', schedule: p?.schedule ?? null };
        const err = validatePrivacyRule(input);
        if (err) throw new ApiError('bad_request', err);
        // a new rule only hides more; changing one may show what it hid: that is the supervisor's
        const existing = input.id === undefined ? undefined : this.store.listPrivacyRules().find((r) => r.id === input.id);
        if (existing) this.checkSupervisor(p.supervisorPassword, 'change a privacy rule');
        else delete input.id;
        const rule = this.store.savePrivacyRule(input, Date.now());
        this.store.audit({ tsMs: Date.now(), actor: existing ? 'supervisor' : 'dispatcher', action: existing ? 'privacy_rule_changed' : 'privacy_rule_saved', detail: JSON.stringify(existing ? { before: existing, after: rule } : rule) });
        this.reloadPrivacy();
        this.republishAll();
        return rule;
      },
      deletePrivacyRule: async (p) => {
        const rule = this.store.listPrivacyRules().find((r) => r.id === Number(p?.id));
        if (!rule) return { deleted: false };
        this.checkSupervisor(p.supervisorPassword, 'remove a privacy rule');
        const deleted = this.store.deletePrivacyRule(rule.id);
        if (deleted) {
          this.store.audit({ tsMs: Date.now(), actor: 'supervisor', action: 'privacy_rule_deleted', detail: JSON.stringify(rule) });
          this.reloadPrivacy();
          this.republishAll();
        }
        return { deleted };
      },
      setSupervisorPassword: async (p) => {
        const next = typeof p?.next === 'string' ? p.next : '';
        if (next.length < 8) throw new ApiError('bad_request', 'The supervisor password needs at least 8 characters.');
        const stored = this.store.getSetting(SUPERVISOR_KEY);
        if (stored && !(typeof p.current === 'string' && verifySecret(p.current, stored))) throw new ApiError('bad_request', 'The current supervisor password is wrong.');
        this.store.setSetting(SUPERVISOR_KEY, hashSecret(next));
        this.store.audit({ tsMs: Date.now(), actor: 'supervisor', action: stored ? 'supervisor_password_changed' : 'supervisor_password_set', detail: '{}' });
        return this.privacyStatus();
      },
      unlockPrivacy: async (p) => {
        const now = Date.now();
        const by = typeof p?.by === 'string' && p.by.trim() ? p.by.trim().slice(0, 80) : 'supervisor';
        const reason = typeof p?.reason === 'string' ? p.reason.trim().slice(0, 500) : '';
        if (reason.length < 5) throw new ApiError('bad_request', 'Give the reason for looking at private positions (it is recorded).');
        this.checkSupervisor(p?.password, 'unlock private positions', by, { reason });
        const token = newSecret();
        const untilMs = now + UNLOCK_MINUTES * 60_000;
        for (const [k, u] of this.unlocks) if (u.untilMs < now) this.unlocks.delete(k);
        this.unlocks.set(token, { untilMs, reason, by, audited: new Set() });
        this.store.audit({ tsMs: now, actor: by, action: 'privacy_unlock', detail: JSON.stringify({ reason, untilMs }) });
        return { token, untilMs };
      },
      getDataInventory: async () => dataInventory({ retention: { ...DEFAULT_RETENTION, ...this.options.retention }, exportsDir: this.exportDir }),
      getMaintenance: async () => this.maintenance.cachedOverview(),
      retrainMaintenance: async () => ({ started: this.maintenance.retrain() }),
      listMaintenanceRecords: async (p) => this.maintenance.records(typeof p?.vehicleId === 'string' && p.vehicleId ? p.vehicleId : undefined, clampLimit(p?.limit, 200, 5000)),
      addMaintenanceRecord: async (p) => {
        const r = this.maintenance.addRecord(p);
        this.maintenance.invalidate();
        return r;
      },
      deleteMaintenanceRecord: async (p) => {
        const deleted = this.maintenance.deleteRecord(Number(p?.id));
        this.maintenance.invalidate();
        return { deleted };
      },
      importMaintenanceCsv: async (p) => {
        if (p?.kind !== 'records' && p?.kind !== 'history') throw new ApiError('bad_request', 'kind must be "records" or "history"');
        const r = this.maintenance.importCsv(p.kind, p.text);
        this.maintenance.invalidate();
        return r;
      },
      getFleetCost: async (p) => {
        const toMs = typeof p?.toMs === 'number' && Number.isFinite(p.toMs) ? p.toMs : Date.now();
        const fromMs = typeof p?.fromMs === 'number' && Number.isFinite(p.fromMs) ? p.fromMs : toMs - 30 * 86_400_000;
        if (!(toMs > fromMs)) throw new ApiError('bad_request', 'The period must end after it starts.');
        if (toMs - fromMs > 3 * 366 * 86_400_000) throw new ApiError('bad_request', 'Choose a period of at most three years.');
        return computeFleetCost(this.store, fromMs, toMs);
      },
      listCostInputs: async () => listCostInputs(this.store.db),
      saveCostInputs: async (p) => {
        const blank: VehicleCostInputs = { vehicleId: '', acquisitionCost: null, acquisitionDate: null, monthlyLease: null, insurancePerYear: null, fuelPricePerL: null, consumptionLPer100Km: null, costPerKm: null, depreciationRatePct: null };
        const input: VehicleCostInputs = { ...blank, ...(p as Partial<VehicleCostInputs>) };
        input.vehicleId = typeof input.vehicleId === 'string' ? input.vehicleId.trim() : input.vehicleId;
        const err = validateCostInputs(input);
        if (err) throw new ApiError('bad_request', err);
        saveCostInputs(this.store.db, input, Date.now());
        return input;
      },
      importCostCsv: async (p) => {
        if (typeof p?.text !== 'string' || !p.text.trim()) throw new ApiError('bad_request', 'The file is empty.');
        let parsed;
        try {
          parsed = parseCostCsv(p.text);
        } catch (err) {
          throw new ApiError('bad_request', (err as Error).message);
        }
        const now = Date.now();
        this.store.db.transaction(() => {
          for (const r of parsed.rows) saveCostInputs(this.store.db, r, now);
        })();
        return { imported: parsed.rows.length, errors: parsed.errors.slice(0, 50) };
      },
      getEta: async (p) => {
        const now = Date.now();
        const live = this.live.get(String(p?.vehicleId), now);
        if (!live) throw new ApiError('not_found', `No position from ${p?.vehicleId} yet.`);
        if (this.shownVehicle(live).hidden) throw new ApiError('bad_request', `${live.vehicleId} is in privacy mode: its position is hidden.`);
        const d = p.destination as { lat?: unknown; lon?: unknown; fenceId?: unknown } | undefined;
        let destination: { lat: number; lon: number; label: string };
        let route: number[][] | undefined;
        let routeSpeeds: { tsMs: number; kmh: number }[] | undefined;
        if (d && typeof d.fenceId === 'string') {
          const f = this.fences.get(d.fenceId);
          if (!f) throw new ApiError('not_found', `Geofence ${d.fenceId} does not exist.`);
          const g = f.geometry;
          if (g.type === 'Corridor') {
            route = g.line;
            // past traversals of this corridor: its length ÷ each visit's duration (visits over 30 s)
            let lengthKm = 0;
            for (let i = 1; i < g.line.length; i++) lengthKm += haversineM(g.line[i - 1]![0]!, g.line[i - 1]![1]!, g.line[i]![0]!, g.line[i]![1]!) / 1000;
            routeSpeeds = this.store
              .fenceVisits(null, now - 28 * 86_400_000, now, f.id)
              .filter((v) => v.durationS !== null && v.durationS > 30)
              .map((v) => ({ tsMs: v.enterMs, kmh: lengthKm / (v.durationS! / 3600) }))
              .filter((x) => x.kmh > 2 && x.kmh < 150);
            const end = g.line[g.line.length - 1]!;
            destination = { lon: end[0]!, lat: end[1]!, label: `${f.name} (end of route)` };
          } else if (g.type === 'Circle') destination = { lon: g.center[0], lat: g.center[1], label: f.name };
          else {
            const c = centroid({ type: 'Feature', properties: {}, geometry: g }).geometry.coordinates;
            destination = { lon: c[0]!, lat: c[1]!, label: f.name };
          }
        } else if (d && typeof d.lat === 'number' && typeof d.lon === 'number' && Math.abs(d.lat) <= 90 && Math.abs(d.lon) <= 180) {
          destination = { lat: d.lat, lon: d.lon, label: `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}` };
        } else throw new ApiError('bad_request', 'The destination must be a point (lat, lon) or a geofence.');
        const r = estimateEta(await this.eta(now), {
          vehicleId: live.vehicleId,
          lat: live.last.lat,
          lon: live.last.lon,
          speedKmh: live.status === 'offline' ? null : live.last.speedKmh,
          stoppedSinceMs: this.stoppedSince.get(live.vehicleId) ?? null,
          nowMs: now,
          destination,
          route,
          routeSpeeds,
        });
        return { ...r, destination };
      },
      listAssignments: async () => this.store.listAssignments(),
      addAssignment: async (p) => {
        const vehicleId = typeof p?.vehicleId === 'string' ? p.vehicleId.trim() : '';
        const driverId = typeof p?.driverId === 'string' ? p.driverId.trim() : '';
        if (!vehicleId || !driverId) throw new ApiError('bad_request', 'Vehicle and driver are required.');
        if (!Number.isFinite(p.startMs) || (p.endMs !== null && !(Number.isFinite(p.endMs) && p.endMs > p.startMs))) throw new ApiError('bad_request', 'The shift must have a start, and an end after it (or none).');
        const clash = this.store.listAssignments().find((a) => a.vehicleId === vehicleId && p.startMs < (a.endMs ?? Infinity) && (p.endMs ?? Infinity) > a.startMs);
        if (clash) throw new ApiError('bad_request', `${vehicleId} already has ${clash.driverId} on shift from ${new Date(clash.startMs).toISOString()}${clash.endMs ? ` to ${new Date(clash.endMs).toISOString()}` : ''}.`);
        const added = this.store.addAssignment({ vehicleId, driverId, startMs: p.startMs, endMs: p.endMs });
        this.shiftsChanged();
        return added;
      },
      deleteAssignment: async (p) => {
        const deleted = this.store.deleteAssignment(Number(p?.id));
        if (deleted) this.shiftsChanged();
        return { deleted };
      },
      listGeofences: async () => [...this.fences.values()],
      saveGeofence: async (input) => {
        // the size first (cheap); a big shape is checked off the service thread
        const size = fenceSize(input?.geometry);
        if (size.error) throw new ApiError('bad_request', `Geofence "${String(input?.name ?? '').trim()}" was not saved: ${size.error}.`);
        let checked = false;
        if (size.vertices > OFF_THREAD_VERTICES) {
          const err = await this.validateInWorker(input.geometry);
          if (err) throw new ApiError('bad_request', `Geofence "${String(input?.name ?? '').trim()}" was not saved: ${err}.`);
          checked = true;
        }
        const fence = this.saveGeofence(input, checked);
        this.emit('geofencesChanged', [...this.fences.values()]);
        return fence;
      },
      deleteGeofence: async (p) => {
        const id = String(p?.id);
        const deleted = this.store.deleteGeofence(id);
        this.fences.delete(id);
        this.engine.removeFence(id);
        this.emit('geofencesChanged', [...this.fences.values()]);
        return { deleted };
      },
      getStatus: async () => this.status(),
      listDeadLetters: async (p) => this.store.listDeadLetters(clampLimit(p?.limit, 100, 1000)).map((d) => this.shownDeadLetter(d)),
      getIngestHealth: async () => this.ingestHealth(),
      getBrokerSecurity: async () => this.securitySettings(),
      createDeviceCredential: async (p) => {
        const id = typeof p?.vehicleId === 'string' ? p.vehicleId.trim() : '';
        if (!VEHICLE_ID_PATTERN.test(id)) throw new ApiError('bad_request', 'A vehicle id is 1–64 letters, digits or _ . : - (it is also the MQTT user name).');
        const secret = newSecret();
        this.store.setDeviceCredential(id, hashSecret(secret), Date.now());
        return { vehicleId: id, secret };
      },
      revokeDeviceCredential: async (p) => ({ revoked: this.store.deleteDeviceCredential(String(p?.vehicleId)) }),
      setAllowAnonymous: async (p) => {
        this.store.setSetting('broker.allowAnonymous', p?.allow === true ? 'true' : 'false');
        return this.securitySettings();
      },
      rotateFleetToken: async () => {
        const token = newSecret();
        this.store.setSetting('broker.fleetTokenHash', hashSecret(token));
        return { token };
      },
      clearFleetToken: async () => {
        this.store.setSetting('broker.fleetTokenHash', null);
        return this.securitySettings();
      },
      getMapOverlay: async () => {
        if (!this.options.demo) return null;
        const fleet = new DemoFleet({ vehicles: 0, seed: this.options.demo.seed, startMs: 0 });
        return {
          name: 'Demo city streets',
          attribution: 'Demo streets: synthetic',
          lines: fleet.streets().map((f) => ({ major: f.properties.arterial, coordinates: f.geometry.coordinates })),
        };
      },
    };
  }

  /** Counts for `fleetdesk stats` and tests. */
  stats() {
    return this.store.stats();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.stopping = true;
    await this.summarizing;
    await this.integrityCheck;
    this.exports.close();
    await this.maintenance.close();
    for (const m of this.mbtiles) m.close();
    this.mbtiles = [];
    this.tileCache?.close();
    this.tileCache = null;
    await this.sim?.stop();
    await this.subscriber?.stop();
    await this.osmand?.close();
    this.ingestor?.close();
    await this.engineChain;
    await this.engine?.close();
    await this.embedded?.close();
    await this.checkpointer?.close();
    this.store?.close();
  }
}


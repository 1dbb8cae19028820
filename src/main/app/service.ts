// FleetService, the composition root: opens the database, builds each domain with what it needs, combines
// their handler maps into the one method table, and runs the clocks. Read it as a table of contents; the
// logic lives in src/main/domains/<domain>. The Electron shell and `fleetdesk serve` both construct this.
import { EventEmitter } from 'node:events';
import type { ApiEvents, ApiHandlers, EventName } from '../../shared/api';
import type { Alert } from '../../shared/contract/alerts';
import type { TelemetryPoint, VehicleState } from '../../shared/contract/vehicles';
import { EngineHost } from '../core/engine/engine-host';
import type { RuleInput } from '../core/rules/driving';
import { LiveState } from '../core/live/live-state';
import { DemoFleet, demoEngineConfig } from '../core/sim/demo-fleet';
import { seedDemoCosts } from '../core/sim/demo-costs';
import { syntheticFeatureCsv } from '../core/maintenance/synthetic';
import { weekStart } from '../core/maintenance/features';
import { dataInventory } from '../core/privacy/inventory';
import { openStore } from '../core/storage/integrity';
import type { IncomingPoint, Store } from '../core/storage/store';
import { workerTask } from '../core/util/worker-task';
import { eventChecker } from '../api/dispatch';
import { combineHandlers, type Emit } from '../api/handlers';
import { AlertDesk } from '../domains/alerts/desk';
import { alertsHandlers } from '../domains/alerts/handlers';
import { costsHandlers } from '../domains/costs/handlers';
import { DeviceAccess } from '../domains/devices/access';
import { devicesHandlers } from '../domains/devices/handlers';
import { driversHandlers } from '../domains/drivers/handlers';
import { etaHandlers } from '../domains/eta/handlers';
import { EtaModels } from '../domains/eta/models';
import { exportsHandlers } from '../domains/exports/handlers';
import { ExportJobs } from '../domains/exports/jobs';
import { fencesHandlers } from '../domains/fences/handlers';
import { FenceRegistry } from '../domains/fences/registry';
import { historyHandlers } from '../domains/history/handlers';
import { TrackSummarizer } from '../domains/history/summarizer';
import { ingestHandlers } from '../domains/ingest/handlers';
import { IngestHealthMonitor } from '../domains/ingest/health';
import { IngestPipeline } from '../domains/ingest/pipeline';
import type { FleetServiceOptions } from './options';

export type { FleetServiceOptions };
import { maintenanceHandlers } from '../domains/maintenance/handlers';
import { MaintenanceService } from '../domains/maintenance/service';
import { mapsHandlers } from '../domains/maps/handlers';
import { MapSourceSet } from '../domains/maps/sources';
import { PrivacyGate } from '../domains/privacy/gate';
import { privacyHandlers } from '../domains/privacy/handlers';
import { ENGINE_CONFIG_KEY, Rules } from '../domains/rules/rules';
import { ruleSettingsStore, rulesHandlers } from '../domains/rules/handlers';
import { Settings } from '../domains/settings/settings';
import { StorageUpkeep } from '../domains/storage/upkeep';
import { Accounts } from '../domains/users/accounts';
import { NetworkShare } from '../domains/sharing/share';
import { sharingHandlers } from '../domains/sharing/handlers';
import { startHubServer } from './hub-server';
import { isStopFence, JobBoard } from '../domains/jobs/board';
import { federationHandlers } from '../domains/federation/handlers';
import { FederationLink } from '../domains/federation/link';
import { FileSecretStore, secretsFileFor } from '../core/security/secret-store';
import { jobsHandlers, messagesHandlers } from '../domains/jobs/handlers';
import { Messenger } from '../domains/jobs/messenger';
import { DispatchLink } from '../adapters/dispatch-link';
import { usersHandlers } from '../domains/users/handlers';
import { handoverHandlers } from '../domains/handover/handlers';
import { vehiclesHandlers } from '../domains/vehicles/handlers';

/** The domains' running parts, once started. */
interface Parts {
  store: Store;
  gate: PrivacyGate;
  fences: FenceRegistry;
  desk: AlertDesk;
  maps: MapSourceSet;
  eta: EtaModels;
  engine: EngineHost;
  pipeline: IngestPipeline;
  monitor: IngestHealthMonitor;
  upkeep: StorageUpkeep;
  summarizer: TrackSummarizer;
}

export class FleetService {
  private readonly emitter = new EventEmitter();
  private readonly live = new LiveState();
  private readonly log: (line: string) => void;
  private p!: Parts;
  private store!: Store;
  private timers: NodeJS.Timeout[] = [];
  private dirtyVehicles = new Set<string>();
  private engineChain: Promise<void> = Promise.resolve();
  private lastPushedCounters = '';
  /** The combined method table (after start). */
  handlers!: ApiHandlers;
  /** Who calls: sign-in and sessions (after start); the transports ask it for each connection's caller. */
  accounts!: Accounts;
  /** Dispatching: jobs, suggestions, what devices answer (after start). */
  jobs!: JobBoard;
  messenger!: Messenger;
  private link: DispatchLink | null = null;
  /** A depot's link to headquarters, or headquarters' to its depots (after start). */
  private federation!: FederationLink;
  /** The desktop app shared on the network (after start). */
  share!: NetworkShare;
  readonly exports: ExportJobs;
  readonly maintenance: MaintenanceService;

  constructor(private readonly options: FleetServiceOptions) {
    this.emitter.setMaxListeners(100);
    this.log = options.log ?? (() => {});
    const o = options;
    this.maintenance = new MaintenanceService(() => this.store, o.dbFile, o.workerPath, (t) => this.emit('maintenanceProgress', t), this.log);
    this.exports = new ExportJobs(() => this.store, o.dbFile, o.workerPath, this.exportDir, (p) => this.emit('exportProgress', p), o.chooseExportPath);
  }

  private get exportDir(): string {
    return this.options.exportDir ?? `${this.options.dbFile}.exports`;
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  private readonly checkEvent = eventChecker();

  /** Every push to screens goes through privacy mode (and, in tests, a check against the contract). */
  private readonly emit: Emit = (event, payload) => {
    this.checkEvent?.(event, payload);
    const gate = this.p?.gate;
    let out: unknown = payload;
    if (gate && event === 'positions') out = (payload as VehicleState[]).map((v) => gate.shownVehicle(v));
    else if (gate && (event === 'alertRaised' || event === 'alertUpdated')) out = gate.shownAlert(payload as Alert);
    this.emitter.emit(event, out);
  };

  private readonly statusChanged = () => {
    if (this.p) this.emit('status', this.status());
  };

  async start(): Promise<void> {
    const o = this.options;
    const log = this.log;
    const store = (this.store = openStore(o.dbFile));
    const settings = new Settings(() => store, log);
    const upkeep = new StorageUpkeep({ store, dbFile: o.dbFile, workerPath: o.workerPath, retention: o.retention, ingestor: () => this.p?.pipeline.ingestor, statusChanged: this.statusChanged, log });
    upkeep.start();
    const fences = new FenceRegistry(store, (geometry) => workerTask<string | null>(o.workerPath, 'validate-fence', geometry));
    if (o.demo) this.seedDemo(store, settings, fences);
    const gate = new PrivacyGate(store, () => this.republishAll());
    const maps = new MapSourceSet({ settings, dbFile: o.dbFile, files: o.mbtilesFiles, fetchTile: o.fetchTile, log });
    const latest = this.restoreLive(store);
    const rules = new Rules(settings);
    const desk = new AlertDesk({ store, settingsStore: settings, live: this.live, fences: fences.byId, emit: this.emit, statusChanged: this.statusChanged });
    const engine = new EngineHost({ workerPath: o.workerPath, onError: log });
    await engine.start(fences.list(), store.fences.membership(), rules.engineConfig);
    fences.engine = engine;
    const eta = new EtaModels({ dbFile: o.dbFile, workerPath: o.workerPath, log });
    let pipeline: IngestPipeline;
    const access = new DeviceAccess({ store, live: this.live, anonymousForced: o.embeddedBroker?.allowAnonymous === true, listeners: () => pipeline.listeners() });
    pipeline = new IngestPipeline(o, {
      store,
      access,
      latest,
      onCommitted: (points, ms) => this.onCommitted(points, ms),
      statusChanged: this.statusChanged,
      log,
      devices: {
        acked: (v, topic, payload) => (this.jobs?.acked(v, topic, payload), this.messenger?.acked(v, topic, payload)),
        subscribed: (v, filters) => (this.jobs?.subscribed(v, filters), this.messenger?.subscribed(v, filters)),
      },
    });
    const monitor = new IngestHealthMonitor({ store, live: this.live, pipeline, upkeep, demo: o.demo !== undefined, federation: () => this.federation?.summary() ?? null, received: () => this.federation?.received() ?? null });
    const summarizer = new TrackSummarizer(store, log);
    const accounts = (this.accounts = new Accounts(store, {
      signInRequired: o.signInRequired === true,
      sessionIdleMs: o.sessionIdleMs ?? 12 * 3_600_000,
      log,
      // a dispatcher who signed off no longer handles anything; everyone sees who is on
      signedOff: (name) => desk.releaseClaimsOf(name),
      presenceChanged: () => this.emit('presence', accounts.presence()),
    }));
    const share = o.share;
    this.share = new NetworkShare({
      settings,
      admins: () => store.users.list().filter((u) => u.role === 'admin' && !u.disabled).length,
      log,
      start: share
        ? async (port) => {
            const hub = await startHubServer(this, { rendererDir: share.rendererDir, dbFile: o.dbFile, host: share.host ?? '0.0.0.0', port, requireSignIn: true, log });
            return { urls: hub.urls, fingerprint: hub.cert!.fingerprint, close: () => hub.server.close() };
          }
        : null,
    });
    this.jobs = new JobBoard({ store, live: this.live, gate, models: eta, emit: this.emit, publish: (topic, m) => this.link!.publish(topic, m), log, answerMs: o.jobAnswerMs, fences: fences.byId, engine, classOf: (v) => rules.engineConfig.vehicleClass[v] ?? 'default', alerts: { raise: (t, a) => desk.jobAlert(t, a), clear: (v, k, ts, why) => desk.clearJobAlerts(v, k, ts, why) } });
    // after a restart, the engine watches again the stops vehicles are on
    this.jobs.syncStopFences();
    this.messenger = new Messenger({ store, live: this.live, board: this.jobs, emit: this.emit, publish: (topic, m) => this.link!.publish(topic, m), log });
    this.p = { store, gate, fences, desk, maps, eta, engine, pipeline, monitor, upkeep, summarizer };
    const ruleSettings = ruleSettingsStore({ rules, desk, engine });
    this.federation = new FederationLink(o.federation, {
      rules: ruleSettings,
      store,
      settings,
      secrets: o.secrets === undefined ? new FileSecretStore(secretsFileFor(o.dbFile), { warn: log }) : o.secrets,
      fences,
      log,
      pressure: () => pipeline.ingestor.queued > 0,
      ownBroker: () => pipeline.clientSettings(),
      geofencesChanged: () => this.emit('geofencesChanged', fences.list()),
      // headquarters: a depot's fixes move its vehicles on the map here; its own engine already judged them.
      // Seen when the fix was made, not when it arrived here: a depot catching up on an hour's backlog must
      // not make its vehicles look live.
      committed: (points, ms) => {
        for (const p of points) if (p.flags.length === 0 && this.live.apply(p.point, Math.min(ms, p.point.tsMs))) this.dirtyVehicles.add(p.point.vehicleId);
        eta.observe(points.filter((p) => p.flags.length === 0).map((p) => p.point));
      },
      alerts: (added, updated) => {
        for (const a of added) this.emit('alertRaised', a);
        for (const a of updated) this.emit('alertUpdated', a);
        this.statusChanged();
      },
      // a depot's jobs and messages, as the depot has them (read-only here)
      jobs: (ids) => {
        for (const id of ids) this.emit('jobUpdated', this.jobs.shown(store.jobs.get(id)!));
      },
      messages: (ids) => {
        for (const id of ids) this.emit('messageUpdated', store.messages.get(id)!);
      },
    });

    this.handlers = combineHandlers(
      vehiclesHandlers({ store, live: this.live, gate }),
      alertsHandlers({ store, desk, gate, emit: this.emit, statusChanged: this.statusChanged }),
      fencesHandlers({ fences, emit: this.emit, store, ownerOf: (id) => this.federation.fenceOwner(id) }),
      rulesHandlers({ settings: ruleSettings }),
      driversHandlers({ store, rules, gate }),
      historyHandlers({ store, gate }),
      exportsHandlers({ store, jobs: this.exports, gate }),
      mapsHandlers({ sources: maps, chooseMbtilesFile: o.chooseMbtilesFile, demoSeed: o.demo ? o.demo.seed : null }),
      privacyHandlers({ store, gate, inventory: () => dataInventory({ retention: upkeep.retention, exportsDir: this.exportDir }) }),
      maintenanceHandlers({ maintenance: this.maintenance }),
      costsHandlers({ store }),
      etaHandlers({ store, live: this.live, fences, gate, models: eta }),
      ingestHandlers({ store, monitor, gate }),
      devicesHandlers({ store, access }),
      usersHandlers({ store, accounts }),
      handoverHandlers({ store, live: this.live, desk, gate, emit: this.emit }),
      sharingHandlers({ share: this.share }),
      jobsHandlers({ board: this.jobs }),
      messagesHandlers({ messenger: this.messenger }),
      federationHandlers({ link: this.federation }),
    );

    await pipeline.start();
    // jobs go to vehicles, and their answers come back, on FleetDesk's own dispatch connection
    this.link = new DispatchLink(pipeline.clientSettings(), { answer: (topic, payload) => (topic.endsWith('/messages/up') ? this.messenger.uplink(topic, payload) : this.jobs.answer(topic, payload)), log }, o.dbFile);
    this.link.start();
    this.federation.start();
    await this.share.resume();
    // a model to rank vehicles with from the start, when there is history and none was trained yet
    if (!this.maintenance.hasModel() && this.maintenance.hasHistory()) this.maintenance.retrain();
    this.every(o.positionPushMs ?? 250, () => this.pushPositions());
    this.every(1000, () => (monitor.sample(), this.statusChanged()));
    // offline vehicles and escalation of unacknowledged critical alerts, on the wall clock
    // (headquarters: each depot raises its own, and a stale depot is said as stale, not as 500 vehicles offline)
    if (!this.federation.isHeadquarters) this.every(15_000, () => desk.checkOffline());
    this.every(5_000, () => desk.escalate());
    this.every(5_000, () => this.jobs.tick());
    // history summary (one point per vehicle-minute) kept up to date in small steps
    this.every(10_000, () => void summarizer.step());
    // retention: first pass a minute after start, then every 6 hours; never two at once
    this.timers.push(setTimeout(() => void upkeep.runRetentionNow(), 60_000));
    this.every(6 * 3_600_000, () => void upkeep.runRetentionNow());
    // sessions that expired unused end their connections
    this.every(60_000, () => accounts.sweep());
  }

  private every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  /** The demo comes with its fences, rules and two years of (generated) maintenance history and costs. */
  private seedDemo(store: Store, settings: Settings, fences: FenceRegistry): void {
    const demo = this.options.demo!;
    if (fences.list().length === 0) {
      for (const f of new DemoFleet({ vehicles: 1, seed: demo.seed, startMs: 0 }).demoGeofences()) fences.saveChecked(f, false);
      if (settings.get(ENGINE_CONFIG_KEY) === null) settings.save(ENGINE_CONFIG_KEY, demoEngineConfig());
    }
    if (this.maintenance.hasHistory()) return;
    // up to last week, so the Maintenance panel has something to learn from
    const ids = new DemoFleet({ vehicles: demo.vehicles, seed: demo.seed, startMs: 0 }).vehicles.map((v) => v.id);
    seedDemoCosts(store, ids, Date.now());
    this.maintenance.importCsv('history', syntheticFeatureCsv({ vehicleIds: ids, weeks: 104, endMs: weekStart(Date.now()) - 7 * 86_400_000, seed: 7 }));
  }

  /** The live map starts from the newest stored fixes; a damaged page there must not stop the service. */
  private restoreLive(store: Store): TelemetryPoint[] {
    let latest: ReturnType<Store['telemetry']['latestPoints']> = [];
    try {
      latest = store.telemetry.latestPoints();
    } catch (err) {
      if (!String((err as { code?: string }).code ?? '').startsWith('SQLITE_CORRUPT')) throw err;
      this.log(`the newest positions could not be read (${(err as Error).message}); the live map fills as vehicles report`);
    }
    for (const { point, receivedMs } of latest) this.live.apply(point, receivedMs);
    return latest.map((l) => l.point);
  }

  private onCommitted(incoming: IncomingPoint[], receivedMs: number): void {
    this.options.observeCommits?.(incoming, receivedMs);
    this.federation?.nudge();
    const { upkeep, desk, eta, engine } = this.p;
    // a sample of the vehicles' GPS times against our clock, for the clock check before retention
    for (let i = 0; i < incoming.length; i += 64) upkeep.clock.observe(incoming[i]!.point.tsMs, receivedMs);
    // Untrusted fixes are stored and counted but neither move the vehicle nor reach the engine.
    const points: TelemetryPoint[] = [];
    for (const p of incoming) {
      if (p.flags.length === 0) points.push(p.point);
      else this.live.touch(p.point.vehicleId, receivedMs);
    }
    for (const p of points) if (this.live.apply(p, receivedMs)) this.dirtyVehicles.add(p.vehicleId);
    eta.observe(points);
    for (const p of points) desk.reported(p.vehicleId, p.tsMs);
    // Evaluate in fix-time order (stable, so equal times keep arrival order); the engine skips stale fixes.
    const ordered: readonly RuleInput[] = points.sort((a, b) => a.tsMs - b.tsMs);
    const sources = new Map<string, string>();
    for (const p of incoming) sources.set(p.point.vehicleId, p.source);
    this.jobs.observe(points, sources);
    // Sent at once (the host keeps calls in order and merges those that wait); recorded in order.
    const result = engine.process(ordered);
    result.catch(() => undefined); // handled below, in turn; this only stops an early failure counting as unhandled
    this.engineChain = this.engineChain
      .then(() => result)
      .then((output) => {
        // a job stop's own circle is the jobs domain's, not a geofence with alerts and visits
        const own = output.geofence.some((e) => isStopFence(e.fenceId));
        desk.recordEngineOutput(own ? { ...output, geofence: output.geofence.filter((e) => !isStopFence(e.fenceId)) } : output);
        this.jobs.fenceEvents(output.geofence);
      })
      .catch((err) => this.log(`engine check failed: ${(err as Error).message}`));
  }

  /** After a privacy change, every screen gets every vehicle again (hidden or shown as now applies). */
  private republishAll(): void {
    for (const v of this.live.all(Date.now())) this.dirtyVehicles.add(v.vehicleId);
  }

  private pushPositions(): void {
    // Counters changed since the last status push: push now rather than wait for the 1 s tick.
    const c = this.p.pipeline.ingestor.counters;
    const key = `${c.accepted}|${c.rejected}|${c.duplicates}|${c.flagged}`;
    if (key !== this.lastPushedCounters) {
      this.lastPushedCounters = key;
      this.statusChanged();
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

  // ---- for the shells, the CLI and tests --------------------------------------------------------

  get brokerUrl(): string {
    return this.p.pipeline.brokerUrl;
  }
  get integrityCheck(): Promise<void> {
    return this.p.upkeep.integrityCheck;
  }
  status() {
    return this.p.monitor.status();
  }
  checkOffline(nowMs = Date.now()): void {
    this.p.desk.checkOffline(nowMs);
  }
  escalate(nowMs = Date.now()): void {
    this.p.desk.escalate(nowMs);
  }
  runRetentionNow(nowMs = Date.now()) {
    return this.p.upkeep.runRetentionNow(nowMs);
  }
  tile(sourceId: string, z: number, x: number, y: number) {
    return this.p.maps.tile(sourceId, z, x, y);
  }
  /** Counts for `fleetdesk stats` and tests. */
  stats() {
    return this.store.stats();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const p = this.p;
    await this.share?.stop();
    this.jobs?.close();
    this.messenger?.close();
    await this.link?.stop();
    await this.federation?.stop();
    await p?.summarizer.stop();
    await p?.upkeep.integrityCheck;
    this.exports.close();
    await this.maintenance.close();
    p?.maps.close();
    await p?.pipeline.stopSources();
    await this.engineChain;
    await p?.engine.close();
    await p?.pipeline.closeBroker();
    await p?.upkeep.stop();
    this.store?.close();
  }
}

// Headquarters' link to its depots: subscribes to `fleetdesk/+/…` with a persistent session, stores each
// batch (telemetry with the depot's own quality flags; alerts, jobs and driver messages in the depot's state) before the broker gets
// its PUBACK — so a kill -9 mid-ingest loses nothing, and a batch delivered again is stored once (a fix is
// one per vehicle and time; an alert one per depot and its id there). A message that is not a batch is
// kept as a dead letter with why.
import type { MqttClient } from 'mqtt';
import type { Alert } from '../../../shared/contract/alerts';
import type { Geofence } from '../../../shared/contract/fences';
import { ApiError } from '../../api/api-error';
import type { DepotStatus, FederationStatus } from '../../../shared/contract/federation';
import { persistentClient, redactUrl, type BrokerSettings } from '../../adapters/mqtt-subscriber';
import type { Store } from '../../core/storage/store';
import type { IncomingPoint } from '../ingest/repo';
import type { IngestCounters } from '../../core/ingest/ingestor';
import type { AlertWireRow } from './repo';
import type { RuleSettings } from '../../../shared/contract/rules';
import { decodeBatch, encodeJson, fencePushTopic, parseBatchTopic, rulesPushTopic, type DrivingWireRow, type FencePush, type RulePush, type TelemetryWireRow, type VisitWireRow } from './wire';

/** A depot is stale when nothing came for this long, or what it still has to send is older than this. */
export const DEPOT_STALE_MS = 60_000;

export interface ReceiverOptions {
  store: Store;
  /** Headquarters' own geofences and rules (what it pushes to depots). */
  fences?: () => Geofence[];
  rules?: () => RuleSettings;
  broker: BrokerSettings;
  log: (line: string) => void;
  /** Stored fixes (new ones only), for the live map. */
  committed: (points: IncomingPoint[], receivedMs: number) => void;
  /** Stored alerts: new ones, and known ones whose state changed at the depot. */
  alerts: (added: Alert[], updated: Alert[]) => void;
  /** Stored jobs and driver messages (their ids here), new or changed at the depot. */
  jobs?: (ids: number[]) => void;
  messages?: (ids: number[]) => void;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A wire row back into a point with its verdict, or null when it is not one. */
function pointOf(r: TelemetryWireRow): IncomingPoint | null {
  if (!Array.isArray(r) || r.length < 19) return null;
  const [, vehicleId, tsMs, lat, lon, speedKmh, headingDeg, fuel, rpm, odo, dtc, hdop, sats, coolant, ign, driver, quality, source, attributes] = r as unknown[];
  if (typeof vehicleId !== 'string' || !vehicleId || num(tsMs) === null || num(lat) === null || num(lon) === null || Math.abs(lat as number) > 90 || Math.abs(lon as number) > 180) return null;
  let dtcCodes: string[] = [];
  let attrs: Record<string, string | number | boolean> | undefined;
  try {
    dtcCodes = typeof dtc === 'string' ? (JSON.parse(dtc) as string[]) : [];
    attrs = typeof attributes === 'string' ? (JSON.parse(attributes) as Record<string, string | number | boolean>) : undefined;
  } catch {
    return null;
  }
  return {
    point: {
      vehicleId,
      tsMs: tsMs as number,
      lat: lat as number,
      lon: lon as number,
      speedKmh: num(speedKmh),
      headingDeg: num(headingDeg),
      fuelLevelPct: num(fuel),
      engineRpm: num(rpm),
      odometerKm: num(odo),
      dtcCodes,
      hdop: num(hdop),
      satellites: num(sats),
      coolantTempC: num(coolant),
      ignition: ign === null ? null : ign === 1,
      driverId: str(driver),
      ...(attrs ? { attributes: attrs } : {}),
    },
    flags: typeof quality === 'string' && quality ? quality.split(',') : [],
    source: str(source) ?? 'depot',
  };
}

export class Receiver {
  private client: MqttClient | null = null;
  private lastError: string | null = null;
  private rows = 0;
  /** The depots' fixes as stored here, counted like the ingest of this FleetDesk's own (status bar, Ingest tab). */
  readonly counters: IngestCounters = { accepted: 0, flagged: 0, duplicates: 0, rejected: 0, lastAcceptedMs: null, flaggedByReason: {} };

  constructor(private readonly o: ReceiverOptions) {}

  start(): void {
    const { client, password } = persistentClient(this.o.broker, `headquarters|${redactUrl(this.o.broker.url)}`);
    this.client = client;
    client.on('connect', () => {
      this.lastError = null;
      // every time (a session kept from an older FleetDesk may lack a stream added since)
      client.subscribe(['fleetdesk/+/telemetry', 'fleetdesk/+/changes', 'fleetdesk/+/driving', 'fleetdesk/+/visits'], { qos: 1 }, (err) => err && this.o.log(`federation: subscribe failed: ${err.message}`));
    });
    client.on('error', (err) => (this.lastError = err.message.replace(password ?? '\u0000', '***')));
    // stored first, acknowledged after: the PUBACK goes once the batch is committed
    client.handleMessage = (packet, callback) => {
      if (packet.cmd === 'publish') {
        try {
          this.apply(packet.topic, packet.payload as Buffer);
        } catch (err) {
          // the database refused (disk full, …): no PUBACK, so the broker delivers it again
          this.o.log(`federation: a batch on ${packet.topic} could not be stored (${(err as Error).message}); it will be delivered again`);
          client.end(true, {}, () => setTimeout(() => client.reconnect(), 2000));
          return;
        }
      }
      callback();
    };
  }

  /** One message from a depot: stored, or kept as a dead letter with why. */
  apply(topic: string, payload: Buffer, nowMs = Date.now()): void {
    const store = this.o.store;
    const refuse = (reason: string) => {
      store.telemetry.writeBatch([], [{ receivedMs: nowMs, source: 'federation', topic, reason, payload }], nowMs);
      this.o.log(`federation: ${topic} refused: ${reason}`);
    };
    const at = parseBatchTopic(topic);
    if (!at) return refuse('not a depot batch topic (fleetdesk/<depot>/telemetry|changes|driving|visits)');
    const b = decodeBatch(payload);
    if (typeof b === 'string') return refuse(b);
    if (b.depot !== at.depotId || b.stream !== at.stream) return refuse(`batch of ${b.depot}/${b.stream} on ${topic}`);
    if (b.stream === 'telemetry') {
      const points: IncomingPoint[] = [];
      let bad = 0;
      for (const r of b.rows as TelemetryWireRow[]) {
        const p = pointOf(r);
        if (p) points.push(p);
        else bad++;
      }
      const { inserted } = store.db.transaction(() => {
        const res = store.telemetry.writeBatch(points, [], nowMs);
        store.federation.noteVehicles(b.depot, new Set(points.map((p) => p.point.vehicleId)));
        store.federation.noteBatch(b.depot, nowMs, { ...b, rows: res.inserted.length });
        return res;
      })();
      if (bad) this.o.log(`federation: ${bad} row(s) of ${b.depot}'s batch ${b.fromId}–${b.toId} were not fixes; left out`);
      this.rows += inserted.length;
      const c = this.counters;
      c.accepted += inserted.length;
      c.duplicates += points.length - inserted.length;
      c.rejected += bad;
      for (const p of inserted) {
        if (p.flags.length === 0) continue;
        c.flagged++;
        for (const f of p.flags) c.flaggedByReason[f] = (c.flaggedByReason[f] ?? 0) + 1;
      }
      if (inserted.length) c.lastAcceptedMs = nowMs;
      if (inserted.length) this.o.committed(inserted, nowMs);
      return;
    }
    if (b.stream === 'visits') {
      const rows = (b.rows as VisitWireRow[]).filter((r) => Array.isArray(r) && r.length === 7 && Number.isSafeInteger(r[0]) && typeof r[1] === 'string' && typeof r[2] === 'string' && ['enter', 'exit', 'dwell'].includes(r[3]) && Number.isFinite(r[4]) && Number.isFinite(r[5]));
      store.db.transaction(() => {
        store.federation.applyVisits(b.depot, rows);
        store.federation.noteBatch(b.depot, nowMs, { ...b, rows: 0 });
      })();
      return;
    }
    if (b.stream === 'driving') {
      const rows = (b.rows as DrivingWireRow[]).filter((r) => Array.isArray(r) && r.length === 11 && typeof r[1] === 'string' && typeof r[2] === 'string' && Number.isFinite(r[4]) && Number.isFinite(r[5]));
      store.db.transaction(() => {
        store.federation.applyDriving(rows);
        store.federation.noteBatch(b.depot, nowMs, { ...b, rows: 0 });
      })();
      return;
    }
    const rows = (b.rows as AlertWireRow[]).filter((r) => Array.isArray(r) && Number.isSafeInteger(r[0]) && r.length === 23);
    const { added, updated, jobs, messages } = store.db.transaction(() => {
      const res = store.federation.applyAlerts(b.depot, rows);
      const jobs = store.federation.applyJobs(b.depot, Array.isArray(b.jobs) ? b.jobs : []);
      const messages = store.federation.applyMessages(b.depot, Array.isArray(b.messages) ? b.messages : []);
      store.federation.noteBatch(b.depot, nowMs, { ...b, rows: 0 });
      return { ...res, jobs, messages };
    })();
    for (const why of [...jobs.refused, ...messages.refused]) this.o.log(`federation: from ${b.depot}'s changes ${b.fromId}–${b.toId}, ${why}; left out`);
    const get = (ids: number[]) => ids.map((id) => store.alerts.get(id)).filter((a): a is Alert => a !== null);
    if (added.length || updated.length) this.o.alerts(get(added), get(updated));
    if (jobs.ids.length) this.o.jobs?.(jobs.ids);
    if (messages.ids.length) this.o.messages?.(messages.ids);
  }

  /** The broker to push to, once every depot named has reported here (else refused with why). */
  private pushTarget(depotIds: string[], what: string): MqttClient {
    const known = new Set(this.o.store.federation.depots().map((d) => d.id));
    const unknown = depotIds.filter((d) => !known.has(d));
    if (unknown.length) throw new ApiError('not_found', `No depot ${unknown.join(', ')} has reported here.`);
    const client = this.client;
    if (!client?.connected) throw new ApiError('conflict', `The depots broker is unreachable: the ${what} cannot be sent now. Try again when the status bar says it is back.`);
    return client;
  }

  /** Sends headquarters' rules to depots, each as its next version (retained); a depot keeps its own vehicle → class map. */
  async pushRules(depotIds: string[], by: string, nowMs = Date.now()): Promise<{ depotId: string; version: number }[]> {
    const client = this.pushTarget(depotIds, 'rules');
    const rules = this.o.rules?.();
    if (!rules) throw new ApiError('bad_request', 'This FleetDesk has no rules to send.');
    const { vehicleClass: _own, ...engine } = rules.engine;
    const out = [];
    for (const depotId of depotIds) {
      const version = this.o.store.federation.recordRulePush(depotId, by, nowMs);
      const push: RulePush = { v: 1, depot: depotId, version, sentMs: nowMs, by, rules: { ...rules, engine } };
      await client.publishAsync(rulesPushTopic(depotId), encodeJson(push), { qos: 1, retain: true });
      this.o.log(`federation: rules pushed to ${depotId} as version ${version} by ${by}`);
      out.push({ depotId, version });
    }
    return out;
  }

  /** Sends headquarters' fences (all, or those named) to depots, each as its next version (retained). */
  async pushFences(depotIds: string[], fenceIds: string[] | null, by: string, nowMs = Date.now()): Promise<{ depotId: string; version: number; fences: number }[]> {
    const client = this.pushTarget(depotIds, 'fences');
    const all = this.o.fences?.() ?? [];
    const chosen = fenceIds ? all.filter((f) => fenceIds.includes(f.id)) : all;
    if (fenceIds && chosen.length !== fenceIds.length) throw new ApiError('not_found', `No geofence ${fenceIds.filter((id) => !all.some((f) => f.id === id)).join(', ')} here.`);
    const out = [];
    for (const depotId of depotIds) {
      const version = this.o.store.federation.recordFencePush(depotId, chosen.length, by, nowMs);
      const push: FencePush = { v: 1, depot: depotId, version, sentMs: nowMs, by, fences: chosen.map((f) => ({ id: f.id, name: f.name, category: f.category, color: f.color, geometry: f.geometry, rules: f.rules })) };
      await client.publishAsync(fencePushTopic(depotId), encodeJson(push), { qos: 1, retain: true });
      this.o.log(`federation: ${chosen.length} fence(s) pushed to ${depotId} as version ${version} by ${by}`);
      out.push({ depotId, version, fences: chosen.length });
    }
    return out;
  }

  depots(nowMs = Date.now()): DepotStatus[] {
    const vehicles = this.o.store.federation.vehiclesByDepot();
    return this.o.store.federation.depots().map((d) => {
      const silentMs = nowMs - d.lastBatchMs;
      const backlogMs = d.backlogRows > 0 && d.backlogOldestMs !== null ? nowMs - d.backlogOldestMs : 0;
      const behindMs = Math.max(silentMs > DEPOT_STALE_MS ? silentMs : 0, backlogMs);
      return { ...d, stale: behindMs > DEPOT_STALE_MS, behindMs, vehicles: vehicles.get(d.id) ?? [] };
    });
  }

  status(): Omit<FederationStatus, 'fromSettings' | 'username'> {
    return {
      role: 'headquarters',
      depotId: null,
      brokerUrl: redactUrl(this.o.broker.url),
      connected: this.client?.connected ?? false,
      lastError: this.client?.connected ? null : this.lastError,
      backlogRows: 0,
      backlogOldestMs: null,
      forwardedRows: this.rows,
      rowsPerSec: 0,
      bytesSent: 0,
      maxRowsPerSec: 0,
      pushedFences: null,
      pushedRules: null,
    };
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true);
  }
}

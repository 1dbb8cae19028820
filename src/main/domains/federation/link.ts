// This FleetDesk's place among depots and headquarters: a depot forwarding upstream (set on the command
// line, or in Settings and remembered), headquarters receiving from depots (command line), or neither.
// Owns the running forwarder or receiver, starts and stops them, and says how they are doing.
import type { FederationStatus } from '../../../shared/contract/federation';
import type { SystemStatus } from '../../../shared/contract/ingest';
import { redactUrl, type BrokerSettings } from '../../adapters/mqtt-subscriber';
import type { SecretStore } from '../../core/security/secret-store';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import type { FenceRegistry } from '../fences/registry';
import type { Settings } from '../settings/settings';
import type { IngestCounters } from '../../core/ingest/ingestor';
import { FencePushes } from './fence-push';
import { RulePushes } from './rule-push';
import type { RuleSettingsStore } from '../rules/handlers';
import { Forwarder } from './forwarder';
import { Receiver, type ReceiverOptions } from './receiver';
import { DEPOT_ID } from './wire';

const UPSTREAM_KEY = 'federation.upstream';
const PASSWORD_KEY = 'upstream.password';

/** What the command line (or a test) says; Settings may set a depot when it says nothing. */
export type FederationOptions = { depot: { depotId: string; upstream: BrokerSettings; maxRowsPerSec?: number } } | { headquarters: { broker?: BrokerSettings } };

interface SavedUpstream {
  depotId: string;
  url: string;
  username: string | null;
  maxRowsPerSec: number | null;
}

export interface LinkDeps {
  store: Store;
  settings: Settings;
  secrets: SecretStore | null;
  fences: FenceRegistry;
  rules: RuleSettingsStore;
  log: (line: string) => void;
  /** Telemetry waits to be stored: forwarding yields. */
  pressure: () => boolean;
  /** The broker headquarters hears depots on when the command line names none: its own. */
  ownBroker: () => BrokerSettings;
  geofencesChanged: () => void;
  committed: ReceiverOptions['committed'];
  alerts: ReceiverOptions['alerts'];
  jobs: ReceiverOptions['jobs'];
  messages: ReceiverOptions['messages'];
}

export class FederationLink {
  private forwarder: Forwarder | null = null;
  private receiver: Receiver | null = null;

  constructor(
    private readonly fixed: FederationOptions | undefined,
    private readonly d: LinkDeps,
  ) {}

  get isHeadquarters(): boolean {
    return this.receiver !== null;
  }

  start(): void {
    const f = this.fixed;
    if (f && 'headquarters' in f) {
      const broker = f.headquarters.broker ?? this.d.ownBroker();
      this.receiver = new Receiver({ store: this.d.store, fences: () => this.d.fences.list(), rules: () => this.d.rules.current(), broker, log: this.d.log, committed: this.d.committed, alerts: this.d.alerts, jobs: this.d.jobs, messages: this.d.messages });
      this.receiver.start();
      this.d.log(`federation: headquarters, hearing depots on ${redactUrl(broker.url)}`);
      return;
    }
    if (f) return this.startDepot(f.depot.depotId, f.depot.upstream, f.depot.maxRowsPerSec);
    const saved = this.saved();
    if (saved) this.startDepot(saved.depotId, { url: saved.url, username: saved.username ?? undefined, password: this.d.secrets?.get(PASSWORD_KEY) ?? undefined }, saved.maxRowsPerSec ?? undefined);
  }

  private saved(): SavedUpstream | null {
    return this.d.settings.load<SavedUpstream | null>(UPSTREAM_KEY, null, (x) => (x === null || (typeof x === 'object' && typeof (x as SavedUpstream).depotId === 'string' && typeof (x as SavedUpstream).url === 'string') ? null : 'not an upstream setting'));
  }

  /** The fences headquarters pushed, while this FleetDesk is a depot. */
  private fencePushes: FencePushes | null = null;

  /** A depot: who owns a fence that is not the depot's own (headquarters pushed it), else null. */
  fenceOwner(id: string): string | null {
    return this.forwarder ? (this.fencePushes?.ownerOf(id) ?? null) : null;
  }

  private startDepot(depotId: string, upstream: BrokerSettings, maxRowsPerSec: number | undefined): void {
    const pushes = (this.fencePushes = new FencePushes({ depotId, fences: this.d.fences, settings: this.d.settings, log: this.d.log, changed: this.d.geofencesChanged }));
    const rules = new RulePushes({ depotId, rules: this.d.rules, settings: this.d.settings, log: this.d.log });
    this.forwarder = new Forwarder({
      store: this.d.store,
      depotId,
      upstream,
      maxRowsPerSec,
      log: this.d.log,
      pressure: this.d.pressure,
      fencesPushed: (p) => pushes.apply(p),
      pushedFences: () => pushes.status(),
      rulesPushed: (p) => rules.apply(p),
      pushedRules: () => rules.status(),
    });
    this.forwarder.start();
    this.d.log(`federation: depot ${depotId} forwards to ${redactUrl(upstream.url)}`);
  }

  /** Settings → Headquarters link: on with these (remembered; the password sealed apart), or off. */
  async setUpstream(p: { enabled: boolean; depotId?: string; url?: string; username?: string; password?: string; maxRowsPerSec?: number }): Promise<FederationStatus> {
    if (this.fixed) throw new ApiError('conflict', `This FleetDesk was started as ${'headquarters' in this.fixed ? 'headquarters' : `depot ${this.fixed.depot.depotId}`} on the command line; change it there.`);
    if (!p.enabled) {
      await this.forwarder?.stop();
      this.forwarder = null;
      this.d.settings.set(UPSTREAM_KEY, null);
      this.d.log('federation: forwarding to headquarters turned off (what is committed meanwhile goes when it is on again)');
      return this.status();
    }
    const depotId = (p.depotId ?? '').trim();
    if (!DEPOT_ID.test(depotId)) throw new ApiError('bad_request', 'The depot id is 1–32 letters, digits, - or _ (it names this depot at headquarters).');
    const url = (p.url ?? '').trim();
    let proto = '';
    try {
      proto = new URL(url).protocol;
    } catch {
      // said below
    }
    if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(proto)) throw new ApiError('bad_request', `Headquarters' broker is an mqtt://, mqtts://, ws:// or wss:// address; "${url}" is not.`);
    if (!this.d.secrets && p.password) throw new ApiError('bad_request', 'This FleetDesk has nowhere safe to keep a password.');
    if (p.password !== undefined) this.d.secrets?.set(PASSWORD_KEY, p.password || null);
    const saved: SavedUpstream = { depotId, url: redactUrl(url), username: p.username?.trim() || null, maxRowsPerSec: p.maxRowsPerSec ?? null };
    this.d.settings.save(UPSTREAM_KEY, saved);
    await this.forwarder?.stop();
    this.startDepot(depotId, { url, username: saved.username ?? undefined, password: this.d.secrets?.get(PASSWORD_KEY) ?? undefined }, saved.maxRowsPerSec ?? undefined);
    return this.status();
  }

  status(): FederationStatus {
    const fromSettings = !this.fixed && this.forwarder !== null;
    const username = this.fixed && 'depot' in this.fixed ? (this.fixed.depot.upstream.username ?? null) : (this.saved()?.username ?? null);
    if (this.forwarder) return { ...this.forwarder.status(), fromSettings, username };
    if (this.receiver) return { ...this.receiver.status(), fromSettings: false, username: null };
    return { role: 'off', depotId: null, brokerUrl: null, connected: false, lastError: null, backlogRows: 0, backlogOldestMs: null, forwardedRows: 0, rowsPerSec: 0, bytesSent: 0, maxRowsPerSec: 0, pushedFences: null, pushedRules: null, fromSettings: false, username: null };
  }

  /** For the status bar. */
  summary(): SystemStatus['federation'] {
    if (this.forwarder) {
      const f = this.forwarder.status();
      return { role: 'depot', connected: f.connected, backlogRows: f.backlogRows, backlogOldestMs: f.backlogOldestMs, depots: 0, staleDepots: 0 };
    }
    if (this.receiver) {
      const depots = this.receiver.depots();
      return { role: 'headquarters', connected: this.receiver.status().connected, backlogRows: 0, backlogOldestMs: null, depots: depots.length, staleDepots: depots.filter((x) => x.stale).length };
    }
    return null;
  }

  /** Headquarters: the depots' fixes stored here, as ingest counters (null elsewhere). */
  received(): IngestCounters | null {
    return this.receiver?.counters ?? null;
  }

  depots() {
    return this.receiver?.depots() ?? [];
  }

  pushFences(depotIds: string[], fenceIds: string[] | null, by: string) {
    if (!this.receiver) throw new ApiError('bad_request', 'Only headquarters pushes fences to depots (fleetdesk serve --headquarters).');
    return this.receiver.pushFences(depotIds, fenceIds, by);
  }

  pushRules(depotIds: string[], by: string) {
    if (!this.receiver) throw new ApiError('bad_request', 'Only headquarters pushes rules to depots (fleetdesk serve --headquarters).');
    return this.receiver.pushRules(depotIds, by);
  }

  forwardAgainSince(sinceMs: number, by: string) {
    if (!this.forwarder) throw new ApiError('bad_request', 'This FleetDesk does not forward to headquarters: turn the headquarters link on first (Settings).');
    if (sinceMs > Date.now()) throw new ApiError('bad_request', 'That time is in the future: nothing was committed since then.');
    const r = this.d.store.federation.sendAgainSince(sinceMs);
    if (!r) throw new ApiError('conflict', 'Forwarding is not on yet: try again in a moment.');
    this.d.store.audit.add({ tsMs: Date.now(), actor: by, action: 'forward_again', detail: JSON.stringify({ sinceMs, ...r }) });
    this.d.log(`federation: ${by} asked to send again what was committed since ${new Date(sinceMs).toISOString()}: ${r.telemetryRows} fixes, ${r.changes} alert/job/message changes, ${r.drivingEvents} driving and ${r.visits} geofence events queued`);
    this.forwarder.nudge();
    return r;
  }

  nudge(): void {
    this.forwarder?.nudge();
  }

  async stop(): Promise<void> {
    await this.forwarder?.stop();
    await this.receiver?.stop();
    this.forwarder = null;
    this.receiver = null;
  }
}

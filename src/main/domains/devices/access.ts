// Who may publish telemetry: per-vehicle secrets, the fleet token, anonymous access, FleetDesk's own
// internal login; failed logins throttled and counted in one place for the broker and OsmAnd alike.
import type { BrokerSecuritySettings } from '../../../shared/contract/devices';
import type { LiveState } from '../../core/live/live-state';
import { INTERNAL_USERNAME, newSecret, VerifiedSecrets, type BrokerSecurity } from '../../core/security/broker-policy';
import { LoginGuard } from '../../core/security/login-guard';
import type { Store } from '../../core/storage/store';
import type { HttpRefusals } from '../../adapters/http-guard';

export const ALLOW_ANONYMOUS_KEY = 'broker.allowAnonymous';
export const FLEET_TOKEN_KEY = 'broker.fleetTokenHash';

/** The listeners devices reach, as the ingest domain runs them. */
export interface DeviceListeners {
  embeddedUrls: string[] | null;
  osmandRefusals: HttpRefusals | null;
}

export class DeviceAccess {
  readonly loginGuard = new LoginGuard();
  readonly verified = new VerifiedSecrets();
  /** FleetDesk's own clients log in to the embedded broker with this; it lives only as long as the process. */
  readonly internal = { username: INTERNAL_USERNAME, secret: newSecret() };

  constructor(
    private readonly d: {
      store: Store;
      live: LiveState;
      /** Anonymous access forced on for this run (demo mode, --allow-anonymous). */
      anonymousForced: boolean;
      listeners: () => DeviceListeners;
    },
  ) {}

  /** What the broker and the OsmAnd listener check a login or a device key against, read fresh each time. */
  security(): BrokerSecurity {
    const store = this.d.store;
    return {
      allowAnonymous: this.d.anonymousForced || store.settings.get(ALLOW_ANONYMOUS_KEY) === 'true',
      fleetTokenHash: store.settings.get(FLEET_TOKEN_KEY),
      vehicleSecretHash: (id) => store.devices.secretHash(id),
      internalSecret: this.internal.secret,
      knownVehicle: (id) => store.telemetry.knownVehicle(id),
    };
  }

  /** The Devices tab: who is registered, when each was last seen and refused, and the last refusals. */
  settings(): BrokerSecuritySettings {
    const sec = this.security();
    const { embeddedUrls } = this.d.listeners();
    return {
      embedded: embeddedUrls !== null,
      listenUrls: embeddedUrls ?? [],
      allowAnonymous: sec.allowAnonymous,
      anonymousForcedByStartup: this.d.anonymousForced,
      fleetTokenSet: sec.fleetTokenHash !== null,
      devices: this.d.store.devices.list().map((dev) => {
        const refused = this.loginGuard.perUser.get(dev.vehicleId);
        return {
          ...dev,
          lastSeenMs: this.d.live.get(dev.vehicleId, Date.now())?.lastSeenMs ?? null,
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
    const osmand = this.d.listeners().osmandRefusals;
    if (osmand) {
      for (const [reason, count] of Object.entries(osmand.byReason)) byReason.push({ listener: 'OsmAnd', reason, count });
      for (const r of osmand.last) last.push({ atMs: r.atMs, listener: 'OsmAnd', reason: r.reason, who: '', address: r.address });
    }
    last.sort((a, b) => b.atMs - a.atMs);
    return { byReason, last: last.slice(0, 50) };
  }
}

// Depots and headquarters: a depot forwards what it committed to an upstream broker; headquarters stores
// what every depot sends and says how far behind each one is.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const FederationStatus = Type.Object({
  /** off; depot (forwarding upstream); headquarters (receiving from depots). */
  role: StringEnum(['off', 'depot', 'headquarters'] as const),
  depotId: Nullable(Type.String()),
  /** The upstream broker (depot) or the broker depots report to (headquarters), without credentials. */
  brokerUrl: Nullable(Type.String()),
  connected: Type.Boolean(),
  lastError: Nullable(Type.String()),
  /** Depot: rows committed but not yet acknowledged upstream, and the oldest one's receipt time. */
  backlogRows: Type.Integer(),
  backlogOldestMs: Nullable(Type.Number()),
  /** Depot: rows forwarded since start and over the last 10 s; bytes sent. */
  forwardedRows: Type.Integer(),
  rowsPerSec: Type.Number(),
  bytesSent: Type.Integer(),
  /** Depot: the cap on forwarding, so a backlog never starves the depot's own work. */
  maxRowsPerSec: Type.Integer(),
  /** Depot: set in Settings (false: by the command line or not at all — see role). */
  fromSettings: Type.Boolean(),
  /** Depot: the forwarding cap and who logs in upstream, as set (never the password). */
  username: Nullable(Type.String()),
  /** Depot: the fences headquarters pushed here last — which version, how many, when it arrived, from whom, which (changed at headquarters only). */
  pushedFences: Nullable(Type.Object({ version: Type.Integer(), count: Type.Integer(), arrivedMs: Type.Number(), by: Type.String(), fenceIds: Type.Array(Type.String()) })),
  /** Depot: the rules (thresholds, alert settings, penalties) headquarters pushed here last. */
  pushedRules: Nullable(Type.Object({ version: Type.Integer(), arrivedMs: Type.Number(), by: Type.String() })),
});
export type FederationStatus = Static<typeof FederationStatus>;

/** A depot as headquarters sees it. */
export const DepotStatus = Type.Object({
  id: Type.String(),
  firstSeenMs: Type.Number(),
  /** When its last batch arrived here. */
  lastBatchMs: Type.Number(),
  /** The newest fix the depot had committed when it sent that batch. */
  depotNewestMs: Nullable(Type.Number()),
  /** What the depot still had to forward then (a WAN outage shows here once it is back). */
  backlogRows: Type.Integer(),
  backlogOldestMs: Nullable(Type.Number()),
  rowsReceived: Type.Integer(),
  /** Its stream is behind: nothing for a minute, or a backlog older than a minute. */
  stale: Type.Boolean(),
  /** How far behind, in ms (0 when current). */
  behindMs: Type.Number(),
  vehicles: Type.Array(Type.String()),
  /** The fences last pushed to it from here (null: never). */
  pushedFences: Nullable(Type.Object({ version: Type.Integer(), count: Type.Integer(), pushedMs: Type.Number(), by: Type.String() })),
  /** The rules last pushed to it from here (null: never). */
  pushedRules: Nullable(Type.Object({ version: Type.Integer(), pushedMs: Type.Number(), by: Type.String() })),
});
export type DepotStatus = Static<typeof DepotStatus>;

export const federationMethods = {
  getFederation: method('viewer', NoParams, FederationStatus),
  /** Headquarters: the depots that report here, with their vehicles and how far behind each is. */
  listDepots: method('viewer', NoParams, Type.Array(DepotStatus)),
  /**
   * Depot: this FleetDesk forwards to headquarters' broker (on), or stops (off; what it committed meanwhile
   * goes when it is on again). The password is kept like the broker's (sealed, never shown); omit it to keep
   * the one stored. Refused when the command line set the role.
   */
  setUpstream: method(
    'admin',
    Type.Object({
      enabled: Type.Boolean(),
      depotId: Type.Optional(Type.String({ maxLength: 32 })),
      url: Type.Optional(Type.String({ maxLength: 500 })),
      username: Type.Optional(Type.String({ maxLength: 200 })),
      password: Type.Optional(Type.String({ maxLength: 500 })),
      maxRowsPerSec: Type.Optional(Type.Integer({ minimum: 100, maximum: 1_000_000 })),
    }),
    FederationStatus,
  ),
  /**
   * Headquarters: sends its geofences (with their rules) to depots, as a new version each; a depot replaces the
   * fences it had from headquarters with them (its own stay) and shows which version it runs.
   */
  pushFences: method(
    'supervisor',
    Type.Object({ depotIds: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 100 }), fenceIds: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })) }),
    Type.Array(Type.Object({ depotId: Type.String(), version: Type.Integer(), fences: Type.Integer() })),
  ),
  /**
   * Headquarters: sends its rules — thresholds per vehicle class, fuel and coolant limits, alert severities and
   * times, driver-score penalties — to depots, as a new version each. A depot keeps which of its vehicles is
   * which class (it knows its vehicles) and the classes only it defines; the rest becomes headquarters'.
   */
  pushRules: method(
    'supervisor',
    Type.Object({ depotIds: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 100 }) }),
    Type.Array(Type.Object({ depotId: Type.String(), version: Type.Integer() })),
  ),
  /**
   * Depot: sends headquarters again — or for the first time, when forwarding was turned on later — what this
   * depot committed since a time (fixes, driving and geofence events; alerts, jobs and messages that changed
   * since). It goes at the forwarding rate, behind nothing; headquarters stores each row once.
   */
  forwardAgainSince: method(
    'admin',
    Type.Object({ sinceMs: Type.Number({ minimum: 0 }) }),
    Type.Object({ telemetryRows: Type.Integer(), changes: Type.Integer(), drivingEvents: Type.Integer(), visits: Type.Integer() }),
  ),
};

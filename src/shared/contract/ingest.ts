// Ingest: the status bar, dead letters and Ingest health.
import { AlertSeverity } from './alerts';
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const BrokerConnectionState = StringEnum(['connecting', 'connected', 'reconnecting', 'offline', 'error'] as const);
export type BrokerConnectionState = Static<typeof BrokerConnectionState>;

const IngestCounts = Type.Object({
  accepted: Type.Number(),
  /** Stored but not trusted (GPS drift, clock): see Ingest health. */
  flagged: Type.Number(),
  duplicates: Type.Number(),
  rejected: Type.Number(),
});

export const SystemStatus = Type.Object({
  broker: Type.Object({
    state: BrokerConnectionState,
    /** Broker URL without credentials. */
    url: Type.String(),
    embedded: Type.Boolean(),
    lastError: Nullable(Type.String()),
  }),
  vehiclesOnline: Type.Integer(),
  vehiclesTotal: Type.Integer(),
  /** Wall-clock time of the last accepted message, UTC epoch ms. */
  lastMessageMs: Nullable(Type.Number()),
  ingest: IngestCounts,
  openAlerts: Type.Integer(),
  openAlertsBySeverity: Type.Record(AlertSeverity, Type.Integer()),
  /** Unacknowledged critical alerts past the escalation time. */
  escalatedAlerts: Type.Integer(),
  /** The OsmAnd HTTP endpoint, or why it is not running. */
  osmand: Type.Object({ url: Nullable(Type.String()), error: Nullable(Type.String()) }),
  /** What is wrong with the database or the disk, each said with what to do (empty when all is well). */
  storageProblems: Type.Array(Type.String()),
  demo: Type.Boolean(),
  /**
   * Depots and headquarters (null: neither). A depot: is headquarters' broker reachable, and what is still
   * to forward (rows, the oldest one's receipt time). Headquarters: depots heard from, how many are stale.
   */
  federation: Nullable(
    Type.Object({
      role: StringEnum(['depot', 'headquarters'] as const),
      connected: Type.Boolean(),
      backlogRows: Type.Integer(),
      backlogOldestMs: Nullable(Type.Number()),
      depots: Type.Integer(),
      staleDepots: Type.Integer(),
    }),
  ),
  /** Wall clock of the service, so the UI can compute ages without trusting its own clock. */
  nowMs: Type.Number(),
});
export type SystemStatus = Static<typeof SystemStatus>;

export const DeadLetter = Type.Object({
  id: Type.Integer(),
  receivedMs: Type.Number(),
  source: Type.String(),
  topic: Nullable(Type.String()),
  reason: Type.String(),
  /** Payload as text (invalid UTF-8 replaced), truncated. */
  payloadText: Type.String(),
  payloadBytes: Type.Integer(),
});
export type DeadLetter = Static<typeof DeadLetter>;

/** What the Ingest health view shows. Rates are per second over the last 10 s and 60 s. */
export const IngestHealth = Type.Object({
  nowMs: Type.Number(),
  queueDepth: Type.Integer(),
  rates: Type.Array(Type.Object({ windowS: Type.Number(), accepted: Type.Number(), flagged: Type.Number(), rejected: Type.Number() })),
  totals: IngestCounts,
  /** Dead letters of the last 24 h, grouped by reason code, each with a real message as its example. */
  rejectsByReason: Type.Array(Type.Object({ code: Type.String(), reason: Type.String(), count: Type.Integer(), example: Type.String() })),
  /** Untrusted fixes since start, by flag. */
  flaggedByReason: Type.Array(Type.Object({ flag: Type.String(), text: Type.String(), count: Type.Integer() })),
  retention: Type.Object({
    rawRetentionDays: Type.Number(),
    downsampleIntervalMs: Type.Number(),
    deadLetterRetentionDays: Type.Number(),
    lastRunMs: Nullable(Type.Number()),
    lastDeletedPoints: Nullable(Type.Number()),
  }),
});
export type IngestHealth = Static<typeof IngestHealth>;

export const ingestMethods = {
  getStatus: method('viewer', NoParams, SystemStatus),
  listDeadLetters: method('dispatcher', Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(DeadLetter)),
  getIngestHealth: method('viewer', NoParams, IngestHealth),
};

export const ingestEvents = {
  status: SystemStatus,
};

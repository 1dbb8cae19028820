// History: tracks, trips, stops, visits and events of vehicles over a range; the replay cursor.
import { Alert } from './alerts';
import { DrivingEvent } from './drivers';
import { HistoryJobEvent } from './jobs';
import { method, Nullable, StringEnum, Type, type Static } from './schema';
import { TelemetryPoint, VehicleId } from './vehicles';

/** One drawn track vertex: [tsMs, lat, lon, speedKmh or null]. */
export const TrackVertex = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Nullable(Type.Number())]);
export type TrackVertex = Static<typeof TrackVertex>;

const LatLon = Type.Object({ lat: Type.Number(), lon: Type.Number() });

/** A stretch where the vehicle stood still (speed below the stop threshold, or no reports while parked). */
export const Stop = Type.Object({
  vehicleId: Type.String(),
  startMs: Type.Number(),
  endMs: Type.Number(),
  durationS: Type.Number(),
  lat: Type.Number(),
  lon: Type.Number(),
});
export type Stop = Static<typeof Stop>;

/** Driving between two stops (or a range edge and a stop). */
export const Trip = Type.Object({
  vehicleId: Type.String(),
  startMs: Type.Number(),
  endMs: Type.Number(),
  durationS: Type.Number(),
  distanceKm: Type.Number(),
  /** Where the distance came from: the odometer when it is valid for the whole trip, else the GPS track. */
  distanceSource: StringEnum(['odometer', 'gps'] as const),
  maxSpeedKmh: Nullable(Type.Number()),
  avgSpeedKmh: Nullable(Type.Number()),
  start: LatLon,
  end: LatLon,
});
export type Trip = Static<typeof Trip>;

/** Time inside a geofence, from the engine's enter/exit events. */
export const FenceVisit = Type.Object({
  vehicleId: Type.String(),
  fenceId: Type.String(),
  fenceName: Type.String(),
  enterMs: Type.Number(),
  /** null while the vehicle is still inside. */
  exitMs: Nullable(Type.Number()),
  durationS: Nullable(Type.Number()),
});
export type FenceVisit = Static<typeof FenceVisit>;

export const HistorySettings = Type.Object({
  /** At or below this speed the vehicle counts as standing still. */
  stopSpeedKmh: Type.Number(),
  /** A stand-still shorter than this is traffic, not a stop. */
  minStopMin: Type.Number(),
});
export type HistorySettings = Static<typeof HistorySettings>;

export const VehicleHistory = Type.Object({
  vehicleId: Type.String(),
  fromMs: Type.Number(),
  toMs: Type.Number(),
  /** 'raw': every stored point; 'minute': one point per vehicle-minute (long ranges). */
  resolution: StringEnum(['raw', 'minute'] as const),
  /** Trusted points the track was drawn from, before simplification. */
  sourcePoints: Type.Integer(),
  /** Trusted track, simplified (Douglas–Peucker) to the tolerance asked for. */
  track: Type.Array(TrackVertex),
  /** Points the drift filter flagged (not in the track), with the reason; at most `flaggedLimit`. */
  flagged: Type.Array(Type.Object({ tsMs: Type.Number(), lat: Type.Number(), lon: Type.Number(), quality: Type.String() })),
  flaggedTotal: Type.Integer(),
  trips: Type.Array(Trip),
  stops: Type.Array(Stop),
  visits: Type.Array(FenceVisit),
  alerts: Type.Array(Alert),
  drivingEvents: Type.Array(DrivingEvent),
  /** What happened to the jobs this vehicle held (offered, accepted, arrived, done, …), oldest first. */
  jobEvents: Type.Array(HistoryJobEvent),
  /** Time spent answering, for the status line. */
  queryMs: Type.Number(),
  /** Stretches hidden by privacy mode (no track, trips, events or alerts shown in them). */
  hidden: Type.Array(Type.Object({ fromMs: Type.Number(), toMs: Type.Number() })),
  /** Stored points withheld by privacy mode. */
  hiddenPoints: Type.Integer(),
  /** A supervisor unlocked private data for this answer (recorded in the audit log). */
  unlocked: Type.Boolean(),
});
export type VehicleHistory = Static<typeof VehicleHistory>;

export const HistoryQuery = Type.Object({
  vehicleIds: Type.Array(Type.String()),
  fromMs: Type.Number(),
  toMs: Type.Number(),
  /** Douglas–Peucker tolerance in metres (the UI sends about one screen pixel); default: range extent / 4000. */
  toleranceM: Type.Optional(Type.Number()),
  settings: Type.Optional(Type.Partial(HistorySettings)),
});
export type HistoryQuery = Static<typeof HistoryQuery>;

/** The stored point nearest before a time (the replay cursor), with its quality verdict. */
export const PointAt = Type.Object({
  point: TelemetryPoint,
  quality: Nullable(Type.String()),
  source: Nullable(Type.String()),
});
export type PointAt = Static<typeof PointAt>;

/** A supervisor's unlock (see privacy) and who asks, carried by calls that may show private data. */
export const Unlock = Type.Object({ unlockToken: Type.Optional(Type.String()), by: Type.Optional(Type.String()) });

export const historyMethods = {
  /** Tracks, trips, stops, visits, alerts and driving events of one or more vehicles in a range. */
  getHistory: method('dispatcher', Type.Composite([HistoryQuery, Unlock]), Type.Array(VehicleHistory)),
  /** The stored point at or just before a time: the replay cursor's telemetry. */
  getPointAt: method('dispatcher', Type.Composite([Type.Object({ vehicleId: VehicleId, tsMs: Type.Number() }), Unlock]), Nullable(PointAt)),
};

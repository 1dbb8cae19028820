// Drivers: driving events, scores per 100 km, and who drove which vehicle when (shifts).
import { DrivingEventType } from './alerts';
import { method, NoParams, Nullable, Type, type Static } from './schema';
import { VehicleId } from './vehicles';

/** A driving event derived from telemetry; feeds driver scoring. */
export const DrivingEvent = Type.Object({
  id: Type.Integer(),
  type: DrivingEventType,
  vehicleId: Type.String(),
  driverId: Nullable(Type.String()),
  /** Fix time when the event was detected (end of a harsh manoeuvre, speeding confirmed, idling over), UTC epoch ms. */
  tsMs: Type.Number(),
  /** Fix time the episode began, UTC epoch ms. */
  startMs: Type.Number(),
  /** 0–1: how far past the threshold it went (0 at the threshold, 1 at the rule's full-severity point). */
  severity: Type.Number(),
  /** The measured peak: m/s² for brake/accel/corner, km/h for speeding, seconds for idling. */
  value: Type.Number(),
  threshold: Type.Number(),
  lat: Type.Number(),
  lon: Type.Number(),
});
export type DrivingEvent = Static<typeof DrivingEvent>;

const PerType = Type.Partial(Type.Record(DrivingEventType, Type.Number()));

export const DriverScore = Type.Object({
  driverId: Type.String(),
  km: Type.Number(),
  events: Type.Integer(),
  eventsByType: PerType,
  /** Points deducted per type: Σ penalty × severity (0 at the threshold, 1 at twice it), before per 100 km. */
  deductionByType: PerType,
  /** null without enough driving to judge. */
  eventsPer100Km: Nullable(Type.Number()),
  deductionPer100Km: Nullable(Type.Number()),
  /** 0–100, or null: "not enough driving". */
  score: Nullable(Type.Number()),
  previousScore: Nullable(Type.Number()),
  /** Score change against the previous period of the same length. */
  trend: Nullable(Type.Number()),
});
export type DriverScore = Static<typeof DriverScore>;

export const DriverScores = Type.Object({
  fromMs: Type.Number(),
  toMs: Type.Number(),
  penalties: Type.Record(DrivingEventType, Type.Number()),
  minKm: Type.Number(),
  drivers: Type.Array(DriverScore),
});
export type DriverScores = Static<typeof DriverScores>;

/** A driver on shift in a vehicle: telemetry without a driver id is credited to them. */
export const DriverAssignment = Type.Object({
  id: Type.Integer(),
  vehicleId: Type.String(),
  driverId: Type.String(),
  startMs: Type.Number(),
  /** null: until further notice. */
  endMs: Nullable(Type.Number()),
});
export type DriverAssignment = Static<typeof DriverAssignment>;

const Period = Type.Object({ fromMs: Type.Optional(Type.Number()), toMs: Type.Optional(Type.Number()) });

export const driversMethods = {
  /** Driver scores for a period (default: the last 24 h), with the trend against the period before. */
  getDriverScores: method('dispatcher', Period, DriverScores),
  listDrivingEvents: method('dispatcher', Type.Composite([Period, Type.Object({ vehicleId: Type.Optional(Type.String()), driverId: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1 })) })]),
    Type.Array(DrivingEvent),
  ),
  listAssignments: method('dispatcher', NoParams, Type.Array(DriverAssignment)),
  /** A driver's shift in a vehicle; overlapping shifts of the same vehicle are refused. */
  addAssignment: method('dispatcher', Type.Object({ vehicleId: VehicleId, driverId: Type.String({ minLength: 1, maxLength: 64 }), startMs: Type.Number(), endMs: Nullable(Type.Number()) }), DriverAssignment),
  deleteAssignment: method('dispatcher', Type.Object({ id: Type.Integer() }), Type.Object({ deleted: Type.Boolean() })),
};

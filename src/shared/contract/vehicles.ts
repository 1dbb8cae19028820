// Vehicles: live state as the map and the list show it.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

/** One validated telemetry report from a vehicle. Times are UTC epoch ms; coordinates WGS84 degrees. */
export const TelemetryPoint = Type.Object({
  vehicleId: Type.String(),
  /** Device time of the fix, UTC epoch ms. */
  tsMs: Type.Number(),
  lat: Type.Number(),
  lon: Type.Number(),
  speedKmh: Nullable(Type.Number()),
  /** Degrees clockwise from north, 0–360. */
  headingDeg: Nullable(Type.Number()),
  /** Percent of tank, 0–100. */
  fuelLevelPct: Nullable(Type.Number()),
  engineRpm: Nullable(Type.Number()),
  odometerKm: Nullable(Type.Number()),
  dtcCodes: Type.Array(Type.String()),
  hdop: Nullable(Type.Number()),
  satellites: Nullable(Type.Number()),
  coolantTempC: Nullable(Type.Number()),
  ignition: Nullable(Type.Boolean()),
  driverId: Nullable(Type.String()),
  /** Other fields a device sent (e.g. OsmAnd's altitude, accuracy, batt). */
  attributes: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});
export type TelemetryPoint = Static<typeof TelemetryPoint>;

export const VEHICLE_STATUSES = ['moving', 'idle', 'offline'] as const;
export const VehicleStatus = StringEnum(VEHICLE_STATUSES);
export type VehicleStatus = Static<typeof VehicleStatus>;

/** Latest known state of a vehicle, as the live map shows it. */
export const VehicleState = Type.Object({
  vehicleId: Type.String(),
  status: VehicleStatus,
  /** When FleetDesk last received a report (wall clock, UTC epoch ms). */
  lastSeenMs: Type.Number(),
  /** When `hidden`, the position and driver are withheld (lat/lon 0, driverId null). */
  last: TelemetryPoint,
  /** Privacy mode is on for this vehicle or its driver now: stored, but not shown. */
  hidden: Type.Optional(Type.Boolean()),
});
export type VehicleState = Static<typeof VehicleState>;

export const VehicleDetail = Type.Object({
  state: VehicleState,
  /** Fences the vehicle is inside now. */
  insideFenceIds: Type.Array(Type.String()),
});
export type VehicleDetail = Static<typeof VehicleDetail>;

export const VehicleId = Type.String({ minLength: 1, maxLength: 64 });

export const vehiclesMethods = {
  listVehicles: method('viewer', NoParams, Type.Array(VehicleState)),
  getVehicle: method('viewer', Type.Object({ vehicleId: VehicleId }), Nullable(VehicleDetail)),
};

export const vehiclesEvents = {
  /** Latest states of vehicles that reported since the previous batch. */
  positions: Type.Array(VehicleState),
};

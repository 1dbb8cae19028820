// Geofences: shapes, their rules and schedules.
import { method, NoParams, StringEnum, Type, type Static } from './schema';

export const FENCE_CATEGORIES = ['depot', 'customer', 'restricted', 'service_area', 'other'] as const;
export const GeofenceCategory = StringEnum(FENCE_CATEGORIES);
export type GeofenceCategory = Static<typeof GeofenceCategory>;

const Position = Type.Array(Type.Number());
/** A fence's shape. Polygons are GeoJSON (rings of [lon, lat], holes allowed); circles and corridors are ours.
 *  The geometry's own rules (closed rings, no self-intersection, …) are checked by the fences domain. */
export const FenceGeometry = Type.Union([
  Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Position)) }),
  Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(Type.Array(Type.Array(Position))) }),
  /** Centre [lon, lat] and radius in metres. */
  Type.Object({ type: Type.Literal('Circle'), center: Type.Tuple([Type.Number(), Type.Number()]), radiusM: Type.Number() }),
  /** A route as a line of [lon, lat] and the corridor's total width in metres (half on each side). */
  Type.Object({ type: Type.Literal('Corridor'), line: Type.Array(Position), widthM: Type.Number() }),
]);
export type FenceGeometry = Static<typeof FenceGeometry>;

/** When a fence's rules apply: days of week (0 = Sunday) and a daily window in a time zone. */
export const FenceSchedule = Type.Object({
  days: Type.Array(Type.Integer()),
  /** Minutes after local midnight; end < start spans midnight (e.g. 22:00–06:00). */
  startMin: Type.Number(),
  endMin: Type.Number(),
  /** IANA time zone, e.g. Europe/London. */
  timeZone: Type.String(),
});
export type FenceSchedule = Static<typeof FenceSchedule>;

export const FenceRules = Type.Object({
  /** Speed limit inside the fence; speeding is judged against it instead of the vehicle class limit. */
  speedLimitKmh: Type.Optional(Type.Number()),
  /** Enter/exit/dwell only fire while the schedule is active (membership is always tracked). */
  schedule: Type.Optional(FenceSchedule),
  /** Anti-bounce: a crossing fires only after the vehicle stayed on the new side this long. */
  entryDelayS: Type.Optional(Type.Number()),
  /** A dwell alert after this long inside, once per visit. */
  dwellAlertMin: Type.Optional(Type.Number()),
});
export type FenceRules = Static<typeof FenceRules>;

export const Geofence = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: GeofenceCategory,
  /** CSS colour used on the map. */
  color: Type.String(),
  geometry: FenceGeometry,
  rules: FenceRules,
  createdMs: Type.Number(),
  updatedMs: Type.Number(),
});
export type Geofence = Static<typeof Geofence>;

export const GeofenceInput = Type.Object({
  /** Omit to create a new fence. */
  id: Type.Optional(Type.String()),
  name: Type.String(),
  category: GeofenceCategory,
  color: Type.Optional(Type.String()),
  /** Checked in depth by the fences domain (a broken shape is refused with what is wrong, where). */
  geometry: Type.Unknown(),
  rules: Type.Optional(Type.Unknown()),
});
export type GeofenceInput = Omit<Static<typeof GeofenceInput>, 'geometry' | 'rules'> & { geometry: FenceGeometry; rules?: FenceRules };

export const fencesMethods = {
  listGeofences: method('viewer', NoParams, Type.Array(Geofence)),
  saveGeofence: method('dispatcher', GeofenceInput, Geofence),
  deleteGeofence: method('dispatcher', Type.Object({ id: Type.String() }), Type.Object({ deleted: Type.Boolean() })),
};

export const fencesEvents = {
  geofencesChanged: Type.Array(Geofence),
};

// ETA: a vehicle's arrival at a point or a geofence, blending current and historical speeds.
import { method, StringEnum, Type, type Static } from './schema';
import { VehicleId } from './vehicles';

export const EtaResult = Type.Object({
  state: StringEnum(['en_route', 'arrived', 'stalled'] as const),
  /** UTC epoch ms; null when stalled. */
  etaMs: Type.Union([Type.Number(), Type.Null()]),
  remainingKm: Type.Number(),
  /** 'route': along a known route (corridor); 'detour': great-circle × the fleet's detour factor. */
  distanceSource: StringEnum(['route', 'detour'] as const),
  detourFactor: Type.Number(),
  /** The speed the ETA assumes (a blend of the current and the historical speed). */
  speedKmh: Type.Number(),
  historicalKmh: Type.Number(),
  /** 'route': past traversals of this corridor; else the vehicle's or the fleet's trips at this hour. */
  historicalSource: StringEnum(['route', 'vehicle', 'fleet', 'default'] as const),
  /** Minutes stopped, when stalled. */
  stalledMin: Type.Optional(Type.Number()),
});
export type EtaResult = Static<typeof EtaResult>;

export const EtaDestination = Type.Union([Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }), Type.Object({ fenceId: Type.String() })]);
export type EtaDestination = { lat: number; lon: number } | { fenceId: string };

export const etaMethods = {
  /** ETA of a vehicle to a point or a geofence (a corridor fence is followed as the route to its end). */
  getEta: method('dispatcher', Type.Object({ vehicleId: VehicleId, destination: EtaDestination }),
    Type.Composite([EtaResult, Type.Object({ destination: Type.Object({ lat: Type.Number(), lon: Type.Number(), label: Type.String() }) })]),
  ),
};

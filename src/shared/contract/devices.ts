// Devices: who may publish telemetry to the embedded broker and the OsmAnd endpoint. Secrets are never sent back.
import { method, NoParams, Nullable, Type, type Static } from './schema';
import { VehicleId } from './vehicles';

export const BrokerSecuritySettings = Type.Object({
  embedded: Type.Boolean(),
  /** Where vehicles connect, e.g. mqtt://127.0.0.1:1883 (and mqtts:// when TLS is on). */
  listenUrls: Type.Array(Type.String()),
  allowAnonymous: Type.Boolean(),
  /** True when anonymous access is forced on for this run (demo or --allow-anonymous). */
  anonymousForcedByStartup: Type.Boolean(),
  fleetTokenSet: Type.Boolean(),
  /** Registered vehicles; refusals count since FleetDesk started (logins and publishes under that id). */
  devices: Type.Array(
    Type.Object({
      vehicleId: Type.String(),
      createdMs: Type.Number(),
      lastSeenMs: Nullable(Type.Number()),
      refused: Type.Integer(),
      lastRefusedMs: Nullable(Type.Number()),
      lastRefusalReason: Nullable(Type.String()),
    }),
  ),
  /** What the broker and the listeners refused since start, by reason, and the last refusals. */
  refusals: Type.Object({
    byReason: Type.Array(Type.Object({ listener: Type.String(), reason: Type.String(), count: Type.Integer() })),
    last: Type.Array(Type.Object({ atMs: Type.Number(), listener: Type.String(), reason: Type.String(), who: Type.String(), address: Type.String() })),
  }),
});
export type BrokerSecuritySettings = Static<typeof BrokerSecuritySettings>;

export const devicesMethods = {
  getBrokerSecurity: method('admin', NoParams, BrokerSecuritySettings),
  /** Creates (or replaces) a vehicle's broker secret; the secret is returned this once only. */
  createDeviceCredential: method('admin', Type.Object({ vehicleId: Type.String({ maxLength: 80 }) }), Type.Object({ vehicleId: Type.String(), secret: Type.String() })),
  revokeDeviceCredential: method('admin', Type.Object({ vehicleId: VehicleId }), Type.Object({ revoked: Type.Boolean() })),
  setAllowAnonymous: method('admin', Type.Object({ allow: Type.Boolean() }), BrokerSecuritySettings),
  /** A new shared fleet token (returned once); any vehicle id may log in with it. */
  rotateFleetToken: method('admin', NoParams, Type.Object({ token: Type.String() })),
  clearFleetToken: method('admin', NoParams, BrokerSecuritySettings),
};

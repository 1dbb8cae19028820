// Sharing this FleetDesk on the network: the desktop app becomes a control room's hub (HTTPS/WSS only,
// everyone on the network signs in; this computer's own window stays signed in as its operator).
import { method, NoParams, Nullable, Type, type Static } from './schema';

export const SharingStatus = Type.Object({
  /** Only the desktop app shares itself; a `fleetdesk serve` already is a hub or a local console. */
  available: Type.Boolean(),
  enabled: Type.Boolean(),
  port: Type.Integer(),
  /** Addresses workstations type (one per network interface), while shared. */
  urls: Type.Array(Type.String()),
  /** SHA-256 of the hub's certificate: the first connection of each workstation compares it. */
  fingerprint: Nullable(Type.String()),
  /** Why sharing is on but not serving (the port taken, …). */
  error: Nullable(Type.String()),
  /** Users who may sign in as admin (sharing needs one: nobody on the network may become the first admin). */
  admins: Type.Integer(),
});
export type SharingStatus = Static<typeof SharingStatus>;

export const sharingMethods = {
  getSharing: method('admin', NoParams, SharingStatus),
  /** On: serve this FleetDesk to the network (remembered across restarts); off: close it and every remote screen. */
  setSharing: method('admin', Type.Object({ enabled: Type.Boolean(), port: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65535 })) }), SharingStatus),
};

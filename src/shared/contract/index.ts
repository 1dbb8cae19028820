// The whole contract: every domain's methods and events, combined once. A name used twice fails at load.
import { alertsEvents, alertsMethods } from './alerts';
import { costsMethods } from './costs';
import { devicesMethods } from './devices';
import { driversMethods } from './drivers';
import { etaMethods } from './eta';
import { exportsEvents, exportsMethods } from './exports';
import { fencesEvents, fencesMethods } from './fences';
import { historyMethods } from './history';
import { ingestEvents, ingestMethods } from './ingest';
import { maintenanceEvents, maintenanceMethods } from './maintenance';
import { mapsMethods } from './maps';
import { privacyMethods } from './privacy';
import { rulesMethods } from './rules';
import type { MethodSpec, Static } from './schema';
import { handoverEvents, handoverMethods } from './handover';
import { usersEvents, usersMethods } from './users';
import { sharingMethods } from './sharing';
import { federationMethods } from './federation';
import { jobsEvents, jobsMethods, messagesEvents, messagesMethods } from './jobs';
import { vehiclesEvents, vehiclesMethods } from './vehicles';

/** Merges maps, refusing a key that two of them define. */
export function combine<T extends Record<string, unknown>[]>(...maps: T): UnionToIntersection<T[number]> {
  const out: Record<string, unknown> = {};
  for (const m of maps)
    for (const [k, v] of Object.entries(m)) {
      if (k in out) throw new Error(`"${k}" is defined twice`);
      out[k] = v;
    }
  return out as never;
}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export const API_METHODS = combine(
  vehiclesMethods,
  alertsMethods,
  fencesMethods,
  rulesMethods,
  driversMethods,
  historyMethods,
  exportsMethods,
  mapsMethods,
  privacyMethods,
  maintenanceMethods,
  costsMethods,
  etaMethods,
  ingestMethods,
  devicesMethods,
  usersMethods,
  handoverMethods,
  sharingMethods,
  jobsMethods,
  messagesMethods,
  federationMethods,
);

export const API_EVENTS = combine(vehiclesEvents, alertsEvents, fencesEvents, ingestEvents, exportsEvents, maintenanceEvents, usersEvents, handoverEvents, jobsEvents, messagesEvents);

type Table = typeof API_METHODS;
/** Request/response calls: method name → params and result, as TypeScript sees them. */
export type ApiMethods = {
  [M in keyof Table]: Table[M] extends MethodSpec<infer P, infer R> ? { params: Static<P>; result: Static<R> } : never;
};
/** Events pushed from the core to every connected UI. */
type Events = typeof API_EVENTS;
export type ApiEvents = { [E in keyof Events]: Static<Events[E]> };

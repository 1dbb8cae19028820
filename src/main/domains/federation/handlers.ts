// Federation methods: this FleetDesk's link (depot forwarding, or headquarters receiving), the depots
// headquarters hears from, the fences and rules it pushes, and a depot's upstream set in Settings.
import type { federationMethods } from '../../../shared/contract/federation';
import { actor, type HandlersOf } from '../../api/handlers';
import type { FederationLink } from './link';

export function federationHandlers(d: { link: FederationLink }): HandlersOf<typeof federationMethods> {
  return {
    getFederation: async () => d.link.status(),
    listDepots: async () => d.link.depots(),
    setUpstream: async (p) => d.link.setUpstream(p),
    pushFences: async (p, caller) => d.link.pushFences(p.depotIds, p.fenceIds ?? null, actor(caller, undefined, 'supervisor')),
    pushRules: async (p, caller) => d.link.pushRules(p.depotIds, actor(caller, undefined, 'supervisor')),
    forwardAgainSince: async (p, caller) => d.link.forwardAgainSince(p.sinceMs, actor(caller, undefined, 'admin')),
  };
}

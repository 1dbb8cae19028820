// Federation methods: this FleetDesk's link (depot forwarding, or headquarters receiving) and the depots
// headquarters hears from.
import type { federationMethods, FederationStatus } from '../../../shared/contract/federation';
import { actor, type HandlersOf } from '../../api/handlers';
import { ApiError } from '../../api/api-error';
import type { Forwarder } from './forwarder';
import type { Receiver } from './receiver';

const OFF: FederationStatus = { role: 'off', depotId: null, brokerUrl: null, connected: false, lastError: null, backlogRows: 0, backlogOldestMs: null, forwardedRows: 0, rowsPerSec: 0, bytesSent: 0, maxRowsPerSec: 0, pushedFences: null };

export function federationHandlers(d: { forwarder: () => Forwarder | null; receiver: () => Receiver | null }): HandlersOf<typeof federationMethods> {
  return {
    getFederation: async () => d.forwarder()?.status() ?? d.receiver()?.status() ?? OFF,
    listDepots: async () => d.receiver()?.depots() ?? [],
    pushFences: async (p, caller) => {
      const r = d.receiver();
      if (!r) throw new ApiError('bad_request', 'Only headquarters pushes fences to depots (fleetdesk serve --headquarters).');
      return r.pushFences(p.depotIds, p.fenceIds ?? null, actor(caller, undefined, 'supervisor'));
    },
  };
}

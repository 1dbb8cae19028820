// Sharing methods: whether and where this desktop FleetDesk serves the network.
import type { sharingMethods } from '../../../shared/contract/sharing';
import type { HandlersOf } from '../../api/handlers';
import type { NetworkShare } from './share';

export function sharingHandlers(d: { share: NetworkShare }): HandlersOf<typeof sharingMethods> {
  return {
    getSharing: async () => d.share.status(),
    setSharing: async (p) => d.share.set(p.enabled, p.port),
  };
}

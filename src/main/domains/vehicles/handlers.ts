// Vehicle methods: the live list and one vehicle's detail, as privacy mode lets screens see them.
import type { vehiclesMethods } from '../../../shared/contract/vehicles';
import type { LiveState } from '../../core/live/live-state';
import type { Store } from '../../core/storage/store';
import type { HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';

export function vehiclesHandlers(d: { store: Store; live: LiveState; gate: PrivacyGate }): HandlersOf<typeof vehiclesMethods> {
  const { live, gate } = d;
  return {
    listVehicles: async () => live.all(Date.now()).map((v) => gate.shownVehicle(v)),
    getVehicle: async (p) => {
      const state = live.get(p.vehicleId, Date.now());
      if (!state) return null;
      const shown = gate.shownVehicle(state);
      return { state: shown, insideFenceIds: shown.hidden ? [] : d.store.fences.membership().filter((m) => m.vehicleId === shown.vehicleId).map((m) => m.fenceId) };
    },
  };
}

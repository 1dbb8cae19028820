// Geofence methods: list, save (checked), delete; every screen hears of a change.
import type { fencesMethods } from '../../../shared/contract/fences';
import type { Emit, HandlersOf } from '../../api/handlers';
import type { FenceRegistry } from './registry';

export function fencesHandlers(d: { fences: FenceRegistry; emit: Emit }): HandlersOf<typeof fencesMethods> {
  const { fences } = d;
  return {
    listGeofences: async () => fences.list(),
    saveGeofence: async (input) => {
      const fence = await fences.save(input);
      d.emit('geofencesChanged', fences.list());
      return fence;
    },
    deleteGeofence: async (p) => {
      const deleted = fences.delete(p.id);
      d.emit('geofencesChanged', fences.list());
      return { deleted };
    },
  };
}

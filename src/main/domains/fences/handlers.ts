// Geofence methods: list, save (checked), delete; every screen hears of a change.
import type { fencesMethods } from '../../../shared/contract/fences';
import type { Caller } from '../../../shared/api';
import type { Store } from '../../core/storage/store';
import { actor, type Emit, type HandlersOf } from '../../api/handlers';
import type { FenceRegistry } from './registry';

export function fencesHandlers(d: { fences: FenceRegistry; emit: Emit; store: Store }): HandlersOf<typeof fencesMethods> {
  const { fences } = d;
  /** Who edited which fence goes to the audit log. */
  const audit = (caller: Caller | undefined, action: string, detail: Record<string, unknown>) =>
    d.store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, 'dispatcher'), action, detail: JSON.stringify(detail) });
  return {
    listGeofences: async () => fences.list(),
    saveGeofence: async (input, caller) => {
      const fence = await fences.save(input);
      audit(caller, input.id ? 'fence_saved' : 'fence_added', { id: fence.id, name: fence.name, category: fence.category });
      d.emit('geofencesChanged', fences.list());
      return fence;
    },
    deleteGeofence: async (p, caller) => {
      const name = fences.byId.get(p.id)?.name;
      const deleted = fences.delete(p.id);
      if (deleted) audit(caller, 'fence_deleted', { id: p.id, name });
      d.emit('geofencesChanged', fences.list());
      return { deleted };
    },
  };
}

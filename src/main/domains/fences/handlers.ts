// Geofence methods: list, save (checked), delete; every screen hears of a change.
import type { fencesMethods } from '../../../shared/contract/fences';
import type { Caller } from '../../../shared/api';
import type { Store } from '../../core/storage/store';
import { actor, type Emit, type HandlersOf } from '../../api/handlers';
import { ApiError } from '../../api/api-error';
import type { FenceRegistry } from './registry';

export function fencesHandlers(d: {
  fences: FenceRegistry;
  emit: Emit;
  store: Store;
  /** A depot: who a fence belongs to when it is not the depot's own ("headquarters, version 3"), else null. */
  ownerOf?: (id: string) => string | null;
}): HandlersOf<typeof fencesMethods> {
  const { fences } = d;
  /** A fence headquarters pushed is changed there (the next push would undo a change made here). */
  const ours = (id: string | undefined, what: string) => {
    const owner = id === undefined ? null : (d.ownerOf?.(id) ?? null);
    if (owner) throw new ApiError('forbidden', `${fences.byId.get(id!)?.name ?? id} comes from ${owner}: it is ${what} there, and the next push replaces it here.`);
  };
  /** Who edited which fence goes to the audit log. */
  const audit = (caller: Caller | undefined, action: string, detail: Record<string, unknown>) =>
    d.store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, 'dispatcher'), action, detail: JSON.stringify(detail) });
  return {
    listGeofences: async () => fences.list(),
    saveGeofence: async (input, caller) => {
      ours(input.id, 'changed');
      const fence = await fences.save(input);
      audit(caller, input.id ? 'fence_saved' : 'fence_added', { id: fence.id, name: fence.name, category: fence.category });
      d.emit('geofencesChanged', fences.list());
      return fence;
    },
    deleteGeofence: async (p, caller) => {
      ours(p.id, 'deleted');
      const name = fences.byId.get(p.id)?.name;
      const deleted = fences.delete(p.id);
      if (deleted) audit(caller, 'fence_deleted', { id: p.id, name });
      d.emit('geofencesChanged', fences.list());
      return { deleted };
    },
  };
}

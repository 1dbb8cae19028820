// Messages between the engine host (main thread) and the engine worker.
import type { GeofenceEvent } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';

/** A batch of positions in columns, so the numbers travel as transferable typed arrays. */
export interface PositionColumns {
  vehicleIds: string[];
  tsMs: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
}

export type ToWorker =
  | { type: 'init'; fences: IndexedFence[]; membership: { vehicleId: string; fenceId: string; sinceMs: number }[] }
  | { type: 'upsertFence'; fence: IndexedFence }
  | { type: 'removeFence'; id: string }
  | { type: 'positions'; seq: number; batch: PositionColumns };

export type FromWorker =
  | { type: 'ready'; fences: number }
  | { type: 'events'; seq: number; events: GeofenceEvent[]; processed: number }
  | { type: 'error'; seq: number | null; message: string };

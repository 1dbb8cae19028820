// The fences in force: saved, checked (big shapes off the service thread) and handed to the engine.
import type { Geofence, GeofenceInput } from '../../../shared/contract/fences';
import { FENCE_CATEGORIES, FENCE_DEFAULT_COLORS } from '../../../shared/fence-geojson';
import type { EngineHost } from '../../core/engine/engine-host';
import { fenceSize, validateFenceGeometry } from '../../core/geofence/geometry';
import { validateFenceRules } from '../../core/rules/config';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';

/** Fences with more vertices than this are validated in a worker thread. */
const OFF_THREAD_VERTICES = 2_000;

export class FenceRegistry {
  /** Every fence by id: what the engine checks and the alert texts name. */
  readonly byId: Map<string, Geofence>;
  /** Set once the engine runs; fences saved before that reach it at its start. */
  engine: EngineHost | null = null;

  constructor(
    private readonly store: Store,
    /** Checks a big geometry in a worker thread: null when it is usable, else what is wrong. */
    private readonly validateOffThread: (geometry: unknown) => Promise<string | null>,
  ) {
    this.byId = new Map(store.fences.list().map((f) => [f.id, f]));
  }

  /** A big shape's check, in a thread of its own (the service thread ingests and answers meanwhile). */
  validateInWorker(geometry: unknown): Promise<string | null> {
    return this.validateOffThread(geometry);
  }

  list(): Geofence[] {
    return [...this.byId.values()];
  }

  /** Checks and saves a fence from a screen or a file; a shape of thousands of vertices is checked in a worker. */
  async save(input: { name: string; geometry: unknown }): Promise<Geofence> {
    const refused = (why: string) => new ApiError('bad_request', `Geofence "${input.name.trim()}" was not saved: ${why}.`);
    // the size first (cheap); a big shape is checked off the service thread
    const size = fenceSize(input.geometry);
    if (size.error) throw refused(size.error);
    if (size.vertices <= OFF_THREAD_VERTICES) return this.saveChecked(input as GeofenceInput, false);
    const err = await this.validateInWorker(input.geometry);
    if (err) throw refused(err);
    return this.saveChecked(input as GeofenceInput, true);
  }

  /** `geometryChecked`: the geometry was already validated (in a worker). */
  saveChecked(input: GeofenceInput, geometryChecked: boolean): Geofence {
    const name = input.name.trim();
    if (!name) throw new ApiError('bad_request', 'A geofence needs a name.');
    if (name.length > 120) throw new ApiError('bad_request', 'A geofence name can be at most 120 characters.');
    if (!FENCE_CATEGORIES.includes(input.category)) {
      throw new ApiError('bad_request', `Unknown category ${JSON.stringify(input.category)}; expected one of ${FENCE_CATEGORIES.join(', ')}.`);
    }
    const geometryError = geometryChecked ? null : validateFenceGeometry(input.geometry);
    if (geometryError) throw new ApiError('bad_request', `Geofence "${name}" was not saved: ${geometryError}.`);
    const rulesError = validateFenceRules(input.rules);
    if (rulesError) throw new ApiError('bad_request', `Geofence "${name}" was not saved: ${rulesError}.`);
    const color = input.color && /^#[0-9a-fA-F]{6}$/.test(input.color) ? input.color : FENCE_DEFAULT_COLORS[input.category];
    const now = Date.now();
    const existing = input.id ? this.store.fences.get(input.id) : null;
    const fence: Geofence = {
      id: input.id && /^[A-Za-z0-9_.:-]{1,64}$/.test(input.id) ? input.id : `fence-${now.toString(36)}-${Math.random().toString(36).slice(2, 7)}`,
      name,
      category: input.category,
      color,
      geometry: input.geometry,
      rules: input.rules ?? {},
      createdMs: existing?.createdMs ?? now,
      updatedMs: now,
    };
    this.store.fences.upsert(fence);
    this.byId.set(fence.id, fence);
    this.engine?.upsertFence(fence);
    return fence;
  }

  delete(id: string): boolean {
    const deleted = this.store.fences.delete(id);
    this.byId.delete(id);
    this.engine?.removeFence(id);
    return deleted;
  }
}

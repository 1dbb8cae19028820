// ETA method: a vehicle to a point or a fence (a corridor is followed as the route to its end).
import { centroid } from '@turf/turf';
import type { etaMethods } from '../../../shared/contract/eta';
import { estimateEta } from '../../core/eta/eta';
import { haversineM } from '../../core/geo/distance';
import type { LiveState } from '../../core/live/live-state';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import type { HandlersOf } from '../../api/handlers';
import type { FenceRegistry } from '../fences/registry';
import type { PrivacyGate } from '../privacy/gate';
import type { EtaModels } from './models';

type Destination = { lat: number; lon: number; label: string };

export function etaHandlers(d: { store: Store; live: LiveState; fences: FenceRegistry; gate: PrivacyGate; models: EtaModels }): HandlersOf<typeof etaMethods> {
  /** Where a fence destination is, and for a corridor its route and the speeds of past traversals. */
  const fenceDestination = (fenceId: string, nowMs: number): { destination: Destination; route?: number[][]; routeSpeeds?: { tsMs: number; kmh: number }[] } => {
    const f = d.fences.byId.get(fenceId);
    if (!f) throw new ApiError('not_found', `Geofence ${fenceId} does not exist.`);
    const g = f.geometry;
    if (g.type === 'Circle') return { destination: { lon: g.center[0], lat: g.center[1], label: f.name } };
    if (g.type !== 'Corridor') {
      const c = centroid({ type: 'Feature', properties: {}, geometry: g }).geometry.coordinates;
      return { destination: { lon: c[0]!, lat: c[1]!, label: f.name } };
    }
    // past traversals of this corridor: its length ÷ each visit's duration (visits over 30 s)
    let lengthKm = 0;
    for (let i = 1; i < g.line.length; i++) lengthKm += haversineM(g.line[i - 1]![0]!, g.line[i - 1]![1]!, g.line[i]![0]!, g.line[i]![1]!) / 1000;
    const routeSpeeds = d.store
      .fences.visits(null, nowMs - 28 * 86_400_000, nowMs, f.id)
      .filter((v) => v.durationS !== null && v.durationS > 30)
      .map((v) => ({ tsMs: v.enterMs, kmh: lengthKm / (v.durationS! / 3600) }))
      .filter((x) => x.kmh > 2 && x.kmh < 150);
    const end = g.line[g.line.length - 1]!;
    return { destination: { lon: end[0]!, lat: end[1]!, label: `${f.name} (end of route)` }, route: g.line, routeSpeeds };
  };

  return {
    getEta: async (p) => {
      const now = Date.now();
      const live = d.live.get(p.vehicleId, now);
      if (!live) throw new ApiError('not_found', `No position from ${p.vehicleId} yet.`);
      if (d.gate.shownVehicle(live).hidden) throw new ApiError('bad_request', `${live.vehicleId} is in privacy mode: its position is hidden.`);
      const to = 'fenceId' in p.destination ? fenceDestination(p.destination.fenceId, now) : { destination: { lat: p.destination.lat, lon: p.destination.lon, label: `${p.destination.lat.toFixed(5)}, ${p.destination.lon.toFixed(5)}` } };
      const r = estimateEta(await d.models.model(now), {
        vehicleId: live.vehicleId,
        lat: live.last.lat,
        lon: live.last.lon,
        speedKmh: live.status === 'offline' ? null : live.last.speedKmh,
        stoppedSinceMs: d.models.stoppedSinceMs(live.vehicleId),
        nowMs: now,
        ...to,
      });
      return { ...r, destination: to.destination };
    },
  };
}

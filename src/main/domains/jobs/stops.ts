// A job's stops made ready to store: a stop given as an existing geofence takes the fence's centre as its
// point (for ETAs and the map), its name when none is given, and a radius that covers it (drawn only: the
// fence itself decides arrival); a stop given as a point keeps it.
import { centroid } from '@turf/turf';
import type { Geofence } from '../../../shared/contract/fences';
import type { NewStop } from '../../../shared/contract/jobs';
import { ApiError } from '../../api/api-error';
import { bboxOf } from '../../core/geofence/geometry';
import { haversineM } from '../../core/geo/distance';
import type { ResolvedStop } from './repo';

/** A fence by id, or else by name (CSV files name fences as dispatchers know them), case-insensitive. */
export function fenceLookup(fences: Iterable<Geofence>): (key: string) => Geofence | null {
  const list = [...fences];
  return (key) => list.find((f) => f.id === key) ?? list.find((f) => f.name.trim().toLowerCase() === key.trim().toLowerCase()) ?? null;
}

export function resolveStops(stops: readonly NewStop[], fenceOf: (key: string) => Geofence | null): ResolvedStop[] {
  return stops.map((s, i) => {
    if (s.fenceId !== undefined) {
      const f = fenceOf(s.fenceId);
      if (!f) throw new ApiError('bad_request', `Stop ${i + 1}: there is no geofence ${s.fenceId}.`);
      const { lat, lon, radiusM } = placeOfFence(f);
      return { ...s, fenceId: f.id, name: s.name?.trim() || f.name, lat, lon, radiusM };
    }
    if (s.lat === undefined || s.lon === undefined) throw new ApiError('bad_request', `Stop ${i + 1}: give its position (lat, lon) or a geofence.`);
    return { ...s, lat: s.lat, lon: s.lon };
  });
}

/** Where a fence is, as one point and a radius around it. A corridor's stop is its end (where the route leads). */
export function placeOfFence(f: Geofence): { lat: number; lon: number; radiusM: number } {
  const g = f.geometry;
  if (g.type === 'Circle') return { lon: g.center[0], lat: g.center[1], radiusM: g.radiusM };
  if (g.type === 'Corridor') {
    const end = g.line[g.line.length - 1]!;
    return { lon: end[0]!, lat: end[1]!, radiusM: Math.max(20, g.widthM / 2) };
  }
  const c = centroid({ type: 'Feature', properties: {}, geometry: g }).geometry.coordinates as [number, number];
  const [w, s, e, n] = bboxOf(g);
  const radiusM = Math.max(haversineM(c[0], c[1], w, s), haversineM(c[0], c[1], e, n), haversineM(c[0], c[1], w, n), haversineM(c[0], c[1], e, s));
  return { lon: c[0], lat: c[1], radiusM: Math.min(5000, Math.max(20, Math.round(radiusM))) };
}

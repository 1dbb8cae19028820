// Geofence geometry: validation with messages that name the ring and the reason, and exact point tests.
import pointInPolygon from 'point-in-polygon-hao';
import { kinks } from '@turf/turf';
import type { FenceGeometry } from '../../../shared/types';

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

const MAX_VERTICES = 100_000; // per fence; a hand-drawn fence has tens, an imported boundary a few thousand

function describeRing(polygonIndex: number, ringIndex: number, multi: boolean): string {
  const ring = ringIndex === 0 ? 'outer ring' : `hole ${ringIndex}`;
  return multi ? `polygon ${polygonIndex + 1}, ${ring}` : ring;
}

function validateRing(ring: unknown, where: string): string | null {
  if (!Array.isArray(ring)) return `${where}: expected an array of [lon, lat] positions`;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i] as unknown;
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') {
      return `${where}: point ${i + 1} is not a [lon, lat] pair of numbers`;
    }
    const [lon, lat] = p as [number, number];
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      return `${where}: point ${i + 1} [${lon}, ${lat}] is outside longitude -180..180 / latitude -90..90`;
    }
  }
  if (ring.length < 4) {
    return `${where}: has ${ring.length} positions; a closed ring needs at least 4 (3 corners and the first repeated)`;
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return `${where}: is not closed (first point [${first[0]}, ${first[1]}] differs from last [${last[0]}, ${last[1]}])`;
  }
  const distinct = new Set((ring as number[][]).slice(0, -1).map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 3) return `${where}: needs at least 3 distinct corners, has ${distinct.size}`;
  const crossings = kinks({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring as number[][] } });
  if (crossings.features.length > 0) {
    const c = crossings.features[0]!.geometry.coordinates;
    return `${where}: crosses itself near [${c[0]!.toFixed(6)}, ${c[1]!.toFixed(6)}]`;
  }
  return null;
}

/** Returns null when the geometry is a usable fence, else a message saying which ring is wrong and why. */
export function validateFenceGeometry(geometry: unknown): string | null {
  if (geometry === null || typeof geometry !== 'object') return 'geometry is missing';
  const g = geometry as { type?: unknown; coordinates?: unknown };
  let polygons: unknown[];
  if (g.type === 'Polygon') polygons = [g.coordinates];
  else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'MultiPolygon has no polygons';
    polygons = g.coordinates;
  } else return `geometry type ${JSON.stringify(g.type)} is not supported; expected Polygon or MultiPolygon`;
  const multi = g.type === 'MultiPolygon';
  let vertices = 0;
  for (let pi = 0; pi < polygons.length; pi++) {
    const rings = polygons[pi];
    if (!Array.isArray(rings) || rings.length === 0) return `${multi ? `polygon ${pi + 1}` : 'polygon'} has no rings`;
    for (let ri = 0; ri < rings.length; ri++) {
      const err = validateRing(rings[ri], describeRing(pi, ri, multi));
      if (err) return err;
      vertices += (rings[ri] as unknown[]).length;
    }
  }
  if (vertices > MAX_VERTICES) return `fence has ${vertices} vertices; the limit is ${MAX_VERTICES}`;
  return null;
}

/** Polygons of a fence as an array of polygons (rings of [lon, lat]). */
export function polygonsOf(geometry: FenceGeometry): number[][][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

export function bboxOf(geometry: FenceGeometry): BBox {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const poly of polygonsOf(geometry)) {
    for (const [lon, lat] of poly[0]!) {
      if (lon! < minLon) minLon = lon!;
      if (lon! > maxLon) maxLon = lon!;
      if (lat! < minLat) minLat = lat!;
      if (lat! > maxLat) maxLat = lat!;
    }
  }
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * Exact test: is [lon, lat] strictly inside the fence? Points on any edge, including a hole's,
 * count as outside (a vehicle on the line has not entered yet).
 */
export function isStrictlyInside(geometry: FenceGeometry, lon: number, lat: number): boolean {
  const p = [lon, lat];
  for (const poly of polygonsOf(geometry)) {
    if (pointInPolygon(p, poly) === true) return true;
  }
  return false;
}

// Geofence geometry: validation with messages that name the ring and the reason, and exact point tests
// for polygons (with holes), multipolygons, circles and corridors. A point on a boundary is outside.
import pointInPolygon from 'point-in-polygon-hao';
import { firstSelfIntersection } from './self-intersection';
import type { FenceGeometry } from '../../../shared/contract/fences';
import { haversineM, M_PER_DEG } from '../geo/distance';

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

const MAX_VERTICES = 100_000; // per fence; a hand-drawn fence has tens, an imported boundary a few thousand
const MAX_RADIUS_M = 100_000; // a circle larger than 100 km is a region, better drawn as a polygon
const MAX_CORRIDOR_WIDTH_M = 10_000;

function validPosition(p: unknown): p is [number, number] {
  return (
    Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' &&
    Number.isFinite(p[0]) && Number.isFinite(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
  );
}

function validateCircle(g: { center?: unknown; radiusM?: unknown }): string | null {
  if (!validPosition(g.center)) return 'circle: center must be [lon, lat] within longitude -180..180 / latitude -90..90';
  const r = g.radiusM;
  if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) return 'circle: radiusM must be a number of metres above 0';
  if (r > MAX_RADIUS_M) return `circle: radius ${r} m is over the ${MAX_RADIUS_M / 1000} km limit; draw a polygon instead`;
  return null;
}

function validateCorridor(g: { line?: unknown; widthM?: unknown }): string | null {
  if (!Array.isArray(g.line) || g.line.length < 2) return 'corridor: line needs at least 2 [lon, lat] points';
  for (let i = 0; i < g.line.length; i++) {
    if (!validPosition(g.line[i])) return `corridor: point ${i + 1} is not a [lon, lat] pair within range`;
  }
  const w = g.widthM;
  if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) return 'corridor: widthM must be a number of metres above 0';
  if (w > MAX_CORRIDOR_WIDTH_M) return `corridor: width ${w} m is over the ${MAX_CORRIDOR_WIDTH_M / 1000} km limit`;
  if (g.line.length > MAX_VERTICES) return `corridor has ${g.line.length} points; the limit is ${MAX_VERTICES}`;
  return null;
}

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
  const coords = ringCrossesAntimeridian(ring as number[][]) ? unwrapRing(ring as number[][]) : (ring as number[][]);
  const c = firstSelfIntersection(coords);
  if (c) {
    const lon = c[0] > 180 ? c[0] - 360 : c[0];
    return `${where}: crosses itself near [${lon.toFixed(6)}, ${c[1].toFixed(6)}]`;
  }
  return null;
}

/**
 * Vertices of a fence geometry, counted without checking them (cheap), and whether that is over the
 * limit: checked before anything slower.
 */
export function fenceSize(geometry: unknown): { vertices: number; error: string | null } {
  const g = geometry as { type?: unknown; coordinates?: unknown; line?: unknown } | null;
  let vertices = 0;
  if (g && g.type === 'Corridor' && Array.isArray(g.line)) vertices = g.line.length;
  else if (g && Array.isArray(g.coordinates)) {
    const polygons = g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates];
    for (const rings of polygons) if (Array.isArray(rings)) for (const ring of rings) if (Array.isArray(ring)) vertices += ring.length;
  }
  return { vertices, error: vertices > MAX_VERTICES ? `fence has ${vertices} vertices; the limit is ${MAX_VERTICES}` : null };
}

/** Returns null when the geometry is a usable fence, else a message saying which ring is wrong and why. */
export function validateFenceGeometry(geometry: unknown): string | null {
  if (geometry === null || typeof geometry !== 'object') return 'geometry is missing';
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const size = fenceSize(geometry);
  if (size.error) return size.error;
  if (g.type === 'Circle') return validateCircle(geometry as { center?: unknown; radiusM?: unknown });
  if (g.type === 'Corridor') return validateCorridor(geometry as { line?: unknown; widthM?: unknown });
  let polygons: unknown[];
  if (g.type === 'Polygon') polygons = [g.coordinates];
  else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'MultiPolygon has no polygons';
    polygons = g.coordinates;
  } else return `geometry type ${JSON.stringify(g.type)} is not supported; expected Polygon, MultiPolygon, Circle or Corridor`;
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

/**
 * The antimeridian: a ring with an edge jumping more than 180° of longitude is taken to cross ±180°
 * (the short way round), as a dispatcher drawing around Fiji or the Bering Strait means. Such a
 * polygon is evaluated "unwrapped": western longitudes shifted by +360 so the ring is continuous.
 */
export function ringCrossesAntimeridian(ring: number[][]): boolean {
  for (let i = 0; i + 1 < ring.length; i++) if (Math.abs(ring[i + 1]![0]! - ring[i]![0]!) > 180) return true;
  return false;
}

function unwrapRing(ring: number[][]): number[][] {
  return ring.map(([lon, lat]) => [lon! < 0 ? lon! + 360 : lon!, lat!]);
}

/** Polygons of a polygon fence as an array of polygons (rings of [lon, lat]). */
export function polygonsOf(geometry: Extract<FenceGeometry, { type: 'Polygon' | 'MultiPolygon' }>): number[][][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

const unwrapped = new WeakMap<object, number[][][][] | null>();

/** For a polygon fence crossing the antimeridian: its polygons with longitudes in 0..360; else null. */
export function unwrappedPolygonsOf(geometry: Extract<FenceGeometry, { type: 'Polygon' | 'MultiPolygon' }>): number[][][][] | null {
  let u = unwrapped.get(geometry);
  if (u === undefined) {
    const polys = polygonsOf(geometry);
    u = polys.some((poly) => poly.some(ringCrossesAntimeridian)) ? polys.map((poly) => poly.map(unwrapRing)) : null;
    unwrapped.set(geometry, u);
  }
  return u;
}

/** Degrees of latitude and longitude that `m` metres span at latitude `lat` (the wider of the two edges). */
function degreesFor(m: number, lat: number): { dLat: number; dLon: number } {
  const dLat = m / M_PER_DEG;
  const cos = Math.cos((Math.min(89.9, Math.abs(lat) + dLat) * Math.PI) / 180);
  return { dLat, dLon: Math.min(180, m / (M_PER_DEG * cos)) };
}

function pointsBBox(points: number[][]): BBox {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const [lon, lat] of points) {
    if (lon! < minLon) minLon = lon!;
    if (lon! > maxLon) maxLon = lon!;
    if (lat! < minLat) minLat = lat!;
    if (lat! > maxLat) maxLat = lat!;
  }
  return [minLon, minLat, maxLon, maxLat];
}

/** A box that surely contains the fence (for the spatial index; the exact test comes after). */
export function bboxOf(geometry: FenceGeometry): BBox {
  switch (geometry.type) {
    case 'Circle': {
      const [lon, lat] = geometry.center;
      const { dLat, dLon } = degreesFor(geometry.radiusM, lat);
      return [lon - dLon, lat - dLat, lon + dLon, lat + dLat];
    }
    case 'Corridor': {
      const [minLon, minLat, maxLon, maxLat] = pointsBBox(geometry.line);
      const { dLat, dLon } = degreesFor(geometry.widthM / 2, Math.max(Math.abs(minLat), Math.abs(maxLat)));
      return [minLon - dLon, minLat - dLat, maxLon + dLon, maxLat + dLat];
    }
    default: {
      // crossing the antimeridian: maxLon is above 180 (the index splits such a box in two)
      const polys = unwrappedPolygonsOf(geometry) ?? polygonsOf(geometry);
      return pointsBBox(polys.flatMap((poly) => poly[0]!));
    }
  }
}

/**
 * Metres from a point to a polyline. Each segment is measured in a local equirectangular projection
 * centred on the point: within 0.1 % of the geodesic distance for corridors up to tens of km wide.
 */
export function distanceToLineM(lon: number, lat: number, line: number[][]): number {
  const kx = metresPerDegreeLon(lat);
  let best = Infinity;
  for (let i = 0; i + 1 < line.length; i++) {
    const d = distanceToSegmentM(lon, lat, line[i]![0]!, line[i]![1]!, line[i + 1]![0]!, line[i + 1]![1]!, kx);
    if (d < best) best = d;
  }
  return best;
}

/** Metres per degree of longitude at `lat`, as distanceToLineM measures (pass it to distanceToSegmentM). */
export function metresPerDegreeLon(lat: number): number {
  return M_PER_DEG * Math.cos((lat * Math.PI) / 180);
}

/** Metres from a point to the segment (x1, y1)–(x2, y2), with kx = metresPerDegreeLon(lat): one step of distanceToLineM. */
export function distanceToSegmentM(lon: number, lat: number, x1: number, y1: number, x2: number, y2: number, kx: number): number {
  const ax = (x1 - lon) * kx;
  const ay = (y1 - lat) * M_PER_DEG;
  const bx = (x2 - lon) * kx;
  const by = (y2 - lat) * M_PER_DEG;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  const ex = ax + t * dx;
  const ey = ay + t * dy;
  return Math.sqrt(ex * ex + ey * ey); // not Math.hypot: several times slower, and no overflow to guard against here
}

/**
 * Exact test: is [lon, lat] strictly inside the fence? Points on any edge, including a hole's, on a
 * circle's rim or a corridor's edge count as outside (a vehicle on the line has not entered yet).
 */
export function isStrictlyInside(geometry: FenceGeometry, lon: number, lat: number): boolean {
  switch (geometry.type) {
    case 'Circle':
      return haversineM(geometry.center[0], geometry.center[1], lon, lat) < geometry.radiusM;
    case 'Corridor':
      return distanceToLineM(lon, lat, geometry.line) < geometry.widthM / 2;
    default: {
      const wrapped = unwrappedPolygonsOf(geometry);
      const p = [wrapped && lon < 0 ? lon + 360 : lon, lat];
      for (const poly of wrapped ?? polygonsOf(geometry)) {
        if (pointInPolygon(p, poly) === true) return true;
      }
      return false;
    }
  }
}

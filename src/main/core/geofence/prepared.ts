// Prepared polygons: each polygon's edges sorted into horizontal strips, so the point test (a ray
// cast along +x) looks only at the few edges that span the point's latitude instead of every edge.
// Same answer as a full test, boundary included: a point on any edge (of a ring or a hole) is outside.
import type { FenceGeometry } from '../../../shared/contract/fences';
import { polygonsOf, unwrappedPolygonsOf } from './geometry';

/**
 * One polygon (outer ring and holes) as one flat array, so a test touches one object:
 * [minY, maxY, stripH, stripCount, offset of strip 0, …, offset of strip n, edges of strip 0, …]
 * where each strip's edges are x1, y1, x2, y2 quadruples (an edge spanning several strips is in each).
 */
type PreparedPolygon = Float64Array;
/** Where a prepared polygon's edges start (they end at its length); an edge spanning strips repeats. */
export function firstEdge(p: PreparedPolygon): number {
  return 4 + p[3]! + 1;
}

export interface PreparedPolygons {
  polygons: PreparedPolygon[];
  /**
   * A raster over the fence's box: 1 = cell wholly inside, -1 = wholly outside, 0 = an edge passes
   * near it (ask the strips). Most points of a big zone are answered by one array read.
   */
  raster: Int8Array;
  rasterN: number;
  minX: number;
  minY: number;
  cellW: number;
  cellH: number;
  /** Crosses the antimeridian: coordinates unwrapped to 0..360, so western longitudes are tested +360. */
  wrapped: boolean;
}

function preparePolygon(rings: number[][][]): PreparedPolygon {
  const count = rings.reduce((n, r) => n + r.length - 1, 0);
  const edges = new Float64Array(count * 4);
  let minY = Infinity;
  let maxY = -Infinity;
  let e = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i]!;
      const [x2, y2] = ring[i + 1]!;
      edges[e++] = x1!;
      edges[e++] = y1!;
      edges[e++] = x2!;
      edges[e++] = y2!;
      if (y1! < minY) minY = y1!;
      if (y1! > maxY) maxY = y1!;
    }
  }
  const n = Math.max(1, Math.min(512, Math.round(count / 2)));
  const stripH = (maxY - minY) / n || 1;
  const lists: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < count; k++) {
    const ya = edges[k * 4 + 1]!;
    const yb = edges[k * 4 + 3]!;
    // clamped both ways: an edge along the top (y = maxY) belongs to the last strip, not to none
    const lo = Math.min(n - 1, Math.max(0, Math.floor((Math.min(ya, yb) - minY) / stripH)));
    const hi = Math.min(n - 1, Math.floor((Math.max(ya, yb) - minY) / stripH));
    for (let s = lo; s <= hi; s++) lists[s]!.push(k);
  }
  const head = 4 + n + 1;
  const out = new Float64Array(head + lists.reduce((t, l) => t + l.length * 4, 0));
  out[0] = minY;
  out[1] = maxY;
  out[2] = stripH;
  out[3] = n;
  let at = head;
  for (let s = 0; s < n; s++) {
    out[4 + s] = at;
    for (const k of lists[s]!) {
      out.set(edges.subarray(k * 4, k * 4 + 4), at);
      at += 4;
    }
  }
  out[4 + n] = at;
  return out;
}

export function preparePolygons(geometry: Extract<FenceGeometry, { type: 'Polygon' | 'MultiPolygon' }>): PreparedPolygons {
  const unwrapped = unwrappedPolygonsOf(geometry);
  const polygons = (unwrapped ?? polygonsOf(geometry)).map(preparePolygon);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let edgeCount = 0;
  for (const p of polygons) {
    for (let k = firstEdge(p); k < p.length; k += 2) {
      const x = p[k]!;
      const y = p[k + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    edgeCount += (p.length - firstEdge(p)) / 4;
  }
  const n = Math.max(4, Math.min(64, Math.round(Math.sqrt(edgeCount) * 3)));
  const cellW = (maxX - minX) / n || 1e-9;
  const cellH = (maxY - minY) / n || 1e-9;
  const raster = new Int8Array(n * n);
  // mark every cell an edge's box touches (closed intervals: touching counts) as "ask the strips"
  for (const e of polygons) {
    for (let k = firstEdge(e); k < e.length; k += 4) {
      const c0 = Math.max(0, Math.floor((Math.min(e[k]!, e[k + 2]!) - minX) / cellW) - 1);
      const c1 = Math.min(n - 1, Math.floor((Math.max(e[k]!, e[k + 2]!) - minX) / cellW) + 1);
      const r0 = Math.max(0, Math.floor((Math.min(e[k + 1]!, e[k + 3]!) - minY) / cellH) - 1);
      const r1 = Math.min(n - 1, Math.floor((Math.max(e[k + 1]!, e[k + 3]!) - minY) / cellH) + 1);
      // a long diagonal edge would mark its whole box: walk it in steps instead
      const steps = Math.max(1, Math.ceil(Math.max((c1 - c0) , (r1 - r0)) * 2));
      if (steps <= 2) {
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) raster[r * n + c] = 2;
        continue;
      }
      for (let t = 0; t <= steps; t++) {
        const x = e[k]! + ((e[k + 2]! - e[k]!) * t) / steps;
        const y = e[k + 1]! + ((e[k + 3]! - e[k + 1]!) * t) / steps;
        const cc = Math.floor((x - minX) / cellW);
        const rr = Math.floor((y - minY) / cellH);
        for (let r = Math.max(0, rr - 1); r <= Math.min(n - 1, rr + 1); r++) for (let c = Math.max(0, cc - 1); c <= Math.min(n - 1, cc + 1); c++) raster[r * n + c] = 2;
      }
    }
  }
  const prepared: PreparedPolygons = { polygons, wrapped: unwrapped !== null, raster, rasterN: n, minX, minY, cellW, cellH };
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const i = r * n + c;
      if (raster[i] === 2) raster[i] = 0;
      else raster[i] = containsExact(polygons, minX + (c + 0.5) * cellW, minY + (r + 0.5) * cellH) ? 1 : -1;
    }
  }
  return prepared;
}

/** 1 inside, 0 on the boundary, -1 outside (of one polygon, holes counted). */
function classify(p: PreparedPolygon, x: number, y: number): number {
  const minY = p[0]!;
  if (!(y >= minY && y <= p[1]!)) return -1;
  const n = p[3]!;
  const s = Math.min(n - 1, Math.floor((y - minY) / p[2]!));
  const end = p[5 + s]!;
  let inside = false;
  for (let k = p[4 + s]!; k < end; k += 4) {
    const x1 = p[k]!;
    const y1 = p[k + 1]!;
    const x2 = p[k + 2]!;
    const y2 = p[k + 3]!;
    if ((y < y1 && y < y2) || (y > y1 && y > y2)) continue;
    // on the edge?
    if ((x2 - x1) * (y - y1) === (y2 - y1) * (x - x1) && x >= Math.min(x1, x2) && x <= Math.max(x1, x2)) return 0;
    if (y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
  }
  return inside ? 1 : -1;
}

function containsExact(polygons: PreparedPolygon[], x: number, y: number): boolean {
  for (const poly of polygons) if (classify(poly, x, y) === 1) return true;
  return false;
}

/** Strictly inside any of the polygons (a point on an edge is outside). */
export function preparedContains(p: PreparedPolygons, lon: number, lat: number): boolean {
  const x = p.wrapped && lon < 0 ? lon + 360 : lon;
  const c = Math.floor((x - p.minX) / p.cellW);
  const r = Math.floor((lat - p.minY) / p.cellH);
  if (c >= 0 && r >= 0 && c < p.rasterN && r < p.rasterN) {
    const known = p.raster[r * p.rasterN + c]!;
    if (known !== 0) return known === 1;
  }
  return containsExact(p.polygons, x, lat);
}


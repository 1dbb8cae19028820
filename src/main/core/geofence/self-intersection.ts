// Does a ring cross itself? Segments are put in a uniform grid over the ring's bounding box (about one
// cell per segment) and only segments sharing a cell are tested, so an imported boundary of 50,000
// vertices is checked in milliseconds; testing every pair (turf's kinks) took 25 s and held the service.

/** Where two segments meet (the first such point found), or null. Endpoints touching count. */
function meet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] | null {
  const rx = bx - ax;
  const ry = by - ay;
  const sx = dx - cx;
  const sy = dy - cy;
  const denom = rx * sy - ry * sx;
  const qpx = cx - ax;
  const qpy = cy - ay;
  if (denom === 0) {
    // parallel: they meet only if collinear and overlapping
    if (qpx * ry - qpy * rx !== 0) return null;
    const rr = rx * rx + ry * ry;
    if (rr === 0) return null;
    const t0 = (qpx * rx + qpy * ry) / rr;
    const t1 = t0 + (sx * rx + sy * ry) / rr;
    const lo = Math.max(0, Math.min(t0, t1));
    const hi = Math.min(1, Math.max(t0, t1));
    return lo <= hi ? [ax + lo * rx, ay + lo * ry] : null;
  }
  const t = (qpx * sy - qpy * sx) / denom;
  const u = (qpx * ry - qpy * rx) / denom;
  return t >= 0 && t <= 1 && u >= 0 && u <= 1 ? [ax + t * rx, ay + t * ry] : null;
}

/**
 * The first point where a closed ring ([lon, lat] positions, first = last) crosses or touches itself,
 * away from the shared corner of neighbouring edges; null when it is simple.
 */
export function firstSelfIntersection(positions: readonly (readonly number[])[]): [number, number] | null {
  // a position repeated in a row is one corner, not a crossing
  const ring = positions.filter((p, i) => i === 0 || p[0] !== positions[i - 1]![0] || p[1] !== positions[i - 1]![1]);
  const n = ring.length - 1; // segments: i → i + 1
  if (n < 3) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of ring) {
    if (p[0]! < minX) minX = p[0]!;
    if (p[0]! > maxX) maxX = p[0]!;
    if (p[1]! < minY) minY = p[1]!;
    if (p[1]! > maxY) maxY = p[1]!;
  }
  const side = Math.max(1, Math.ceil(Math.sqrt(n)));
  const cw = (maxX - minX) / side || 1;
  const ch = (maxY - minY) / side || 1;
  const cell = (v: number, min: number, size: number) => Math.min(side - 1, Math.max(0, Math.floor((v - min) / size)));
  const cells = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    const x0 = cell(Math.min(a[0]!, b[0]!), minX, cw);
    const x1 = cell(Math.max(a[0]!, b[0]!), minX, cw);
    const y0 = cell(Math.min(a[1]!, b[1]!), minY, ch);
    const y1 = cell(Math.max(a[1]!, b[1]!), minY, ch);
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const k = y * side + x;
        const list = cells.get(k);
        if (list) list.push(i);
        else cells.set(k, [i]);
      }
    }
  }
  let best: { i: number; j: number; at: [number, number] } | null = null;
  for (const list of cells.values()) {
    for (let p = 0; p < list.length; p++) {
      const i = list[p]!;
      for (let q = p + 1; q < list.length; q++) {
        const j = list[q]!;
        const lo = Math.min(i, j);
        const hi = Math.max(i, j);
        // neighbours share a corner: the edge after and the closing edge before the first
        if (hi - lo === 1 || (lo === 0 && hi === n - 1)) continue;
        const a = ring[lo]!;
        const b = ring[lo + 1]!;
        const c = ring[hi]!;
        const d = ring[hi + 1]!;
        const at = meet(a[0]!, a[1]!, b[0]!, b[1]!, c[0]!, c[1]!, d[0]!, d[1]!);
        // the lowest pair in ring order, so the answer does not depend on the grid
        if (at && (!best || lo < best.i || (lo === best.i && hi < best.j))) best = { i: lo, j: hi, at };
      }
    }
  }
  return best?.at ?? null;
}

// Synthetic but realistic city workloads for benchmarks: fences of real sizes and vehicles at city speeds.
import { mulberry32 } from '../src/main/core/sim/demo-fleet';

const LAT0 = 52.4862;
const LON0 = -1.8904;
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((LAT0 * Math.PI) / 180);

/**
 * Polygon fences in a 30 × 30 km city: most small (customer sites, 40–300 m), a share `largeShare`
 * large (zones, 0.5–3 km, many vertices). At the default 10 % every point lies in ~8 zones at once.
 */
export function cityFences(count: number, seed = 1, largeShare = 0.1) {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const cx = LON0 + ((rand() - 0.5) * 30_000) / M_PER_DEG_LON;
    const cy = LAT0 + ((rand() - 0.5) * 30_000) / M_PER_DEG_LAT;
    const large = rand() < largeShare;
    const radiusM = large ? 500 + rand() * 2500 : 40 + rand() * 260;
    const n = large ? 24 + Math.floor(rand() * 40) : 4 + Math.floor(rand() * 8);
    const ring: number[][] = [];
    for (let k = 0; k < n; k++) {
      const a = (k / n) * Math.PI * 2;
      const r = radiusM * (0.75 + rand() * 0.25);
      ring.push([cx + (r * Math.cos(a)) / M_PER_DEG_LON, cy + (r * Math.sin(a)) / M_PER_DEG_LAT]);
    }
    ring.push(ring[0]!);
    return { id: `f${i}`, geometry: { type: 'Polygon' as const, coordinates: [ring] } };
  });
}

/** A realistic mix for one city: 70 % polygons (as cityFences), 20 % circles (50–500 m), 10 % corridors (2–8 km routes, 30–100 m wide). */
export function cityMixedFences(count: number, seed = 3, largeShare = 0.1) {
  const rand = mulberry32(seed);
  const polys = cityFences(count, seed, largeShare);
  return polys.map((f, i) => {
    const r = rand();
    const [cx, cy] = f.geometry.coordinates[0]![0]!;
    if (r < 0.7) return f;
    if (r < 0.9) return { id: `c${i}`, geometry: { type: 'Circle' as const, center: [cx!, cy!] as [number, number], radiusM: 50 + rand() * 450 } };
    const line: number[][] = [[cx!, cy!]];
    const legs = 3 + Math.floor(rand() * 6);
    let h = rand() * Math.PI * 2;
    for (let k = 0; k < legs; k++) {
      h += (rand() - 0.5) * 1.2;
      const legM = 2000 / legs + rand() * (6000 / legs);
      const [lx, ly] = line[line.length - 1]!;
      line.push([lx! + (Math.cos(h) * legM) / M_PER_DEG_LON, ly! + (Math.sin(h) * legM) / M_PER_DEG_LAT]);
    }
    return { id: `r${i}`, geometry: { type: 'Corridor' as const, line, widthM: 30 + rand() * 70 } };
  });
}

/** `vehicles` random walks at 0–60 km/h reporting every `periodS` seconds, in time order. */
export function cityPositions(vehicles: number, steps: number, periodS = 10, seed = 2) {
  const rand = mulberry32(seed);
  const state = Array.from({ length: vehicles }, () => ({
    x: ((rand() - 0.5) * 30_000) as number,
    y: ((rand() - 0.5) * 30_000) as number,
    h: rand() * Math.PI * 2,
  }));
  const t0 = Date.UTC(2026, 10, 23, 8);
  const out: { vehicleId: string; tsMs: number; lon: number; lat: number }[] = [];
  for (let s = 0; s < steps; s++) {
    for (let v = 0; v < vehicles; v++) {
      const st = state[v]!;
      st.h += (rand() - 0.5) * 0.6;
      const d = (rand() * 60) / 3.6 * periodS;
      st.x = Math.max(-15_000, Math.min(15_000, st.x + Math.cos(st.h) * d));
      st.y = Math.max(-15_000, Math.min(15_000, st.y + Math.sin(st.h) * d));
      // rounded to 6 decimals (~0.1 m), as written to CSV, so every path sees the same input
      out.push({ vehicleId: `V${v}`, tsMs: t0 + s * periodS * 1000, lon: Math.round((LON0 + st.x / M_PER_DEG_LON) * 1e6) / 1e6, lat: Math.round((LAT0 + st.y / M_PER_DEG_LAT) * 1e6) / 1e6 });
    }
  }
  return out;
}

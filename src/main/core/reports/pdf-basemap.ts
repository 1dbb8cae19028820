// The bundled offline basemap under a PDF report's map: land from Natural Earth (src/shared/basemap/
// land.json, made by scripts/make-land.mjs) and the place names the app's map shows (GeoNames), so a
// track is seen somewhere, not on a blank square.
import land from '../../../shared/basemap/land.json';
import places from '../../../shared/basemap/places.json';

type Place = [name: string, lon: number, lat: number, population: number, capital: number];

/** Draws into the current clip: `path` gets each land ring in page points; `label` each place in view. */
export interface BasemapPainter {
  land(ring: [number, number][]): void;
  place(name: string, x: number, y: number): void;
}

const LAND = land as [number, number][][];

/**
 * Paints land and up to `maxLabels` place names (largest first, none overlapping) for the lon/lat box,
 * through the report's projection `px`/`py`.
 */
export function paintBasemap(
  box: { minLon: number; maxLon: number; minLat: number; maxLat: number },
  px: (lon: number) => number,
  py: (lat: number) => number,
  paint: BasemapPainter,
  maxLabels = 25,
): void {
  const pad = Math.max(box.maxLon - box.minLon, box.maxLat - box.minLat) * 0.5 + 0.01;
  for (const ring of LAND) {
    let inView = false;
    for (const [lon, lat] of ring) {
      if (lon >= box.minLon - pad && lon <= box.maxLon + pad && lat >= box.minLat - pad && lat <= box.maxLat + pad) {
        inView = true;
        break;
      }
    }
    // a city-sized box lies inside one country's outline, with no vertex near it: still land
    if (inView || (ringContains(ring, (box.minLon + box.maxLon) / 2, (box.minLat + box.maxLat) / 2))) paint.land(ring.map(([lon, lat]) => [px(lon), py(lat)]));
  }
  const taken: { x: number; y: number }[] = [];
  for (const [name, lon, lat] of places as Place[]) {
    if (lon < box.minLon || lon > box.maxLon || lat < box.minLat || lat > box.maxLat) continue;
    const x = px(lon);
    const y = py(lat);
    if (taken.some((t) => Math.abs(t.x - x) < 60 && Math.abs(t.y - y) < 12)) continue;
    taken.push({ x, y });
    paint.place(name, x, y);
    if (taken.length >= maxLabels) break;
  }
}

function ringContains(ring: [number, number][], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

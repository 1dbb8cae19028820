// Place names for the offline basemap: GeoNames towns of 20,000+ people and every capital, drawn on one
// canvas under the vehicles. Which places show depends on the zoom (capitals and cities first), and a
// label never overlaps one already drawn. The map container's data-places says how many were drawn.
import L from 'leaflet';
import places from '../../../../shared/basemap/places.json';
import { CanvasOverlay } from './canvas-overlay';

type Place = [name: string, lon: number, lat: number, population: number, capital: number];
const PLACES = places as Place[];

/** Smallest population labelled at a zoom (capitals always from zoom 3). */
function minPopulation(zoom: number): number {
  if (zoom <= 3) return 5_000_000;
  if (zoom <= 4) return 2_000_000;
  if (zoom <= 5) return 700_000;
  if (zoom <= 6) return 250_000;
  if (zoom <= 7) return 80_000;
  if (zoom <= 8) return 40_000;
  return 20_000;
}

export class PlacesLayer extends CanvasOverlay {
  constructor() {
    super('places-canvas');
  }

  protected draw(map: L.Map, ctx: CanvasRenderingContext2D): void {
    const zoom = map.getZoom();
    const bounds = map.getBounds().pad(0.05);
    const minPop = minPopulation(zoom);
    const taken: [number, number, number, number][] = [];
    let drawn = 0;
    ctx.textBaseline = 'middle';
    for (const [name, lon, lat, pop, capital] of PLACES) {
      if (pop < minPop && !(capital && zoom >= 3)) continue;
      if (!bounds.contains([lat, lon])) continue;
      const p = map.latLngToContainerPoint([lat, lon]);
      const big = capital === 1 || pop >= 1_000_000;
      ctx.font = `${big ? '600 ' : ''}${big ? 12 : 11}px system-ui, sans-serif`;
      const w = ctx.measureText(name).width;
      const box: [number, number, number, number] = [p.x - 3, p.y - 8, p.x + 6 + w, p.y + 8];
      if (taken.some((t) => box[0] < t[2] && box[2] > t[0] && box[1] < t[3] && box[3] > t[1])) continue;
      taken.push(box);
      ctx.fillStyle = capital ? '#e0e6ec' : '#9fb0c0';
      ctx.beginPath();
      ctx.arc(p.x, p.y, capital ? 2.5 : 1.8, 0, Math.PI * 2);
      ctx.fill();
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(15, 26, 36, 0.85)';
      ctx.strokeText(name, p.x + 5, p.y);
      ctx.fillText(name, p.x + 5, p.y);
      if (++drawn > 400) break;
    }
    map.getContainer().dataset['places'] = String(drawn);
  }
}

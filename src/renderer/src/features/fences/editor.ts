// The map side of the geofence editor (leaflet-geoman): draw new shapes, edit or move a fence's shape,
// and read a shape back as a FleetDesk fence geometry. The panel calls these; the map registers itself.
import L from 'leaflet';
import '../../lib/leaflet-global';
import '@geoman-io/leaflet-geoman-free';
import '@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css';
import type { FenceGeometry } from '../../../../shared/contract/fences';

let map: L.Map | null = null;
/** The editable Leaflet layer of each fence on the map (polygon, circle, or corridor polyline). */
const fenceLayers = new Map<string, L.Layer>();
let editing: { id: string; layer: L.Layer } | null = null;
/** Whether a shape is being drawn, and when the last drawing ended (the click that ended it is ours). */
let drawing = false;
let drawEndedMs = 0;
/** A map click this soon after the drawing ended is the click that ended it. */
const END_CLICK_MS = 400;

/**
 * Does the fence editor own this map click (placing a corner or corridor point, the click that closes a
 * polygon or sets a circle's radius, dragging a shape)? Then nothing else on the map may act on it,
 * such as selecting the vehicle underneath.
 */
export function editorOwnsClick(): boolean {
  return drawing || editing !== null || performance.now() - drawEndedMs < END_CLICK_MS;
}

/** The shape just drawn, shown until it is saved (then the fence layer draws it) or dropped. */
let preview: L.Layer | null = null;

export function clearPreview(): void {
  preview?.remove();
  preview = null;
}

export function registerMap(m: L.Map | null): void {
  map = m;
  if (!m) return;
  m.pm.setGlobalOptions({ allowSelfIntersection: true, snappable: false } as never);
  // geoman's own hint says "click any existing marker"; a corridor is finished with a double-click
  m.pm.setLang(
    'en',
    { tooltips: { continueLine: 'Click to add a point; double-click to finish the route', finishLine: 'Double-click (or click the last point) to finish the route' } } as never,
    'en',
  );
}

export function registerFenceLayer(id: string, layer: L.Layer | null): void {
  if (layer) fenceLayers.set(id, layer);
  else fenceLayers.delete(id);
}

export function clearFenceLayers(): void {
  fenceLayers.clear();
  editing = null;
}

export type DrawShape = 'Polygon' | 'Circle' | 'Corridor';

const round = (x: number) => Math.round(x * 1e7) / 1e7;

/** The geometry a Leaflet shape stands for; a polyline becomes a corridor of the given width. */
export function geometryOfLayer(layer: L.Layer, corridorWidthM = 50): FenceGeometry | null {
  if (layer instanceof L.Circle) {
    const c = layer.getLatLng();
    return { type: 'Circle', center: [round(c.lng), round(c.lat)], radiusM: Math.round(layer.getRadius() * 10) / 10 };
  }
  if (layer instanceof L.Polygon) {
    const g = layer.toGeoJSON(7).geometry;
    if (g.type === 'Polygon' || g.type === 'MultiPolygon') return g as FenceGeometry;
    return null;
  }
  if (layer instanceof L.Polyline) {
    const pts = (layer.getLatLngs() as L.LatLng[]).map((p) => [round(p.lng), round(p.lat)]);
    return { type: 'Corridor', line: pts, widthM: corridorWidthM };
  }
  return null;
}

/** Starts drawing; resolves with the drawn geometry, or null if the dispatcher cancels (Esc). */
export function draw(shape: DrawShape): Promise<FenceGeometry | null> {
  const m = map;
  if (!m) return Promise.resolve(null);
  stopEditing();
  clearPreview();
  drawing = true;
  return new Promise((resolve) => {
    const done = (g: FenceGeometry | null) => {
      drawing = false;
      drawEndedMs = performance.now();
      m.off('pm:create', onCreate);
      m.off('pm:drawend', onEnd);
      resolve(g);
    };
    const onCreate = (e: { layer: L.Layer }) => {
      const g = geometryOfLayer(e.layer);
      clearPreview();
      preview = e.layer; // stays visible while the dispatcher names it; removed on save or cancel
      (e.layer as L.Path).setStyle?.({ dashArray: '4 4' });
      done(g);
    };
    // drawend also fires after create; by then the promise is settled and this is a no-op
    const onEnd = () => setTimeout(() => done(null), 0);
    m.on('pm:create', onCreate as never);
    m.on('pm:drawend', onEnd);
    m.pm.enableDraw(shape === 'Corridor' ? 'Line' : shape, { snappable: false, finishOn: shape === 'Corridor' ? 'dblclick' : undefined } as never);
  });
}

export function cancelDraw(): void {
  map?.pm.disableDraw();
}

/** Makes a fence's shape editable on the map: drag vertices (polygons, corridors), resize (circles), move. */
export function startEditing(id: string): boolean {
  stopEditing();
  const layer = fenceLayers.get(id);
  if (!layer) return false;
  const pm = (layer as unknown as { pm: { enable(o?: object): void; enableLayerDrag?(): void } }).pm;
  pm.enable({ allowSelfIntersection: true, draggable: true });
  editing = { id, layer };
  return true;
}

/** The edited shape as it is now (null when not editing that fence). */
export function editedGeometry(id: string, corridorWidthM?: number): FenceGeometry | null {
  if (!editing || editing.id !== id) return null;
  return geometryOfLayer(editing.layer, corridorWidthM);
}

export function stopEditing(): void {
  if (!editing) return;
  (editing.layer as unknown as { pm?: { disable(): void } }).pm?.disable();
  editing = null;
}

/** Sets a circle's radius on the map as it is typed: the fence being edited, or the shape just drawn. */
export function setCircleRadius(id: string | undefined, radiusM: number): void {
  const layer = id && editing?.id === id ? editing.layer : preview;
  if (layer instanceof L.Circle) layer.setRadius(radiusM);
}

export function isEditing(id: string): boolean {
  return editing?.id === id;
}

/** Shows a fence: fits the map to it. */
export function zoomToFence(id: string): void {
  const layer = fenceLayers.get(id) as L.Layer & { getBounds?: () => L.LatLngBounds };
  if (map && layer?.getBounds) map.fitBounds(layer.getBounds().pad(0.3), { animate: false, maxZoom: 17 });
}

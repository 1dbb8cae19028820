// Geofences as GeoJSON features and back: the file format of `replay`, of import/export in the UI,
// and of KML (converted to/from GeoJSON in the renderer). Circles and corridors have no GeoJSON type:
// a circle is a Point with properties.radius_m, a corridor a LineString with properties.width_m.
// Rules ride in properties: speed_limit_kmh, entry_delay_s, dwell_alert_min, and
// schedule = {"days": [1,2,3,4,5], "start": "07:00", "end": "19:00", "time_zone": "Europe/London"}.
import { FENCE_CATEGORIES, type FenceRules, type FenceSchedule, type Geofence, type GeofenceCategory } from './contract/fences';

export { FENCE_CATEGORIES };
export const FENCE_DEFAULT_COLORS: Record<GeofenceCategory, string> = {
  depot: '#2e7d32',
  customer: '#1565c0',
  restricted: '#c62828',
  service_area: '#ab47bc',
  other: '#b0bec5', // light grey-blue: #455a64 vanished on the dark map
};

export interface GeoJsonFeature {
  type: 'Feature';
  id?: string | number;
  geometry: { type: string; coordinates: unknown } | null;
  properties: Record<string, unknown> | null;
}

/** A feature's geometry as a fence geometry (not yet validated), or which property is missing. */
export function fenceGeometryOf(geometry: unknown, properties: Record<string, unknown> | null | undefined): { geometry: unknown } | { missing: string } {
  const g = geometry as { type?: string; coordinates?: unknown } | null;
  const prop = (name: string) => properties?.[name];
  if (g?.type === 'Point') {
    return prop('radius_m') === undefined ? { missing: 'radius_m' } : { geometry: { type: 'Circle', center: g.coordinates, radiusM: Number(prop('radius_m')) } };
  }
  if (g?.type === 'LineString') {
    return prop('width_m') === undefined ? { missing: 'width_m' } : { geometry: { type: 'Corridor', line: g.coordinates, widthM: Number(prop('width_m')) } };
  }
  return { geometry };
}

function hhmm(text: unknown, what: string): number {
  const m = typeof text === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(text.trim()) : null;
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new Error(`schedule ${what} must be HH:MM, got ${JSON.stringify(text)}`);
  return Math.min(1440, Number(m[1]) * 60 + Number(m[2]));
}

function fmtHhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** Rules from feature properties; throws with the property that is wrong (values are checked again on save). */
export function fenceRulesOf(properties: Record<string, unknown> | null | undefined): FenceRules {
  const rules: FenceRules = {};
  const p = properties ?? {};
  const num = (key: string): number | undefined => {
    if (p[key] === undefined || p[key] === null || p[key] === '') return undefined;
    const n = Number(p[key]);
    if (!Number.isFinite(n)) throw new Error(`properties.${key} must be a number, got ${JSON.stringify(p[key])}`);
    return n;
  };
  const limit = num('speed_limit_kmh');
  if (limit !== undefined) rules.speedLimitKmh = limit;
  const delay = num('entry_delay_s');
  if (delay !== undefined) rules.entryDelayS = delay;
  const dwell = num('dwell_alert_min');
  if (dwell !== undefined) rules.dwellAlertMin = dwell;
  let s = p.schedule;
  if (typeof s === 'string') {
    try {
      s = JSON.parse(s); // KML carries properties as text
    } catch {
      throw new Error('properties.schedule is not valid JSON');
    }
  }
  if (s !== undefined && s !== null) {
    const o = s as { days?: unknown; start?: unknown; end?: unknown; time_zone?: unknown };
    rules.schedule = {
      days: Array.isArray(o.days) ? o.days.map(Number) : [],
      startMin: hhmm(o.start, 'start'),
      endMin: hhmm(o.end, 'end'),
      timeZone: String(o.time_zone ?? ''),
    } satisfies FenceSchedule;
  }
  return rules;
}

export interface ParsedFence {
  id: string | undefined;
  name: string;
  category: GeofenceCategory;
  color: string | undefined;
  geometry: unknown;
  rules: FenceRules;
}

/**
 * Fences from a FeatureCollection (or one Feature). Throws with the feature number and what is wrong.
 * Geometry is left for the caller to validate (the app refuses bad rings with which ring and why).
 */
export function fencesFromGeoJson(doc: unknown): ParsedFence[] {
  const d = doc as { type?: string; features?: unknown[] } | null;
  const features = d?.type === 'FeatureCollection' && Array.isArray(d.features) ? d.features : d?.type === 'Feature' ? [d] : null;
  if (!features) throw new Error('not a GeoJSON FeatureCollection');
  return features.map((f, i) => {
    const feat = f as GeoJsonFeature;
    const props = feat?.properties ?? {};
    const rawId = props.id ?? feat?.id;
    const label = `feature ${i + 1}${rawId !== undefined ? ` ("${String(rawId)}")` : ''}`;
    const shape = fenceGeometryOf(feat?.geometry, props);
    if ('missing' in shape) throw new Error(`${label}: a ${feat.geometry?.type} fence needs properties.${shape.missing}`);
    let rules: FenceRules;
    try {
      rules = fenceRulesOf(props);
    } catch (err) {
      throw new Error(`${label}: ${(err as Error).message}`);
    }
    const category = FENCE_CATEGORIES.includes(props.category as GeofenceCategory) ? (props.category as GeofenceCategory) : 'other';
    return {
      id: rawId === undefined || rawId === null || rawId === '' ? undefined : String(rawId),
      name: typeof props.name === 'string' && props.name.trim() ? props.name.trim() : String(rawId ?? `Imported fence ${i + 1}`),
      category,
      color: typeof props.color === 'string' ? props.color : undefined,
      geometry: shape.geometry,
      rules,
    };
  });
}

/** Twice the signed area of a ring in the lon/lat plane: positive when it runs counter-clockwise. */
function signedArea2(ring: readonly (readonly number[])[]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return a;
}

/**
 * A polygon's rings wound as RFC 7946 (GeoJSON) asks: the outer ring counter-clockwise, holes clockwise.
 * Readers may rely on it (some fill the outside of a clockwise outer ring); the shape is the same.
 */
export function rewindRings(rings: readonly (readonly (readonly number[])[])[]): number[][][] {
  return rings.map((ring, i) => {
    const ccw = signedArea2(ring) > 0;
    const copy = ring.map((p) => [...p]);
    return (i === 0) === ccw ? copy : copy.reverse();
  });
}

/** One fence as a GeoJSON feature that fencesFromGeoJson reads back unchanged. */
export function fenceToFeature(f: Pick<Geofence, 'id' | 'name' | 'category' | 'color' | 'geometry' | 'rules'>): GeoJsonFeature {
  const props: Record<string, unknown> = { id: f.id, name: f.name, category: f.category, color: f.color };
  const r = f.rules ?? {};
  if (r.speedLimitKmh !== undefined) props.speed_limit_kmh = r.speedLimitKmh;
  if (r.entryDelayS !== undefined) props.entry_delay_s = r.entryDelayS;
  if (r.dwellAlertMin !== undefined) props.dwell_alert_min = r.dwellAlertMin;
  if (r.schedule) props.schedule = { days: r.schedule.days, start: fmtHhmm(r.schedule.startMin), end: fmtHhmm(r.schedule.endMin), time_zone: r.schedule.timeZone };
  const g = f.geometry;
  let geometry: GeoJsonFeature['geometry'];
  if (g.type === 'Circle') {
    geometry = { type: 'Point', coordinates: g.center };
    props.radius_m = g.radiusM;
  } else if (g.type === 'Corridor') {
    geometry = { type: 'LineString', coordinates: g.line };
    props.width_m = g.widthM;
  } else if (g.type === 'Polygon') geometry = { type: 'Polygon', coordinates: rewindRings(g.coordinates) };
  else geometry = { type: 'MultiPolygon', coordinates: g.coordinates.map(rewindRings) };
  return { type: 'Feature', id: f.id, geometry, properties: props };
}

export function fencesToGeoJson(fences: readonly Pick<Geofence, 'id' | 'name' | 'category' | 'color' | 'geometry' | 'rules'>[]) {
  return { type: 'FeatureCollection' as const, features: fences.map(fenceToFeature) };
}

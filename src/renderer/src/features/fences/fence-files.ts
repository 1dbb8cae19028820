// Geofences to and from files: GeoJSON as FleetDesk writes it (shared/fence-geojson), KML through
// togeojson / tokml with the same properties (schedule as JSON text, since KML data is text).
import { kml } from '@tmcw/togeojson';
import { toKML } from '@placemarkio/tokml';
import { fencesFromGeoJson, fencesToGeoJson, type ParsedFence } from '../../../../shared/fence-geojson';
import type { Geofence } from '../../../../shared/contract/fences';
import { downloadUrl } from '../../lib/download';

/** Reads a .geojson/.json or .kml file's text into fences (not yet validated: saving does that). */
export function parseFenceFile(name: string, text: string): ParsedFence[] {
  if (/\.kml$/i.test(name) || text.trimStart().startsWith('<')) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length > 0) throw new Error(`${name} is not valid KML (XML parse error)`);
    return fencesFromGeoJson(kml(doc));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${(err as Error).message}`);
  }
  return fencesFromGeoJson(json);
}

export function fencesAsGeoJsonText(fences: Geofence[]): string {
  return JSON.stringify(fencesToGeoJson(fences), null, 1);
}

export function fencesAsKml(fences: Geofence[]): string {
  const fc = fencesToGeoJson(fences);
  for (const f of fc.features) {
    const p = f.properties!;
    if (p.schedule) p.schedule = JSON.stringify(p.schedule);
  }
  return toKML(fc as never);
}

/** Offers text as a file download (the browser in serve mode; Electron asks where to save). */
export function download(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  downloadUrl(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Great-circle distance: the one implementation the engine, the quality filter and the simulator share.

export const EARTH_RADIUS_M = 6_371_008.8; // mean Earth radius (IUGG)
/** Metres per degree of latitude (and of longitude at the equator). */
export const M_PER_DEG = (Math.PI / 180) * EARTH_RADIUS_M;

/** Haversine distance in metres between [lon1, lat1] and [lon2, lat2] (degrees). */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLon = (lon2 - lon1) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The same, for two objects with `lat` and `lon`. */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  return haversineM(a.lon, a.lat, b.lon, b.lat);
}

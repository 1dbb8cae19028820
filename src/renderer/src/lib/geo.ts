// The one place where GeoJSON [lon, lat] becomes Leaflet's [lat, lng].
import type { LatLngTuple } from 'leaflet';

export function toLatLng(lon: number, lat: number): LatLngTuple {
  return [lat, lon];
}

/** Leaflet [lat, lng] back to GeoJSON [lon, lat]. */
export function toLonLat(latlng: { lat: number; lng: number }): [number, number] {
  return [latlng.lng, latlng.lat];
}

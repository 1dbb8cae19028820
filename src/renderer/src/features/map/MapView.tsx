// The live map: created once; basemap, geofences and vehicles are imperative layers updated in place.
import { useEffect, useMemo, useRef } from 'react';
import L from 'leaflet';
import { escapeHtml, textContent } from '../../lib/safe-text';
import 'leaflet/dist/leaflet.css';
import { MapContainer, useMap } from 'react-leaflet';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import countries50m from 'world-atlas/countries-50m.json';
import { useFleet } from '../../app/store';
import { toLatLng } from '../../lib/geo';
import { api } from '../../lib/api';
import { VehicleCanvasLayer } from './vehicle-layer';
import { PlacesLayer } from './places-layer';
import { clearFenceLayers, registerFenceLayer, registerMap } from '../fences/editor';
import { HistoryLayer } from '../history/HistoryLayer';
import { JobsLayer } from '../jobs/JobsLayer';
import { useMapPick } from './use-map-pick';
import { useDepots } from '../federation/depot-store';

const START_CENTER = toLatLng(-1.8904, 52.4862); // the demo city; the map fits the fleet once it reports
const START_ZOOM = 12;

/** Offline basemap: Natural Earth country outlines bundled with the app; no network request. */
function Basemap() {
  const map = useMap();
  useEffect(() => {
    const topo = countries50m as unknown as Topology<{ countries: GeometryCollection }>;
    const land = feature(topo, topo.objects.countries);
    const renderer = L.canvas({ padding: 0.5 });
    const layer = L.geoJSON(land, {
      renderer,
      interactive: false,
      style: { color: '#4a5561', weight: 1, fillColor: '#232a31', fillOpacity: 1 },
    } as L.GeoJSONOptions).addTo(map);
    const places = new PlacesLayer().addTo(map);
    map.attributionControl.addAttribution('Basemap: Natural Earth; place names: GeoNames (CC BY 4.0) — offline');
    return () => {
      layer.remove();
      places.remove();
    };
  }, [map]);
  return null;
}

/** Tile sources: regional MBTiles files, and online tiles when switched on (fetched and cached by FleetDesk). */
function TileSourcesLayer() {
  const map = useMap();
  const sources = useFleet((s) => s.mapSources);
  useEffect(() => {
    if (!sources) return;
    const layers: L.TileLayer[] = [];
    const names: string[] = ['offline basemap'];
    const showOnline = sources.online.enabled || sources.cachedOnlineTiles > 0;
    if (showOnline) {
      layers.push(L.tileLayer(api.tileUrl('online'), { attribution: escapeHtml(`${sources.online.attribution}${sources.online.enabled ? '' : ' (cached)'}`), maxZoom: 19, opacity: 0.9 }));
      names.push(sources.online.enabled ? 'online tiles' : 'cached online tiles');
    }
    for (const m of sources.mbtiles) {
      layers.push(
        L.tileLayer(api.tileUrl(m.id), {
          attribution: escapeHtml(m.attribution || m.name),
          minZoom: 0,
          maxZoom: 19,
          minNativeZoom: m.minZoom,
          maxNativeZoom: m.maxZoom,
          bounds: m.bounds ? L.latLngBounds([m.bounds[1], m.bounds[0]], [m.bounds[3], m.bounds[2]]) : undefined,
        }),
      );
      names.push(`${m.name} (MBTiles)`);
    }
    for (const l of layers) l.addTo(map);
    map.getContainer().dataset['mapSources'] = names.join(' + ');
    const control = new L.Control({ position: 'topright' }); // the replay bar owns the bottom edge
    let label: HTMLElement | null = null;
    const showError = (error: string | null) => {
      if (!label) return;
      label.textContent = `Map: ${names.join(' + ')}${error ? ` — online tiles failing: ${error}` : ''}`;
      label.classList.toggle('error', error !== null);
    };
    control.onAdd = () => {
      label = L.DomUtil.create('div', 'map-source');
      label.title = sources.online.enabled ? 'Online tiles are on: FleetDesk fetches tiles from the internet and keeps them on disk' : 'Nothing is fetched from the internet';
      showError(sources.online.enabled ? sources.onlineError : null);
      return label;
    };
    control.addTo(map);
    // a tile that does not come says why on the label, at most once a few seconds
    let asked = 0;
    if (sources.online.enabled) {
      layers[0]?.on('tileerror', () => {
        if (Date.now() - asked < 5000) return;
        asked = Date.now();
        api.call('getMapSources', {}).then((s) => showError(s.onlineError), () => undefined);
      });
    }
    return () => {
      for (const l of layers) l.remove();
      control.remove();
    };
  }, [map, sources]);
  return null;
}

/** Reference lines the service offers (the demo city's streets), drawn under fences and vehicles. */
function OverlayLayer() {
  const map = useMap();
  useEffect(() => {
    let layer: L.LayerGroup | null = null;
    let cancelled = false;
    api
      .call('getMapOverlay', {})
      .then((overlay) => {
        if (!overlay || cancelled) return;
        const renderer = L.canvas({ padding: 0.5 });
        layer = L.layerGroup(
          overlay.lines.map((l) =>
            L.polyline(
              l.coordinates.map(([lon, lat]) => toLatLng(lon!, lat!)),
              { renderer, interactive: false, color: l.major ? '#5d6b7a' : '#3a4450', weight: l.major ? 3 : 1.5 },
            ),
          ),
        ).addTo(map);
        map.attributionControl.addAttribution(escapeHtml(overlay.attribution));
      })
      .catch(() => {
        // The overlay is decoration; the map works without it.
      });
    return () => {
      cancelled = true;
      layer?.remove();
    };
  }, [map]);
  return null;
}

/** Metres per screen pixel at a latitude and zoom (Web Mercator). */
function metresPerPixel(lat: number, zoom: number): number {
  return (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8);
}

/** Gives the geofence editor the map. */
function EditorBridge() {
  const map = useMap();
  useEffect(() => {
    registerMap(map);
    return () => registerMap(null);
  }, [map]);
  return null;
}

function GeofenceLayer() {
  const map = useMap();
  const geofences = useFleet((s) => s.geofences);
  const selectFence = useFleet((s) => s.selectFence);
  const groupRef = useRef<L.LayerGroup | null>(null);
  useEffect(() => {
    const group = L.layerGroup().addTo(map);
    groupRef.current = group;
    return () => {
      group.remove();
    };
  }, [map]);
  useEffect(() => {
    const group = groupRef.current;
    if (!group) return;
    group.clearLayers();
    clearFenceLayers();
    const corridors: { layer: L.Polyline; widthM: number; lat: number }[] = [];
    for (const f of geofences) {
      const style = { color: f.color, weight: 2, fillOpacity: 0.12, dashArray: f.category === 'restricted' ? '6 4' : undefined };
      const label = `${f.name} (${f.category})`;
      const g = f.geometry;
      let layer: L.Layer;
      if (g.type === 'Circle') layer = L.circle(toLatLng(g.center[0], g.center[1]), { ...style, radius: g.radiusM });
      else if (g.type === 'Corridor') {
        // drawn as the route with its real width: the stroke is re-scaled to metres on every zoom
        const line = L.polyline(
          g.line.map(([lon, lat]) => toLatLng(lon!, lat!)),
          { color: f.color, opacity: 0.35, lineCap: 'round', lineJoin: 'round' },
        );
        corridors.push({ layer: line, widthM: g.widthM, lat: g.line[0]![1]! });
        layer = line;
      } else {
        const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
        const latlngs = polys.map((rings) => rings.map((ring) => ring.slice(0, -1).map(([lon, lat]) => toLatLng(lon!, lat!))));
        layer = L.polygon(g.type === 'Polygon' ? latlngs[0]! : latlngs, style);
      }
      (layer as L.Path).bindTooltip?.(textContent(label), { sticky: true });
      layer.on('click', () => selectFence(f.id));
      registerFenceLayer(f.id, layer);
      group.addLayer(layer);
    }
    map.getContainer().dataset['fences'] = String(group.getLayers().length);
    const rescale = () => {
      for (const c of corridors) c.layer.setStyle({ weight: Math.max(2, c.widthM / metresPerPixel(c.lat, map.getZoom())) });
    };
    rescale();
    map.on('zoomend', rescale);
    return () => {
      map.off('zoomend', rescale);
    };
  }, [geofences, map, selectFence]);
  return null;
}

/** Selecting a vehicle zooms in to this only from further out; closer zooms are left as they are. */
const FOCUS_MIN_ZOOM = 12;

/**
 * Runs a move of the map now, or when a zoom animation still running ends: a move made during one is
 * undone by the animation's end (a Whole fleet click right after zooming did nothing).
 */
function whenSettled(map: L.Map, move: () => void): void {
  if ((map as unknown as { _animatingZoom?: boolean })._animatingZoom) map.once('zoomend', () => move());
  else move();
}

/** The "Whole fleet" button (top left, under the zoom buttons): fits the map to every vehicle shown. */
function WholeFleetControl() {
  const map = useMap();
  useEffect(() => {
    const control = new L.Control({ position: 'topleft' });
    control.onAdd = () => {
      const button = L.DomUtil.create('button', 'whole-fleet');
      button.type = 'button';
      button.textContent = 'Whole fleet';
      button.title = 'Show every vehicle (Home)';
      L.DomEvent.disableClickPropagation(button);
      const fit = () => {
        const list = Object.values(useFleet.getState().vehicles).filter((v) => !v.hidden && v.status !== 'offline');
        const shown = list.length ? list : Object.values(useFleet.getState().vehicles).filter((v) => !v.hidden);
        if (shown.length) whenSettled(map, () => map.fitBounds(L.latLngBounds(shown.map((v) => toLatLng(v.last.lon, v.last.lat))).pad(0.1), { maxZoom: 15, animate: false }));
      };
      L.DomEvent.on(button, 'click', fit);
      const onKey = (e: KeyboardEvent) => e.key === 'Home' && !(e.target as HTMLElement | null)?.closest?.('input, select, textarea') && fit();
      window.addEventListener('keydown', onKey);
      map.once('unload', () => window.removeEventListener('keydown', onKey));
      return button;
    };
    control.addTo(map);
    // the zoom, for anyone inspecting the page (tests check that selecting keeps it)
    const showZoom = () => (map.getContainer().dataset['zoom'] = String(map.getZoom()));
    map.on('zoomend', showZoom);
    showZoom();
    return () => {
      control.remove();
      map.off('zoomend', showZoom);
    };
  }, [map]);
  return null;
}

function VehicleLayer() {
  const map = useMap();
  const select = useFleet((s) => s.select);
  useEffect(() => {
    const layer = new VehicleCanvasLayer((id) => select(id, false)).addTo(map);
    let fitted = false;
    const push = (s: ReturnType<typeof useFleet.getState>) => {
      // vehicles in privacy mode have no position to draw
      // (headquarters: only the depot chosen in the vehicle list)
      const inDepot = useDepots.getState().vehicleIds;
      const list = Object.values(s.vehicles).filter((v) => !v.hidden && (!inDepot || inDepot.has(v.vehicleId)));
      layer.setData(list, s.selectedVehicleId);
      map.getContainer().dataset['vehicles'] = String(list.length);
      if (!fitted && list.length > 0) {
        fitted = true;
        const bounds = L.latLngBounds(list.map((v) => toLatLng(v.last.lon, v.last.lat)));
        map.fitBounds(bounds.pad(0.1), { maxZoom: 14, animate: false });
      }
    };
    push(useFleet.getState());
    const unsubscribe = useFleet.subscribe((s, prev) => {
      if (s.positionsVersion !== prev.positionsVersion || s.selectedVehicleId !== prev.selectedVehicleId) push(s);
    });
    const unsubscribeDepot = useDepots.subscribe((d, prev) => d.vehicleIds !== prev.vehicleIds && push(useFleet.getState()));
    return () => {
      unsubscribe();
      unsubscribeDepot();
      layer.remove();
    };
  }, [map, select]);
  // Centre on the vehicle when the dispatcher picks it from the list.
  const focus = useFleet((s) => s.focus);
  useEffect(() => {
    if (!focus) return;
    const v = useFleet.getState().vehicles[focus.vehicleId];
    // centre on it at the dispatcher's zoom (zoom in only from a country-wide view, where a vehicle is a dot
    // among many): the dispatcher chose the zoom, selecting must not take it away
    if (v && !v.hidden) whenSettled(map, () => map.setView(toLatLng(v.last.lon, v.last.lat), map.getZoom() < FOCUS_MIN_ZOOM ? FOCUS_MIN_ZOOM : map.getZoom(), { animate: false }));
  }, [focus, map]);
  return null;
}

/** A point someone asked to see (a driving event): centred, marked and labelled until the next one. */
function PointFocus() {
  const map = useMap();
  const focus = useFleet((s) => s.pointFocus);
  useEffect(() => {
    if (!focus) {
      delete map.getContainer().dataset['focus'];
      return;
    }
    const at = toLatLng(focus.lon, focus.lat);
    map.setView(at, Math.max(map.getZoom(), 16), { animate: false });
    const marker = L.circleMarker(at, { radius: 9, color: '#ffb300', weight: 3, fillOpacity: 0.2 }).bindTooltip(textContent(focus.label), { permanent: true, direction: 'top' }).addTo(map);
    map.getContainer().dataset['focus'] = `${focus.lat.toFixed(5)},${focus.lon.toFixed(5)}`;
    return () => {
      marker.remove();
    };
  }, [focus, map]);
  return null;
}

const cancelEtaPick = () => useFleet.getState().setPickingEta(null);

/** The ETA destination: a dashed line from the vehicle, a marker, and the map click that picks a point. */
function EtaLayer() {
  const map = useMap();
  const eta = useFleet((s) => s.eta);
  const target = useFleet((s) => s.etaTarget);
  const picking = useFleet((s) => s.pickingEta);
  const positionsVersion = useFleet((s) => s.positionsVersion);
  const onPick = useMemo(
    () =>
      picking
        ? (lat: number, lon: number) => {
            useFleet.getState().setEtaTarget({ vehicleId: picking, destination: { lat, lon } });
            useFleet.getState().select(picking, false); // a click on empty map would otherwise drop the selection
          }
        : null,
    [picking],
  );
  useMapPick(onPick, cancelEtaPick);
  useEffect(() => {
    const el = map.getContainer();
    if (!eta || !target) {
      delete el.dataset['eta'];
      return;
    }
    const v = useFleet.getState().vehicles[target.vehicleId];
    const dest = toLatLng(eta.destination.lon, eta.destination.lat);
    const group = L.layerGroup().addTo(map);
    if (v && !v.hidden) L.polyline([toLatLng(v.last.lon, v.last.lat), dest], { color: '#ffb300', weight: 2, dashArray: '6 6', interactive: false }).addTo(group);
    const text = eta.state === 'en_route' ? `ETA ${new Date(eta.etaMs!).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : eta.state;
    L.circleMarker(dest, { radius: 6, color: '#ffb300', weight: 2, fillOpacity: 0.4 }).bindTooltip(textContent(`${eta.destination.label}: ${text}`), { permanent: true, direction: 'top' }).addTo(group);
    el.dataset['eta'] = eta.state === 'en_route' ? String(Math.round((eta.etaMs! - Date.now()) / 60_000)) : eta.state;
    return () => {
      group.remove();
    };
  }, [eta, target, map, positionsVersion]);
  return null;
}

export function MapView() {
  return (
    <MapContainer center={START_CENTER} zoom={START_ZOOM} className="map" preferCanvas zoomControl keyboard worldCopyJump>
      <Basemap />
      <TileSourcesLayer />
      <OverlayLayer />
      <GeofenceLayer />
      <VehicleLayer />
      <WholeFleetControl />
      <EditorBridge />
      <PointFocus />
      <HistoryLayer />
      <EtaLayer />
      <JobsLayer />
    </MapContainer>
  );
}

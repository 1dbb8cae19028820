// History on the map: each vehicle's track (its own colour), flagged points as hollow orange rings with
// their reason, stops as squares, and the replay position of each vehicle at the cursor.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import { textContent } from '../../lib/safe-text';
import { useMap } from 'react-leaflet';
import { toLatLng } from '../../lib/geo';
import { localTime } from '../../lib/format';
import { positionAt, TRACK_COLOURS, trackRuns, useHistory } from './history-store';
import { duration } from './HistoryPanel';

/** Metres per screen pixel at a latitude and zoom (Web Mercator). */
function metresPerPixel(lat: number, zoom: number): number {
  return (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8);
}

export function HistoryLayer() {
  const map = useMap();
  const results = useHistory((s) => s.results);
  const setTolerance = useHistory((s) => s.setTolerance);
  const markers = useRef<L.CircleMarker[]>([]);

  // the simplification tolerance follows the zoom: about one pixel
  useEffect(() => {
    const update = () => setTolerance(metresPerPixel(map.getCenter().lat, map.getZoom()));
    update();
    map.on('zoomend', update);
    return () => {
      map.off('zoomend', update);
    };
  }, [map, setTolerance]);

  useEffect(() => {
    const el = map.getContainer();
    if (!results) {
      delete el.dataset['historyVertices'];
      delete el.dataset['historyFlagged'];
      return;
    }
    const renderer = L.canvas({ padding: 0.5 });
    const group = L.layerGroup().addTo(map);
    const bounds = L.latLngBounds([]);
    let vertices = 0;
    let flagged = 0;
    markers.current = [];
    results.forEach((h, i) => {
      const colour = TRACK_COLOURS[i % TRACK_COLOURS.length]!;
      const line = h.track.map((v) => toLatLng(v[2], v[1]));
      vertices += line.length;
      for (const run of trackRuns(h)) {
        if (run.length > 1) L.polyline(run.map((v) => toLatLng(v[2], v[1])), { renderer, color: colour, weight: 3, opacity: 0.9, interactive: false }).addTo(group);
      }
      for (const ll of line) bounds.extend(ll);
      for (const f of h.flagged) {
        flagged++;
        L.circleMarker(toLatLng(f.lon, f.lat), { renderer, radius: 4, color: '#ff9800', weight: 1.5, fill: false })
          .bindTooltip(textContent(`${h.vehicleId} · ${localTime(f.tsMs)} · filtered: ${f.quality}`))
          .addTo(group);
      }
      for (const s of h.stops) {
        L.marker(toLatLng(s.lon, s.lat), {
          icon: L.divIcon({ className: 'stop-icon', html: '', iconSize: [9, 9] }),
          keyboard: false,
          title: `${h.vehicleId} stopped ${duration(s.durationS)} from ${localTime(s.startMs)}`,
        }).addTo(group);
      }
      const m = L.circleMarker(line[0] ?? toLatLng(0, 0), { radius: 8, color: '#fff', weight: 2, fillColor: colour, opacity: line.length ? 1 : 0, fillOpacity: line.length ? 1 : 0 })
        .bindTooltip(textContent(h.vehicleId), { permanent: true, direction: 'right', offset: [8, 0], className: 'replay-label' })
        .addTo(group);
      markers.current.push(m);
    });
    el.dataset['historyVertices'] = String(vertices);
    el.dataset['historyFlagged'] = String(flagged);
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.1), { maxZoom: 16, animate: false });
    return () => {
      group.remove();
      markers.current = [];
    };
  }, [results, map]);

  // move the replay markers with the cursor, without re-rendering React
  useEffect(
    () =>
      useHistory.subscribe((s, prev) => {
        if (s.cursorMs === prev.cursorMs || !s.results || s.cursorMs === null) return;
        s.results.forEach((h, i) => {
          const m = markers.current[i];
          if (!m) return;
          const at = positionAt(h, s.cursorMs!);
          if (!at) {
            m.setStyle({ opacity: 0, fillOpacity: 0 });
            return;
          }
          m.setLatLng(toLatLng(at.lon, at.lat)).setStyle({ opacity: 1, fillOpacity: 1 });
          if (i === 0) {
            map.getContainer().dataset['replay'] = `${at.lat.toFixed(5)},${at.lon.toFixed(5)}`;
            // keep the first vehicle on screen while it plays
            if (s.playing && !map.getBounds().pad(-0.1).contains(toLatLng(at.lon, at.lat))) map.panTo(toLatLng(at.lon, at.lat), { animate: false });
          }
        });
      }),
    [map],
  );
  return null;
}

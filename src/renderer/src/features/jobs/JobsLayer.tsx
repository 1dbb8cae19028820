// The Jobs tab on the map: stops as circles of their arrival radius (numbered), suggested vehicles joined
// to the first stop by a line with their rank and ETA, and picking a stop's place with a click.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import { useMap } from 'react-leaflet';
import { textContent } from '../../lib/safe-text';
import { useJobsMap } from './jobs-store';
import { useMapPick } from '../map/use-map-pick';

const stopPicking = () => useJobsMap.getState().setPick(null);

const STOP_COLOR: Record<string, string> = { pending: '#4fc3f7', arrived: '#ffb300', done: '#66bb6a', failed: '#ef5350' };

export function JobsLayer() {
  const map = useMap();
  const overlay = useJobsMap((s) => s.overlay);
  const pick = useJobsMap((s) => s.pick);
  const framed = useRef('');
  useMapPick(pick, stopPicking);
  useEffect(() => {
    const el = map.getContainer();
    if (!overlay) {
      delete el.dataset['jobStops'];
      delete el.dataset['jobLines'];
      return;
    }
    const group = L.layerGroup().addTo(map);
    const first = overlay.stops.find((s) => s.status === 'pending' || s.status === 'arrived') ?? overlay.stops[0];
    for (const l of overlay.lines) {
      if (!first) break;
      L.polyline([L.latLng(l.lat, l.lon), L.latLng(first.lat, first.lon)], { color: l.rank === 1 ? '#ffb300' : '#90a4ae', weight: l.rank === 1 ? 3 : 2, dashArray: '6 6', interactive: false }).addTo(group);
      L.circleMarker(L.latLng(l.lat, l.lon), { radius: 5, color: '#ffb300', weight: 2, fillOpacity: 0.2, interactive: false })
        .bindTooltip(textContent(`#${l.rank} ${l.vehicleId} ${l.label}`), { permanent: true, direction: 'right', className: 'job-tip' })
        .addTo(group);
    }
    for (const s of overlay.stops) {
      const c = STOP_COLOR[s.status] ?? '#4fc3f7';
      L.circle(L.latLng(s.lat, s.lon), { radius: s.radiusM, color: c, weight: 2, fillOpacity: 0.15, interactive: false }).addTo(group);
      L.circleMarker(L.latLng(s.lat, s.lon), { radius: 4, color: c, weight: 2, fillOpacity: 0.9, interactive: false })
        .bindTooltip(textContent(`${s.seq}. ${s.name}`), { permanent: true, direction: 'top', className: 'job-tip' })
        .addTo(group);
    }
    el.dataset['jobStops'] = String(overlay.stops.length);
    el.dataset['jobLines'] = overlay.lines.map((l) => l.vehicleId).join(',');
    // framed when what is shown changes (another job, the suggestions), not each time its vehicle moves
    const frame = `${overlay.stops.map((s) => `${s.lat},${s.lon}`).join(';')}|${overlay.lines.map((l) => l.vehicleId).join(',')}`;
    const pts = [...overlay.stops.map((s) => L.latLng(s.lat, s.lon)), ...overlay.lines.map((l) => L.latLng(l.lat, l.lon))];
    if (pts.length && frame !== framed.current) map.fitBounds(L.latLngBounds(pts).pad(0.2), { maxZoom: 15, animate: false });
    framed.current = frame;
    return () => {
      group.remove();
    };
  }, [overlay, map]);
  return null;
}

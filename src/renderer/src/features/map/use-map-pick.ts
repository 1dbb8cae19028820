// Picking a point on the map: while `onPick` is set, the map shows the picking cursor and a click gives its
// position; Esc calls `onCancel`. (The ETA destination and a job's stop are picked this way.)
import { useEffect } from 'react';
import type L from 'leaflet';
import { useMap } from 'react-leaflet';

export function useMapPick(onPick: ((lat: number, lon: number) => void) | null, onCancel: () => void): void {
  const map = useMap();
  useEffect(() => {
    if (!onPick) return;
    const el = map.getContainer();
    el.classList.add('picking');
    const onClick = (e: L.LeafletMouseEvent) => onPick(e.latlng.lat, e.latlng.lng);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    map.on('click', onClick);
    window.addEventListener('keydown', onKey);
    return () => {
      el.classList.remove('picking');
      map.off('click', onClick);
      window.removeEventListener('keydown', onKey);
    };
  }, [map, onPick, onCancel]);
}

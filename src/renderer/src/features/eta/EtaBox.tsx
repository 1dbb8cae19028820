// ETA of the selected vehicle to a geofence or a point picked on the map, refreshed every 10 s.
import { useEffect, useState } from 'react';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';

export function EtaBox({ vehicleId }: { vehicleId: string }) {
  const geofences = useFleet((s) => s.geofences);
  const target = useFleet((s) => s.etaTarget);
  const eta = useFleet((s) => s.eta);
  const picking = useFleet((s) => s.pickingEta);
  const setTarget = useFleet((s) => s.setEtaTarget);
  const setPicking = useFleet((s) => s.setPickingEta);
  const [error, setError] = useState<string | null>(null);
  const mine = target?.vehicleId === vehicleId ? target : null;

  useEffect(() => {
    if (!mine) return;
    let stop = false;
    const load = () =>
      api.call('getEta', mine).then(
        (r) => !stop && (useFleet.setState({ eta: r }), setError(null)),
        (e) => !stop && (useFleet.setState({ eta: null }), setError((e as Error).message)),
      );
    void load();
    const t = setInterval(load, 10_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [mine]);

  const value = !mine ? '' : 'fenceId' in mine.destination ? mine.destination.fenceId : '__point';
  return (
    <div className="eta-box">
      <label className="row">
        <span className="muted">ETA to</span>
        <select
          aria-label="ETA destination"
          value={picking === vehicleId ? '__pick' : value}
          onChange={(e) => {
            const v = e.target.value;
            if (v === '') setTarget(null);
            else if (v === '__pick') (setTarget(null), setPicking(vehicleId));
            else setTarget({ vehicleId, destination: { fenceId: v } });
          }}
        >
          <option value="">—</option>
          <option value="__pick">a point on the map…</option>
          {value === '__point' && <option value="__point">picked point</option>}
          {geofences.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
              {f.geometry.type === 'Corridor' ? ' (route)' : ''}
            </option>
          ))}
        </select>
      </label>
      {picking === vehicleId && <p className="muted">Click the destination on the map (Esc to cancel).</p>}
      {mine && eta && (
        <p className="eta-line" data-state={eta.state}>
          {eta.state === 'arrived' && <b>Arrived</b>}
          {eta.state === 'stalled' && <b className="error">Stalled: stopped {eta.stalledMin} min, {eta.remainingKm.toFixed(1)} km to go</b>}
          {eta.state === 'en_route' && (
            <>
              <b>{localTime(eta.etaMs!)}</b> ({Math.max(1, Math.round((eta.etaMs! - Date.now()) / 60_000))} min)
            </>
          )}
          <br />
          <span className="muted">
            {eta.remainingKm.toFixed(1)} km {eta.distanceSource === 'route' ? 'along the route' : `(straight line × ${eta.detourFactor.toFixed(2)} detour)`} at {eta.speedKmh} km/h · history {eta.historicalKmh} km/h ({eta.historicalSource})
          </span>
        </p>
      )}
      {mine && error && <p className="error">{error}</p>}
    </div>
  );
}

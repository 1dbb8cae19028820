// History tab: pick vehicles and a range; see trips, stops, fence visits, alerts and driving events;
// click any row to move the replay cursor there (the map follows).
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ALERT_TYPE_TEXT } from '../../../../shared/contract/alerts';
import { type VehicleHistory } from '../../../../shared/contract/history';
import { useFleet } from '../../app/store';
import { localTime } from '../../lib/format';
import { TRACK_COLOURS, useHistory } from './history-store';
import { ExportBox } from '../reports/ExportBox';
import { jobEventText } from './job-events';

const PRESETS = [
  { id: '1h', label: 'last hour', hours: 1 },
  { id: '8h', label: 'last 8 h', hours: 8 },
  { id: 'today', label: 'today', hours: 0 },
  { id: '24h', label: 'last 24 h', hours: 24 },
  { id: '7d', label: 'last 7 days', hours: 168 },
  { id: '30d', label: 'last 30 days', hours: 720 },
] as const;

/** epoch ms → the value of an <input type="datetime-local"> (local time, to the minute) */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function presetRange(id: string, nowMs: number): { fromMs: number; toMs: number } {
  const p = PRESETS.find((x) => x.id === id) ?? PRESETS[1];
  if (p.id === 'today') {
    const d = new Date(nowMs);
    d.setHours(0, 0, 0, 0);
    return { fromMs: d.getTime(), toMs: nowMs };
  }
  return { fromMs: nowMs - p.hours * 3_600_000, toMs: nowMs };
}

export function duration(s: number | null): string {
  if (s === null) return 'still inside';
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function VehicleResult({ h, colour }: { h: VehicleHistory; colour: string }) {
  const setCursor = useHistory((s) => s.setCursor);
  const focusPoint = useFleet((s) => s.focusPoint);
  const timeline = useMemo(
    () =>
      [
        ...h.alerts.map((a) => ({ key: `a${a.id}`, tsMs: a.tsMs, text: `${a.severity === 'critical' ? '⚠ ' : ''}${a.message}`, cls: a.severity, lat: a.lat, lon: a.lon })),
        ...h.drivingEvents.map((e) => ({ key: `e${e.id}`, tsMs: e.tsMs, text: `${ALERT_TYPE_TEXT[e.type]} (sev ${e.severity.toFixed(2)})`, cls: 'event', lat: e.lat as number | null, lon: e.lon as number | null })),
      ].sort((a, b) => a.tsMs - b.tsMs),
    [h],
  );
  const km = h.trips.reduce((s, t) => s + t.distanceKm, 0);
  return (
    <section className="history-vehicle" data-vehicle={h.vehicleId}>
      <h3 style={{ color: colour }}>
        {h.vehicleId} · {km.toFixed(1)} km · {h.trips.length} trips · {h.stops.length} stops
      </h3>
      <p className="muted history-meta">
        {h.sourcePoints.toLocaleString()} points ({h.resolution === 'raw' ? 'every point' : 'one per minute'}), drawn as {h.track.length.toLocaleString()} ·{' '}
        <span className={h.flaggedTotal ? 'flagged-count' : ''}>{h.flaggedTotal} flagged by the drift filter</span> · {h.queryMs} ms
      </p>
      {h.hiddenPoints > 0 && (
        <p className="privacy-note">
          {h.hiddenPoints.toLocaleString()} points in {h.hidden.length} stretch{h.hidden.length === 1 ? '' : 'es'} hidden by privacy mode (stored for safety; a supervisor can unlock them in Settings → Privacy).
        </p>
      )}
      {h.unlocked && <p className="privacy-note unlocked">Private positions shown: unlocked by a supervisor (recorded in the audit log).</p>}
      {h.sourcePoints === 0 && <p className="muted">No positions from this vehicle in this range.</p>}
      {h.trips.length > 0 && (
        <table className="grid history-trips" aria-label={`Trips of ${h.vehicleId}`}>
          <thead>
            <tr>
              <th>Trip start</th>
              <th>Duration</th>
              <th className="num">km</th>
              <th className="num">max km/h</th>
            </tr>
          </thead>
          <tbody>
            {h.trips.map((t) => (
              <tr key={t.startMs} onClick={() => setCursor(t.startMs)} title={`${localTime(t.startMs)} → ${localTime(t.endMs)} · distance from the ${t.distanceSource}`}>
                <td>{localTime(t.startMs)}</td>
                <td>{duration(t.durationS)}</td>
                <td className="num">{t.distanceKm.toFixed(1)}</td>
                <td className="num">{t.maxSpeedKmh === null ? '—' : Math.round(t.maxSpeedKmh)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {h.stops.length > 0 && (
        <>
          <h4>Stops</h4>
          <ul className="event-list history-stops">
            {h.stops.map((s) => (
              <li key={s.startMs} onClick={() => (setCursor(s.startMs), focusPoint(s.lat, s.lon, `Stop · ${h.vehicleId} · ${duration(s.durationS)}`))}>
                <time>{localTime(s.startMs)}</time> stopped {duration(s.durationS)}
              </li>
            ))}
          </ul>
        </>
      )}
      {h.visits.length > 0 && (
        <>
          <h4>Geofence visits</h4>
          <ul className="event-list history-visits">
            {h.visits.map((v) => (
              <li key={`${v.fenceId}-${v.enterMs}`} onClick={() => setCursor(Math.max(v.enterMs, h.fromMs))}>
                <time>{localTime(v.enterMs)}</time> {v.fenceName} · {duration(v.durationS)}
              </li>
            ))}
          </ul>
        </>
      )}
      {h.jobEvents.length > 0 && (
        <>
          <h4>Jobs</h4>
          <ul className="event-list history-jobs" aria-label={`Jobs of ${h.vehicleId}`}>
            {h.jobEvents.map((e) => (
              <li key={e.id} onClick={() => (setCursor(e.tsMs), e.lat !== null && e.lon !== null && focusPoint(e.lat, e.lon, `Job #${e.jobId} ${e.ref}${e.stopName ? ` · ${e.stopName}` : ''} · ${localTime(e.tsMs)}`))}>
                <time>{localTime(e.tsMs)}</time> {jobEventText(e)}
              </li>
            ))}
          </ul>
        </>
      )}
      {timeline.length > 0 && (
        <>
          <h4>Alerts and driving events</h4>
          <ul className="event-list history-timeline">
            {timeline.map((x) => (
              <li key={x.key} className={x.cls} onClick={() => (setCursor(x.tsMs), x.lat !== null && x.lon !== null && focusPoint(x.lat, x.lon, `${x.text} · ${localTime(x.tsMs)}`))}>
                <time>{localTime(x.tsMs)}</time> {x.text}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function HistoryPanel() {
  const selected = useFleet((s) => s.selectedVehicleId);
  const { results, loading, error, load, clear, vehicleIds, fromMs, toMs, settings } = useHistory();
  const [vehicles, setVehicles] = useState(vehicleIds.join(', ') || selected || '');
  // back on the tab after a query: keep its range (not a fresh "last 8 h")
  const [preset, setPreset] = useState(fromMs ? 'custom' : '8h');
  const initial = fromMs ? { fromMs, toMs } : presetRange('8h', Date.now());
  const [from, setFrom] = useState(toLocalInput(initial.fromMs));
  const [to, setTo] = useState(toLocalInput(initial.toMs));
  const [stopSpeed, setStopSpeed] = useState(String(settings.stopSpeedKmh));
  const [minStop, setMinStop] = useState(String(settings.minStopMin));
  const [formError, setFormError] = useState<string | null>(null);
  useEffect(() => {
    if (!vehicles && selected) setVehicles(selected);
  }, [selected, vehicles]);
  const pickPreset = (id: string) => {
    setPreset(id);
    const r = presetRange(id, Date.now());
    setFrom(toLocalInput(r.fromMs));
    setTo(toLocalInput(r.toMs));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const ids = vehicles
      .split(/[\s,;]+/)
      .map((v) => v.trim())
      .filter(Boolean);
    // a preset means "up to now", refreshed on every load
    const range = preset === 'custom' ? { fromMs: new Date(from).getTime(), toMs: new Date(to).getTime() } : presetRange(preset, Date.now());
    if (ids.length === 0) return setFormError('Enter one or more vehicle ids (or select a vehicle on the left).');
    if (!Number.isFinite(range.fromMs) || !Number.isFinite(range.toMs)) return setFormError('Enter a start and an end time.');
    if (range.toMs <= range.fromMs) return setFormError('The end time is before the start time.');
    setFormError(null);
    void load(ids, range.fromMs, range.toMs, { stopSpeedKmh: Number(stopSpeed), minStopMin: Number(minStop) });
  };
  return (
    <div className="scroll history-panel">
      <form className="history-form" onSubmit={submit} aria-label="History query">
        <label>
          Vehicles
          <input name="vehicles" value={vehicles} onChange={(e) => setVehicles(e.target.value)} placeholder="e.g. DEMO-001, DEMO-002" />
        </label>
        <label className="wide">
          Range
          <select name="preset" value={preset} onChange={(e) => pickPreset(e.target.value)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">custom…</option>
          </select>
        </label>
        <label className="wide">
          From
          <input type="datetime-local" name="from" value={from} onChange={(e) => (setFrom(e.target.value), setPreset('custom'))} />
        </label>
        <label className="wide">
          To
          <input type="datetime-local" name="to" value={to} onChange={(e) => (setTo(e.target.value), setPreset('custom'))} />
        </label>
        <label title="At or below this speed the vehicle counts as standing still">
          Stop below km/h
          <input name="stopSpeed" type="number" min={0} max={30} step={1} value={stopSpeed} onChange={(e) => setStopSpeed(e.target.value)} />
        </label>
        <label title="A stand-still shorter than this is traffic, not a stop">
          Stop at least min
          <input name="minStop" type="number" min={0.5} max={1440} step={0.5} value={minStop} onChange={(e) => setMinStop(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={loading}>
            {loading ? 'Loading…' : 'Show history'}
          </button>
          {results && (
            <button type="button" onClick={clear}>
              Close history
            </button>
          )}
        </div>
        {(formError || error) && <p className="message error">{formError ?? error}</p>}
        <p className="hint muted">Times are your local time. Filtered (drift) points show as hollow orange rings; stops as squares.</p>
      </form>
      {results?.map((h, i) => <VehicleResult key={h.vehicleId} h={h} colour={TRACK_COLOURS[i % TRACK_COLOURS.length]!} />)}
      {results && <ExportBox vehicleIds={vehicleIds} fromMs={fromMs} toMs={toMs} />}
    </div>
  );
}

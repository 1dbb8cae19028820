// Driver scores for a period: ranked table (score, km, events, events per 100 km, trend), and one
// driver's events by type, by hour and one by one; clicking an event shows where it happened.
import { Fragment, useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ExportBox } from '../reports/ExportBox';
import { toLocalInput } from '../history/HistoryPanel';
import { ALERT_TYPE_TEXT } from '../../../../shared/contract/alerts';
import { type DriverAssignment, type DriverScore, type DriverScores, type DrivingEvent } from '../../../../shared/contract/drivers';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';

const PERIODS = [
  { id: 'today', label: 'today' },
  { id: '24h', label: 'last 24 h' },
  { id: '7d', label: 'last 7 days' },
  { id: '30d', label: 'last 30 days' },
] as const;
type PeriodId = (typeof PERIODS)[number]['id'];

function periodMs(id: PeriodId, nowMs: number): { fromMs: number; toMs: number } {
  if (id === 'today') {
    const d = new Date(nowMs);
    d.setHours(0, 0, 0, 0); // local midnight: "today" is the dispatcher's day
    return { fromMs: d.getTime(), toMs: nowMs };
  }
  const hours = id === '24h' ? 24 : id === '7d' ? 168 : 720;
  return { fromMs: nowMs - hours * 3_600_000, toMs: nowMs };
}

/** How the score came about: the points each kind of event cost, per 100 km, and the distance rule. */
function ScoreExplained({ d, penalties, minKm }: { d: DriverScore; penalties: DriverScores['penalties']; minKm: number }) {
  const types = Object.keys(d.eventsByType) as (keyof typeof d.eventsByType)[];
  const points = types.reduce((sum, t) => sum + (d.deductionByType[t] ?? 0), 0);
  return (
    <div className="score-explained" data-testid="score-explained">
      {types.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Event</th>
              <th>Count</th>
              <th title="Points per event at full severity (twice the threshold)">Penalty</th>
              <th title="Σ penalty × severity (0 at the threshold, 1 at twice it)">Points</th>
            </tr>
          </thead>
          <tbody>
            {types.map((t) => (
              <tr key={t}>
                <td>{ALERT_TYPE_TEXT[t]}</td>
                <td className="num">{d.eventsByType[t]}</td>
                <td className="num">{penalties[t]}</td>
                <td className="num">{(d.deductionByType[t] ?? 0).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {d.score === null ? (
          <>
            Not scored: {d.km.toFixed(1)} km driven, under the {minKm} km a score needs (one harsh brake in a few hundred metres would
            say nothing about the driver).
          </>
        ) : (
          <>
            {points.toFixed(2)} points over {d.km.toFixed(1)} km = {(d.deductionPer100Km ?? 0).toFixed(1)} per 100 km → score 100 −{' '}
            {(d.deductionPer100Km ?? 0).toFixed(1)} = <b>{d.score.toFixed(1)}</b>
            {(d.deductionPer100Km ?? 0) > 100 ? ' (a score stops at 0)' : ''}. Scored from {minKm} km.
          </>
        )}
      </p>
    </div>
  );
}

function DriverDetail({ driverId, fromMs, toMs }: { driverId: string; fromMs: number; toMs: number }) {
  const [events, setEvents] = useState<DrivingEvent[] | null>(null);
  const focusPoint = useFleet((s) => s.focusPoint);
  useEffect(() => {
    setEvents(null);
    api.call('listDrivingEvents', { driverId, fromMs, toMs, limit: 5000 }).then(setEvents, () => setEvents([]));
  }, [driverId, fromMs, toMs]);
  const byHour = useMemo(() => {
    const buckets = new Map<number, number>();
    for (const e of events ?? []) {
      const h = Math.floor(e.tsMs / 3_600_000) * 3_600_000;
      buckets.set(h, (buckets.get(h) ?? 0) + 1);
    }
    return [...buckets].sort((a, b) => a[0] - b[0]);
  }, [events]);
  if (!events) return <p className="muted">Loading events…</p>;
  const max = Math.max(1, ...byHour.map(([, n]) => n));
  return (
    <div className="driver-detail" aria-label={`Driver ${driverId}`}>
      <h3>{driverId}: events by hour</h3>
      {byHour.length === 0 && <p className="muted">No driving events in this period.</p>}
      {byHour.length > 0 && (
        <figure className="hour-chart" aria-label="Events by hour">
          <div className="y-axis muted" aria-hidden>
            <span>{max}</span>
            <span>0</span>
          </div>
          <div>
            <div className="bars">
              {byHour.map(([h, n]) => (
                <div key={h} className="bar" style={{ height: `${(n / max) * 100}%` }} title={`${localTime(h)}: ${n} event(s)`}>
                  <span className="bar-value">{n}</span>
                </div>
              ))}
            </div>
            <div className="x-axis muted">
              {byHour.map(([h]) => (
                <span key={h}>{new Date(h).toLocaleTimeString([], { hour: '2-digit' })}h</span>
              ))}
            </div>
          </div>
          <figcaption className="muted">events per hour (local time)</figcaption>
        </figure>
      )}
      <ul className="event-list">
        {[...events].reverse().slice(0, 200).map((e) => (
          <li key={e.id} data-event-id={e.id} onClick={() => focusPoint(e.lat, e.lon, `${ALERT_TYPE_TEXT[e.type]} · ${e.vehicleId} · ${localTime(e.tsMs)}`)} title="Show on the map">
            <time>{localTime(e.tsMs)}</time> {ALERT_TYPE_TEXT[e.type]} <span className="muted">{e.vehicleId}</span>{' '}
            <span className="num">{e.type === 'excessive_idle' ? `${Math.round(e.value / 60)} min` : e.type === 'speeding' ? `${Math.round(e.value)}/${Math.round(e.threshold)} km/h` : `${e.value} m/s²`}</span>{' '}
            <span className="muted">sev {e.severity.toFixed(2)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Shift assignments: which driver is in which vehicle when, for trackers that send no driver id. */
function Shifts({ onChange }: { onChange: () => void }) {
  const [list, setList] = useState<DriverAssignment[]>([]);
  const [form, setForm] = useState({ vehicleId: '', driverId: '', from: toLocalInput(Date.now() - 8 * 3_600_000), to: '' });
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => void api.call('listAssignments', {}).then(setList, () => undefined), []);
  useEffect(reload, [reload]);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.call('addAssignment', { vehicleId: form.vehicleId, driverId: form.driverId, startMs: new Date(form.from).getTime(), endMs: form.to ? new Date(form.to).getTime() : null });
      reload();
      onChange();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section aria-label="Shifts">
      <h3>Shifts</h3>
      <p className="muted">For trackers that send no driver id: the driver on shift gets the vehicle's distance and events.</p>
      <form className="kv-form" onSubmit={add} aria-label="New shift">
        <label htmlFor="sh-v">Vehicle</label>
        <input id="sh-v" value={form.vehicleId} onChange={(e) => setForm({ ...form, vehicleId: e.target.value })} />
        <label htmlFor="sh-d">Driver</label>
        <input id="sh-d" value={form.driverId} onChange={(e) => setForm({ ...form, driverId: e.target.value })} />
        <label htmlFor="sh-f">From</label>
        <input id="sh-f" type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        <label htmlFor="sh-t">To</label>
        <input id="sh-t" type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        <span />
        <button type="submit">Add shift</button>
      </form>
      {error && <p className="error">{error}</p>}
      <ul className="event-list shift-list">
        {list.map((a) => (
          <li key={a.id}>
            {a.driverId} in {a.vehicleId}: {localTime(a.startMs)} – {a.endMs === null ? 'open' : localTime(a.endMs)}{' '}
            <button type="button" onClick={() => void api.call('deleteAssignment', { id: a.id }).then(() => (reload(), onChange()))}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DriversPanel() {
  const [period, setPeriod] = useState<PeriodId>('today');
  const [data, setData] = useState<DriverScores | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api.call('getDriverScores', periodMs(period, Date.now())).then(setData, (err) => setError((err as Error).message));
  }, [period]);
  useEffect(load, [load]);
  return (
    <section className="drivers scroll" aria-label="Driver scores">
      <div className="row">
        <select value={period} onChange={(e) => setPeriod(e.target.value as PeriodId)} aria-label="Period">
          {PERIODS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {data && (
        <>
          <p className="muted">
            Score = 100 − Σ(penalty × severity) per 100 km; penalties: {Object.entries(data.penalties).map(([k, v]) => `${ALERT_TYPE_TEXT[k as keyof typeof ALERT_TYPE_TEXT]} ${v}`).join(', ')}. Under {data.minKm} km: not enough driving.
          </p>
          <div className="table-scroll">
            <table className="grid drivers-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Driver</th>
                  <th>Score</th>
                  <th>km</th>
                  <th>Events</th>
                  <th>/100 km</th>
                  <th title="Against the previous period of the same length">Trend</th>
                </tr>
              </thead>
              <tbody>
                {data.drivers.map((d, i) => (
                  <Fragment key={d.driverId}>
                    <tr data-driver-id={d.driverId} className={selected === d.driverId ? 'selected' : ''} onClick={() => setSelected(selected === d.driverId ? null : d.driverId)}>
                      <td className="num">{d.score === null ? '' : i + 1}</td>
                      <td>{d.driverId}</td>
                      <td className="num">{d.score === null ? <span className="muted">not enough driving</span> : d.score.toFixed(1)}</td>
                      <td className="num">{d.km.toFixed(1)}</td>
                      <td className="num" title={Object.entries(d.eventsByType).map(([k, n]) => `${ALERT_TYPE_TEXT[k as keyof typeof ALERT_TYPE_TEXT]}: ${n}`).join('\n')}>
                        {d.events}
                      </td>
                      <td className="num">{d.eventsPer100Km ?? '—'}</td>
                      <td className={`num ${d.trend === null ? '' : d.trend >= 0 ? 'up' : 'down'}`}>{d.trend === null ? '—' : `${d.trend >= 0 ? '▲' : '▼'} ${Math.abs(d.trend).toFixed(1)}`}</td>
                    </tr>
                    {/* the detail opens under the row that was clicked, not below a long table */}
                    {selected === d.driverId && (
                      <tr className="detail-row">
                        <td colSpan={7}>
                          <ScoreExplained d={d} penalties={data.penalties} minKm={data.minKm} />
                          <DriverDetail driverId={d.driverId} fromMs={data.fromMs} toMs={data.toMs} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
                {data.drivers.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      No driving in this period.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <ExportBox vehicleIds={[]} fromMs={data.fromMs} toMs={data.toMs} fixedReport="driver-scores" />
        </>
      )}
      <Shifts onChange={load} />
    </section>
  );
}

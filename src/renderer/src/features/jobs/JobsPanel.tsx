// Jobs tab: the open jobs (live), a new job with its stops placed on the map or typed, CSV import; a job's
// stops, timeline and where its message to the vehicle is; the vehicles best placed to take it, by ETA, with
// why — assigned with a click or the number keys — and cancel.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Job, JobEvent, NewStop, SuggestResult } from '../../../../shared/contract/jobs';
import { JOB_PRIORITIES, STOP_KINDS } from '../../../../shared/contract/jobs';
import { useFleet, useMay } from '../../app/store';
import { useDepots } from '../federation/depot-store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useJobsMap } from './jobs-store';
import { ExportBox } from '../reports/ExportBox';

const DELIVERY_TEXT: Record<Job['delivery'], string> = {
  not_sent: 'not sent',
  queued: 'queued: vehicle offline, goes when it connects',
  sent: 'sent, waiting for the device',
  delivered: 'on the device',
  answered: 'answered',
  no_answer: 'no answer from the device',
  cannot_send: 'cannot be sent to this device — call the driver',
};

const hhmm = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));

/** A stop being written: a point ("lat, lon", typed or picked on the map) or an existing geofence. */
type StopDraft = { kind: NewStop['kind']; name: string; at: string; fenceId: string; radiusM: string; from: string; to: string };
const emptyStop = (): StopDraft => ({ kind: 'dropoff', name: '', at: '', fenceId: '', radiusM: '', from: '', to: '' });

/** "52.5, -1.9" → a position, or null. */
function parseAt(text: string): { lat: number; lon: number } | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

/** A local datetime-local value (today's date if only a time) → epoch ms, or null. */
function localMs(v: string): number | null {
  if (!v) return null;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function NewJobForm({ onDone }: { onDone: (job: Job | null) => void }) {
  const [ref, setRef] = useState('');
  const [priority, setPriority] = useState<Job['priority']>('normal');
  const [notes, setNotes] = useState('');
  const [vehicleClass, setVehicleClass] = useState('');
  const [classes, setClasses] = useState<string[]>([]);
  const [stops, setStops] = useState<StopDraft[]>([emptyStop()]);
  const fences = useFleet((s) => s.geofences);
  useEffect(() => {
    void api.call('getRuleSettings', {}).then((r) => setClasses([...new Set(['default', ...Object.keys(r.engine.classes), ...Object.values(r.engine.vehicleClass)])]), () => undefined);
  }, []);
  const [picking, setPicking] = useState<number | null>(null);
  const { error, setError, act } = useAction();
  const setPick = useJobsMap((s) => s.setPick);
  const setOverlay = useJobsMap((s) => s.setOverlay);
  const edit = (i: number, f: Partial<StopDraft>) => setStops((xs) => xs.map((x, j) => (j === i ? { ...x, ...f } : x)));
  // a click on the map places the stop being picked
  useEffect(() => {
    if (picking === null) return setPick(null);
    setPick((lat, lon) => {
      edit(picking, { at: `${lat.toFixed(5)}, ${lon.toFixed(5)}` });
      setPicking(null);
    });
    return () => setPick(null);
  }, [picking, setPick]);
  // the stops placed so far, on the map
  useEffect(() => {
    // (a geofence stop is drawn by its fence)
    const placed = stops.map((s, i) => ({ s, i, at: s.fenceId ? null : parseAt(s.at) })).filter((x) => x.at);
    setOverlay(placed.length ? { stops: placed.map(({ s, i, at }) => ({ seq: i + 1, name: s.name || `Stop ${i + 1}`, lat: at!.lat, lon: at!.lon, radiusM: Number(s.radiusM) || 150, status: 'pending' })), lines: [] } : null);
  }, [stops, setOverlay]);
  useEffect(() => () => setOverlay(null), [setOverlay]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const out: NewStop[] = [];
    for (const [i, s] of stops.entries()) {
      const window = { windowStartMs: localMs(s.from), windowEndMs: localMs(s.to) };
      if (s.fenceId) {
        out.push({ kind: s.kind, name: s.name || undefined, fenceId: s.fenceId, ...window });
        continue;
      }
      const at = parseAt(s.at);
      if (!at) return setError(`Stop ${i + 1}: place it on the map (Pick), type “lat, lon” or choose a geofence.`);
      out.push({ kind: s.kind, name: s.name || undefined, lat: at.lat, lon: at.lon, radiusM: s.radiusM ? Number(s.radiusM) : undefined, ...window });
    }
    void act(async () => onDone(await api.call('createJob', { ref, priority, notes, vehicleClass: vehicleClass.trim() || null, stops: out })));
  };
  return (
    <form className="job-form" onSubmit={submit} aria-label="New job" onKeyDown={(e) => e.key === 'Escape' && picking === null && onDone(null)}>
      <div className="row">
        <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="Customer or place" aria-label="Customer or place" required maxLength={120} autoFocus />
        <select value={priority} onChange={(e) => setPriority(e.target.value as Job['priority'])} aria-label="Priority">
          {JOB_PRIORITIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </div>
      <ol className="job-stops-edit">
        {stops.map((s, i) => (
          <li key={i} aria-label={`Stop ${i + 1}`}>
            <div className="row">
              <select value={s.kind} onChange={(e) => edit(i, { kind: e.target.value as NewStop['kind'] })} aria-label={`Stop ${i + 1} kind`}>
                {STOP_KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
              <input value={s.name} onChange={(e) => edit(i, { name: e.target.value })} placeholder={`Stop ${i + 1}`} aria-label={`Stop ${i + 1} name`} />
              <input
                value={s.at}
                onChange={(e) => edit(i, { at: e.target.value })}
                placeholder="lat, lon"
                aria-label={`Stop ${i + 1} position`}
                aria-invalid={!s.fenceId && s.at !== '' && !parseAt(s.at)}
                disabled={s.fenceId !== ''}
              />
              <button type="button" aria-pressed={picking === i} onClick={() => setPicking(picking === i ? null : i)} title="Click the map to place this stop (Esc: stop)" disabled={s.fenceId !== ''}>
                {picking === i ? 'Click the map…' : 'Pick'}
              </button>
            </div>
            <div className="row">
              <select
                value={s.fenceId}
                onChange={(e) => edit(i, { fenceId: e.target.value })}
                aria-label={`Stop ${i + 1} geofence`}
                title="Or an existing geofence: the vehicle arrives when the engine sees it enter (with the fence's entry delay)"
              >
                <option value="">or a geofence…</option>
                {fences.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </select>
              {!s.fenceId && <input className="narrow" inputMode="numeric" value={s.radiusM} onChange={(e) => edit(i, { radiusM: e.target.value })} placeholder="150 m" aria-label={`Stop ${i + 1} arrival radius (m)`} />}
              <label>
                from <input type="datetime-local" value={s.from} onChange={(e) => edit(i, { from: e.target.value })} aria-label={`Stop ${i + 1} window start`} />
              </label>
              <label>
                to <input type="datetime-local" value={s.to} onChange={(e) => edit(i, { to: e.target.value })} aria-label={`Stop ${i + 1} window end`} />
              </label>
              {stops.length > 1 && (
                <button type="button" onClick={() => setStops((xs) => xs.filter((_, j) => j !== i))} aria-label={`Remove stop ${i + 1}`}>
                  ✕
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      <div className="row">
        <input value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Notes for the driver" aria-label="Notes" maxLength={2000} />
        <input value={vehicleClass} onChange={(e) => setVehicleClass(e.target.value)} placeholder="any vehicle class" aria-label="Vehicle class" list="job-classes" maxLength={64} />
        <datalist id="job-classes">
          {classes.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </div>
      <div className="row">
        <button type="button" onClick={() => setStops((xs) => [...xs, emptyStop()])} disabled={stops.length >= 50}>
          Add stop
        </button>
        <button type="submit">Create job</button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function JobDetail({ job, onClose }: { job: Job; onClose: () => void }) {
  const [timeline, setTimeline] = useState<JobEvent[]>([]);
  const [suggest, setSuggest] = useState<SuggestResult | null>(null);
  // headquarters: a depot's job is dispatched and worked at the depot; here it shows as the depot sends it
  const mayDispatch = useMay('assignJob') && job.depotId === null;
  const { error, act } = useAction();
  const setOverlay = useJobsMap((s) => s.setOverlay);
  const select = useFleet((s) => s.select);
  const open = ['planned', 'offered', 'accepted', 'en_route', 'arrived', 'rejected'].includes(job.status);
  // read again at every change pushed for the job (a new timeline line — late risk, a resend — may leave
  // its fields as they were)
  useEffect(() => {
    void api.call('getJob', { id: job.id }).then((r) => setTimeline(r.timeline), () => undefined);
  }, [job]);
  // where its vehicle is now (not while in privacy mode), so its line follows it
  const at = useFleet((s) => {
    const v = job.vehicleId ? s.vehicles[job.vehicleId] : undefined;
    return v && !v.hidden ? `${v.last.lat},${v.last.lon}` : null;
  });
  // its stops on the map; the suggested vehicles' lines while choosing, else its vehicle's line to the next stop
  useEffect(() => {
    const [lat, lon] = at ? at.split(',').map(Number) : [];
    const working = job.vehicleId !== null && at !== null && ['offered', 'accepted', 'en_route', 'arrived'].includes(job.status);
    setOverlay({
      stops: job.stops.map((s) => ({ seq: s.seq, name: s.name, lat: s.lat, lon: s.lon, radiusM: s.radiusM, status: s.status })),
      lines: suggest
        ? suggest.suggestions.map((s) => ({ vehicleId: s.vehicleId, rank: s.rank, lat: s.lat, lon: s.lon, label: s.etaMs === null ? '' : `ETA ${hhmm(s.etaMs)}` }))
        : working
          ? [{ vehicleId: job.vehicleId!, rank: 1, lat: lat!, lon: lon!, label: job.nextStopEtaMs === null ? '' : `ETA ${hhmm(job.nextStopEtaMs)}` }]
          : [],
    });
  }, [job, suggest, at, setOverlay]);
  useEffect(() => () => setOverlay(null), [setOverlay]);
  const assign = useCallback((vehicleId: string) => void act(async () => (await api.call('assignJob', { id: job.id, vehicleId }), setSuggest(null))), [act, job.id]);
  // 1–5 assign the suggestion of that rank (keyboard), Esc closes the suggestions
  useEffect(() => {
    if (!suggest) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, select')) return;
      const n = Number(e.key);
      const s = suggest.suggestions.find((x) => x.rank === n);
      if (s) {
        e.preventDefault();
        assign(s.vehicleId);
      } else if (e.key === 'Escape') setSuggest(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [suggest, assign]);
  // settling a stop by hand (the driver phoned): done at once, failed once the reason is typed
  const [failing, setFailing] = useState<number | null>(null);
  const [failReason, setFailReason] = useState('');
  const settle = (seq: number, outcome: 'done' | 'failed') =>
    void act(async () => {
      await api.call('settleStop', { id: job.id, seq, outcome, reason: outcome === 'failed' ? failReason : undefined });
      setFailing(null);
      setFailReason('');
    });
  const settleable = mayDispatch && job.vehicleId !== null && ['offered', 'accepted', 'en_route', 'arrived'].includes(job.status);
  const cancel = () => {
    const reason = window.prompt(`Cancel job ${job.id} (${job.ref}): why?`);
    if (reason) void act(() => api.call('cancelJob', { id: job.id, reason }));
  };
  return (
    <section className="job-detail" aria-label={`Job ${job.id}`}>
      <header className="row">
        <h3>
          #{job.id} {job.ref} <span className={`badge job-${job.status}`}>{job.status.replace('_', ' ')}</span>
          <DepotBadge depotId={job.depotId} />
        </h3>
        <button type="button" onClick={onClose} aria-label="Close the job">
          Close
        </button>
      </header>
      <p className="muted">
        {job.priority} priority{job.vehicleClass ? ` · needs a ${job.vehicleClass}` : ''} · by {job.createdBy} {localTime(job.createdMs)}
        {job.notes ? ` · ${job.notes}` : ''}
      </p>
      {job.vehicleId && (
        <p data-testid="job-delivery" className={job.delivery === 'cannot_send' || job.delivery === 'no_answer' ? 'error' : ''}>
          <button type="button" className="link" onClick={() => select(job.vehicleId!, true)}>
            {job.vehicleId}
          </button>{' '}
          · {DELIVERY_TEXT[job.delivery]}
          {job.nextStopEtaMs !== null ? ` · next stop ETA ${hhmm(job.nextStopEtaMs)}` : ''}
        </p>
      )}
      <ol className="job-stops" aria-label="Stops">
        {job.stops.map((s) => (
          <li key={s.seq} data-stop={s.seq} data-status={s.status}>
            <b>{s.name}</b> <span className="muted">{s.kind}</span> <span className={`badge stop-${s.status}`}>{s.status}</span>
            {s.windowStartMs !== null || s.windowEndMs !== null ? <span className="muted"> · window {hhmm(s.windowStartMs)}–{hhmm(s.windowEndMs)}</span> : null}
            {s.arrivedMs !== null && <span className="muted"> · arrived {hhmm(s.arrivedMs)}</span>}
            {s.doneMs !== null && <span className="muted"> · {s.status === 'failed' ? `failed: ${s.failedReason}` : `done ${hhmm(s.doneMs)}`}</span>}
            {s.fenceId !== null && <span className="muted"> · geofence</span>}
            {settleable && s.seq === job.nextStopSeq && failing !== s.seq && (
              <span className="settle">
                {' '}
                <button type="button" onClick={() => settle(s.seq, 'done')} title="The driver says this stop is done" aria-label={`Stop ${s.seq} done`}>
                  Done
                </button>
                <button type="button" onClick={() => setFailing(s.seq)} title="The driver could not do this stop" aria-label={`Stop ${s.seq} failed…`}>
                  Failed…
                </button>
              </span>
            )}
            {failing === s.seq && (
              <form
                className="row settle-fail"
                onSubmit={(e) => (e.preventDefault(), settle(s.seq, 'failed'))}
                onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setFailing(null))}
                aria-label={`Why stop ${s.seq} failed`}
              >
                <input value={failReason} onChange={(e) => setFailReason(e.target.value)} placeholder="Why (the driver's words)" aria-label="Reason" required maxLength={500} autoFocus />
                <button type="submit">Record failure</button>
                <button type="button" onClick={() => setFailing(null)}>
                  Back
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
      {mayDispatch && open && (
        <div className="row">
          <button type="button" onClick={() => void act(async () => setSuggest(await api.call('suggestVehicles', { id: job.id })))}>
            {job.vehicleId ? 'Reassign…' : 'Suggest vehicles'}
          </button>
          <button type="button" onClick={cancel}>
            Cancel job…
          </button>
        </div>
      )}
      {suggest && (
        <section className="suggestions" aria-label="Suggested vehicles">
          <table className="grid">
            <thead>
              <tr>
                <th>#</th>
                <th>Vehicle</th>
                <th>ETA</th>
                <th>km</th>
                <th>Why</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {suggest.suggestions.map((s) => (
                <tr key={s.vehicleId} data-vehicle-id={s.vehicleId}>
                  <td>{s.rank}</td>
                  <td>{s.vehicleId}</td>
                  <td>{hhmm(s.etaMs)}</td>
                  <td className="num">{s.distanceKm.toFixed(1)}</td>
                  <td className="why">{s.why}</td>
                  <td>
                    <button type="button" onClick={() => assign(s.vehicleId)} aria-label={`Assign to ${s.vehicleId}`} title={`Assign (key ${s.rank})`}>
                      Assign
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            {suggest.considered} vehicles ranked by ETA to the first stop
            {suggest.excluded.length ? `; left out: ${suggest.excluded.map((x) => `${x.count} ${x.reason}`).join(', ')}` : ''}. Keys 1–{suggest.suggestions.length} assign, Esc closes.
          </p>
        </section>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h4>Timeline</h4>
      <ul className="event-list job-timeline" aria-label="Timeline">
        {timeline.map((e) => (
          <li key={e.id}>
            <time>{localTime(e.tsMs)}</time> <b>{e.what.replace('_', ' ')}</b>
            {e.stopSeq !== null ? ` stop ${e.stopSeq}` : ''} <span className="muted">by {e.by}</span> {e.detail && <span className="muted">— {e.detail}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DepotBadge({ depotId }: { depotId: string | null }) {
  // with its own leading space, so a job of this FleetDesk reads as before
  return depotId === null ? null : (
    <>
      {' '}
      <span className="badge depot" title={`Dispatched and worked at depot ${depotId}`}>
        {depotId}
      </span>
    </>
  );
}

export function JobsPanel() {
  const [all, setJobs] = useState<Job[]>([]);
  // headquarters: the depot chosen in the vehicle list
  const depot = useDepots((s) => s.depot);
  const jobs = useMemo(() => (depot === null ? all : all.filter((j) => j.depotId === depot)), [all, depot]);
  const [showAll, setShowAll] = useState(false);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const mayCreate = useMay('createJob');
  const { error, act } = useAction();
  const reload = useCallback(() => api.call('listJobs', { open: showAll ? undefined : true, limit: 500 }).then(setJobs), [showAll]);
  useEffect(() => {
    void reload().catch(() => undefined);
  }, [reload]);
  useEffect(
    () =>
      api.on('jobUpdated', (j) =>
        setJobs((xs) => {
          const rest = xs.filter((x) => x.id !== j.id);
          const keep = showAll || ['planned', 'offered', 'accepted', 'en_route', 'arrived', 'rejected'].includes(j.status) || j.id === openId;
          return keep ? [j, ...rest].sort((a, b) => b.id - a.id) : rest;
        }),
      ),
    [showAll, openId],
  );
  const openJob = useMemo(() => jobs.find((j) => j.id === openId) ?? null, [jobs, openId]);
  const importCsv = async (file: File) => {
    setNote(null);
    await act(async () => {
      const r = await api.call('importJobsCsv', { text: await file.text() });
      setNote(`Imported ${r.imported} job(s) from ${file.name}.${r.errors.length ? ` Refused: ${r.errors.slice(0, 5).join('; ')}${r.errors.length > 5 ? ` and ${r.errors.length - 5} more` : ''}` : ''}`);
      await reload();
    });
  };
  return (
    <div className="scroll jobs-panel">
      <div className="row">
        {mayCreate && !creating && (
          <button type="button" onClick={() => (setCreating(true), setOpenId(null))}>
            New job…
          </button>
        )}
        {mayCreate && (
          <label className="button-like">
            Import CSV… <input type="file" accept=".csv,text/csv" hidden aria-label="Import jobs CSV" onChange={(e) => e.target.files?.[0] && void importCsv(e.target.files[0]).finally(() => (e.target.value = ''))} />
          </label>
        )}
        <label>
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> finished too
        </label>
      </div>
      {note && <p className="muted">{note}</p>}
      {error && <p className="error">{error}</p>}
      {creating && (
        <NewJobForm
          onDone={(job) => {
            setCreating(false);
            if (job) {
              setJobs((xs) => [job, ...xs.filter((x) => x.id !== job.id)]);
              setOpenId(job.id);
            }
          }}
        />
      )}
      {openJob && <JobDetail job={openJob} onClose={() => setOpenId(null)} />}
      <ul className="job-list" aria-label="Jobs">
        {jobs.length === 0 && <li className="muted">{showAll ? 'No jobs yet.' : 'No open jobs.'}</li>}
        {jobs.map((j) => (
          <li key={j.id} data-job-id={j.id} className={j.id === openId ? 'selected' : ''} onClick={() => (setOpenId(j.id), setCreating(false))}>
            <span className="muted">#{j.id}</span> <b>{j.ref}</b> <span className={`badge job-${j.status}`}>{j.status.replace('_', ' ')}</span>
            <DepotBadge depotId={j.depotId} />
            <span className="muted">
              {' '}
              {j.vehicleId ?? 'unassigned'}
              {j.nextStopSeq !== null ? ` · stop ${j.nextStopSeq}/${j.stops.length}` : ''}
              {j.nextStopEtaMs !== null ? ` · ETA ${hhmm(j.nextStopEtaMs)}` : ''}
              {j.delivery === 'cannot_send' || j.delivery === 'no_answer' ? ` · ${DELIVERY_TEXT[j.delivery]}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <ExportBox vehicleIds={[]} fromMs={Date.now() - 7 * 86_400_000} toMs={Date.now()} fixedReport="jobs" />
    </div>
  );
}

// Ingest tab, depots and headquarters. A depot: its link to headquarters' broker, what waits to go and
// how old the oldest waiting row is, the rate and the cap. Headquarters: each depot with its vehicles,
// when it last sent, and how far behind it is (stale when a minute behind).
import { Fragment, useEffect, useState } from 'react';
import type { DepotStatus, FederationStatus } from '../../../../shared/contract/federation';
import { api } from '../../lib/api';
import { age, localTime } from '../../lib/format';
import { useMay } from '../../app/store';
import { useAction } from '../../lib/use-action';

const REFRESH_MS = 2000;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** epoch ms → a datetime-local input's value, in this screen's time zone. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A depot: send headquarters again what was committed since a time (its database was lost, or the link was turned on later). */
function SendAgain() {
  const mayResend = useMay('forwardAgainSince');
  const [since, setSince] = useState(() => localInput(Date.now() - 86_400_000));
  const [result, setResult] = useState<string | null>(null);
  const { error, act } = useAction();
  if (!mayResend) return null;
  return (
    <form
      className="row"
      aria-label="Send again to headquarters"
      onSubmit={(e) => {
        e.preventDefault();
        const ms = new Date(since).getTime();
        void act(async () => {
          if (!Number.isFinite(ms)) throw new Error('Choose a date and time.');
          const r = await api.call('forwardAgainSince', { sinceMs: ms });
          setResult(`Queued ${r.telemetryRows.toLocaleString()} fixes, ${r.changes.toLocaleString()} alert, job and message changes, ${r.drivingEvents.toLocaleString()} driving and ${r.visits.toLocaleString()} geofence events: they go at the forwarding rate; headquarters keeps each once.`);
        });
      }}
    >
      <label>
        Send again everything since <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} aria-label="Send again since" required />
      </label>
      <button type="submit" title="For a headquarters that lost its data, or when this depot held data before its link was turned on">
        Send
      </button>
      {result && (
        <p className="muted" data-testid="send-again-result">
          {result}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function FederationSection() {
  const mayPush = useMay('pushFences');
  const { error, act } = useAction();
  const [pushed, setPushed] = useState<string | null>(null);
  const push = (depotIds: string[]) =>
    void act(async () => {
      const r = await api.call('pushFences', { depotIds });
      setPushed(`fences to ${r.map((x) => `${x.depotId}: version ${x.version} (${x.fences} fences)`).join(' · ')}`);
      setDepots(await api.call('listDepots', {}));
    });
  const pushRules = (depotIds: string[]) =>
    void act(async () => {
      const r = await api.call('pushRules', { depotIds });
      setPushed(`rules to ${r.map((x) => `${x.depotId}: version ${x.version}`).join(' · ')}`);
      setDepots(await api.call('listDepots', {}));
    });
  const [f, setF] = useState<FederationStatus | null>(null);
  const [depots, setDepots] = useState<DepotStatus[]>([]);
  const [nowMs, setNow] = useState(Date.now());
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const status = await api.call('getFederation', {});
        const list = status.role === 'headquarters' ? await api.call('listDepots', {}) : [];
        if (!alive) return;
        setF(status);
        setDepots(list);
        setNow(Date.now());
      } catch {
        // the status bar says when the service is away
      }
    };
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);
  if (!f || f.role === 'off') return null;
  if (f.role === 'depot')
    return (
      <section aria-label="Forwarding to headquarters" className="federation-section">
        <h3>Forwarding to headquarters</h3>
        <p>
          Depot <b>{f.depotId}</b> → {f.brokerUrl} ·{' '}
          <span className={f.connected ? 'ok' : 'error'} data-testid="upstream-state">
            {f.connected ? 'connected' : `unreachable${f.lastError ? ` (${f.lastError})` : ''} — this depot keeps working and forwards when it is back`}
          </span>
        </p>
        <p data-testid="pushed-fences">
          {f.pushedFences
            ? `Fences from headquarters: version ${f.pushedFences.version} (${f.pushedFences.count} fence${f.pushedFences.count === 1 ? '' : 's'}), arrived ${age(f.pushedFences.arrivedMs, nowMs)} from ${f.pushedFences.by}`
            : 'No fences from headquarters yet (this depot’s own fences are its own).'}
        </p>
        <p data-testid="pushed-rules">
          {f.pushedRules
            ? `Rules from headquarters: version ${f.pushedRules.version}, arrived ${age(f.pushedRules.arrivedMs, nowMs)} from ${f.pushedRules.by} (which vehicle is which class stays this depot’s)`
            : 'No rules from headquarters yet: this depot runs its own.'}
        </p>
        <p data-testid="upstream-backlog">
          {f.backlogRows > 0 ? `${f.backlogRows.toLocaleString()} rows waiting, the oldest received ${age(f.backlogOldestMs, nowMs)}` : 'Up to date: everything committed has reached headquarters’ broker'} · {f.forwardedRows.toLocaleString()} forwarded since start ({(f.bytesSent / 1024).toFixed(0)} KiB) ·{' '}
          {f.rowsPerSec.toLocaleString()} rows/s now, at most {f.maxRowsPerSec.toLocaleString()}
        </p>
        <SendAgain />
      </section>
    );
  return (
    <section aria-label="Depots" className="federation-section">
      <h3>Depots reporting here</h3>
      <p className="muted">
        On {f.brokerUrl} · {f.connected ? 'connected' : 'unreachable'}. A depot owns its alerts, jobs and driver messages: they show here as it sends them, handled there.
      </p>
      {depots.length === 0 ? (
        <p className="muted">No depot has reported yet.</p>
      ) : (
        <table className="grid" aria-label="Depots">
          <thead>
            <tr>
              <th>Depot</th>
              <th className="num">Vehicles</th>
              <th>Last batch</th>
              <th>Behind</th>
              <th>Pushed from here</th>
            </tr>
          </thead>
          <tbody>
            {depots.map((d) => (
              <Fragment key={d.id}>
                <tr data-depot={d.id} data-stale={d.stale} className={d.stale ? 'stale' : ''}>
                  <td>{d.id}</td>
                  <td className="num">{d.vehicles.length}</td>
                  <td title={d.depotNewestMs === null ? undefined : `its newest fix then: ${localTime(d.depotNewestMs)}`}>{age(d.lastBatchMs, nowMs)}</td>
                  <td className={d.stale ? 'error' : ''}>{d.stale ? `stale · ${duration(d.behindMs)} behind` : d.backlogRows > 0 ? `catching up (${d.backlogRows.toLocaleString()} rows)` : 'current'}</td>
                  <td title={[d.pushedFences && `fences by ${d.pushedFences.by} ${localTime(d.pushedFences.pushedMs)}`, d.pushedRules && `rules by ${d.pushedRules.by} ${localTime(d.pushedRules.pushedMs)}`].filter(Boolean).join('; ') || undefined}>
                    {[d.pushedFences && `fences v${d.pushedFences.version} (${d.pushedFences.count})`, d.pushedRules && `rules v${d.pushedRules.version}`].filter(Boolean).join(' · ') || '—'}
                  </td>
                </tr>
                {mayPush && (
                  <tr className="depot-actions">
                    <td colSpan={5}>
                      <button type="button" onClick={() => push([d.id])} aria-label={`Push fences to ${d.id}`} title="Send every geofence here (with its rules) to this depot, as a new version">
                        Push fences
                      </button>{' '}
                      <button type="button" onClick={() => pushRules([d.id])} aria-label={`Push rules to ${d.id}`} title="Send the Rules tab’s thresholds, alert settings and penalties to this depot, as a new version (it keeps which vehicle is which class)">
                        Push rules
                      </button>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {mayPush && depots.length > 1 && (
        <div className="row">
          <button type="button" onClick={() => push(depots.map((d) => d.id))}>
            Push fences to every depot
          </button>
          <button type="button" onClick={() => pushRules(depots.map((d) => d.id))}>
            Push rules to every depot
          </button>
        </div>
      )}
      {pushed && (
        <p className="muted" data-testid="push-result">
          Sent — {pushed}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

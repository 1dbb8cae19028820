// Alerts, newest first, with acknowledge; critical ones stand out.
import { useMemo } from 'react';
import { useFleet } from '../../app/store';
import { localTime } from '../../lib/format';

export function AlertsPanel() {
  const alerts = useFleet((s) => s.alerts);
  const showAck = useFleet((s) => s.showAcknowledged);
  const setShowAck = useFleet((s) => s.setShowAcknowledged);
  const acknowledge = useFleet((s) => s.acknowledge);
  const select = useFleet((s) => s.select);
  const nowMs = useFleet((s) => s.status?.nowMs ?? Date.now());
  const list = useMemo(
    () =>
      Object.values(alerts)
        .filter((a) => showAck || a.acknowledgedMs === null)
        .sort((a, b) => b.lastSeenMs - a.lastSeenMs || b.id - a.id),
    [alerts, showAck],
  );
  return (
    <section className="alerts" aria-label="Alerts">
      <header className="panel-head">
        <h2>Open alerts</h2>
        <label className="muted toggle">
          <input type="checkbox" checked={showAck} onChange={(e) => setShowAck(e.target.checked)} /> show acknowledged
        </label>
      </header>
      {list.length === 0 && <p className="muted empty">No {showAck ? '' : 'open '}alerts.</p>}
      <ul className="alert-list">
        {list.map((a) => (
          <li key={a.id} className={`alert ${a.severity}${a.acknowledgedMs !== null ? ' acked' : ''}`} data-alert-id={a.id} data-alert-type={a.type}>
            <div className="alert-main" onClick={() => select(a.vehicleId, true)} title="Show vehicle on the map">
              <span className={`sev ${a.severity}`}>{a.severity}</span>
              <span className="msg">{a.message}</span>
              {a.repeatCount > 1 && (
                <span className="repeat" title={`Happened ${a.repeatCount} times while open; last at ${localTime(a.lastSeenMs, nowMs)}`}>
                  ×{a.repeatCount}
                </span>
              )}
            </div>
            <div className="alert-meta">
              <time dateTime={new Date(a.lastSeenMs).toISOString()}>
                {a.repeatCount > 1 ? `${localTime(a.tsMs, nowMs)} … ${localTime(a.lastSeenMs, nowMs)}` : localTime(a.tsMs, nowMs)}
              </time>
              {a.acknowledgedMs === null ? (
                <button type="button" onClick={() => void acknowledge(a.id)} aria-label={`Acknowledge alert ${a.id}`}>
                  Ack
                </button>
              ) : (
                <span className="muted">
                  ack {a.acknowledgedBy} {localTime(a.acknowledgedMs, nowMs)}
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

// Alerts: filter by severity, type, vehicle and time; sort by time or severity; acknowledge, resolve,
// snooze or mute. Critical alerts stand out, and flash once they escalate unacknowledged.
import { useEffect, useMemo, useState } from 'react';

/** The vehicle filter applies this long after the last key typed. */
const FILTER_TYPING_MS = 250;
import { ALERT_TYPE_TEXT, ALERT_TYPES, type Alert, type AlertSeverity, type AlertType } from '../../../../shared/contract/alerts';
import { useFleet } from '../../app/store';
import { useExampleIds } from '../../lib/example-ids';
import { localTime } from '../../lib/format';

const SEVERITIES: AlertSeverity[] = ['critical', 'warning', 'info'];
const RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };
const RANGES = [
  { hours: 1, label: 'last hour' },
  { hours: 8, label: 'last 8 h (shift)' },
  { hours: 24, label: 'last 24 h' },
  { hours: 168, label: 'last 7 days' },
  { hours: 0, label: 'any time' },
];

function MuteForm({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const suppress = useFleet((s) => s.suppress);
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState(24);
  return (
    <form
      className="mute-form"
      onSubmit={(e) => {
        e.preventDefault();
        void suppress('mute', alert.vehicleId, alert.type, hours * 60, reason).then((ok) => ok && onDone());
      }}
    >
      <input autoFocus required placeholder="Known issue (why mute?)" value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Reason for muting" maxLength={200} />
      <select value={hours} onChange={(e) => setHours(Number(e.target.value))} aria-label="Mute for">
        {[4, 24, 72, 168].map((h) => (
          <option key={h} value={h}>
            {h < 24 ? `${h} h` : `${h / 24} d`}
          </option>
        ))}
      </select>
      <button type="submit">Mute</button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function AlertRow({ a, nowMs }: { a: Alert; nowMs: number }) {
  const acknowledge = useFleet((s) => s.acknowledge);
  const resolve = useFleet((s) => s.resolve);
  const suppress = useFleet((s) => s.suppress);
  const select = useFleet((s) => s.select);
  const [muting, setMuting] = useState(false);
  const cls = ['alert', a.severity, a.acknowledgedMs !== null ? 'acked' : '', a.escalatedMs !== null && a.acknowledgedMs === null ? 'escalated' : '', a.suppressed ? 'suppressed' : ''].filter(Boolean).join(' ');
  return (
    <li className={cls} data-alert-id={a.id} data-alert-type={a.type}>
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
        {a.escalatedMs !== null && a.acknowledgedMs === null && <b className="escalated-tag">ESCALATED</b>}
        {a.suppressed && <span className="muted">suppressed</span>}
        {a.acknowledgedMs === null ? (
          <button type="button" onClick={() => void acknowledge(a.id)} aria-label={`Acknowledge alert ${a.id}`} title="Acknowledge (I have seen it)">
            Ack
          </button>
        ) : (
          <span className="muted">
            ack {a.acknowledgedBy} {localTime(a.acknowledgedMs, nowMs)}
          </span>
        )}
        {a.resolvedMs === null ? (
          <button type="button" onClick={() => void resolve(a.id)} aria-label={`Resolve alert ${a.id}`} title="Resolve (the condition is over)">
            Resolve
          </button>
        ) : (
          <span className="muted">
            resolved {a.resolvedBy} {localTime(a.resolvedMs, nowMs)}
          </span>
        )}
        {a.severity !== 'critical' && (
          <button type="button" onClick={() => void suppress('snooze', a.vehicleId, a.type, 60)} aria-label={`Snooze ${a.type} of ${a.vehicleId} for 1 hour`} title="Snooze this vehicle's alerts of this type for 1 h">
            Snooze 1h
          </button>
        )}
        <button type="button" onClick={() => setMuting(true)} aria-label={`Mute ${a.type} of ${a.vehicleId}`} title="Mute a known ongoing issue (with a reason)">
          Mute…
        </button>
      </div>
      {muting && <MuteForm alert={a} onDone={() => setMuting(false)} />}
    </li>
  );
}

export function AlertsPanel() {
  const alerts = useFleet((s) => s.alerts);
  const f = useFleet((s) => s.alertFilter);
  const setFilter = useFleet((s) => s.setAlertFilter);
  const suppressions = useFleet((s) => s.suppressions);
  const endSuppression = useFleet((s) => s.endSuppression);
  const soundOn = useFleet((s) => s.soundOn);
  const setSoundOn = useFleet((s) => s.setSoundOn);
  const nowMs = useFleet((s) => s.status?.nowMs ?? Date.now());
  const [vehicleText, setVehicleText] = useState(f.vehicle);
  const example = useExampleIds();
  // the list follows the vehicle filter as it is typed (a moment after the last key, not on Enter)
  useEffect(() => {
    if (vehicleText.trim() === f.vehicle.trim()) return;
    const t = setTimeout(() => setFilter({ vehicle: vehicleText }), FILTER_TYPING_MS);
    return () => clearTimeout(t);
  }, [vehicleText, f.vehicle, setFilter]);
  const list = useMemo(
    () =>
      Object.values(alerts).sort((a, b) =>
        f.sort === 'severity' ? RANK[a.severity] - RANK[b.severity] || b.lastSeenMs - a.lastSeenMs || b.id - a.id : b.lastSeenMs - a.lastSeenMs || b.id - a.id,
      ),
    [alerts, f.sort],
  );
  const toggleSeverity = (sev: AlertSeverity) =>
    setFilter({ severities: f.severities.includes(sev) ? f.severities.filter((x) => x !== sev) : [...f.severities, sev] });
  return (
    <section className="alerts" aria-label="Alerts">
      <div className="alert-filters" role="group" aria-label="Alert filters">
        {SEVERITIES.map((sev) => (
          <button key={sev} type="button" className={`chip ${sev}${f.severities.includes(sev) ? ' on' : ''}`} aria-pressed={f.severities.includes(sev)} onClick={() => toggleSeverity(sev)}>
            {sev}
          </button>
        ))}
        <select value={f.type} onChange={(e) => setFilter({ type: e.target.value as AlertType | '' })} aria-label="Alert type">
          <option value="">all types</option>
          {ALERT_TYPES.map((t) => (
            <option key={t} value={t}>
              {ALERT_TYPE_TEXT[t]}
            </option>
          ))}
        </select>
        <input
          className="vehicle-filter"
          placeholder={`vehicle, e.g. ${example.vehicle}`}
          aria-label="Filter by vehicle"
          value={vehicleText}
          onChange={(e) => setVehicleText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && setFilter({ vehicle: vehicleText })}
        />
        <select value={f.hours} onChange={(e) => setFilter({ hours: Number(e.target.value) })} aria-label="Time range">
          {RANGES.map((r) => (
            <option key={r.hours} value={r.hours}>
              {r.label}
            </option>
          ))}
        </select>
        <select value={f.sort} onChange={(e) => setFilter({ sort: e.target.value as 'time' | 'severity' })} aria-label="Sort by">
          <option value="time">newest first</option>
          <option value="severity">most severe first</option>
        </select>
        <label className="muted toggle">
          <input type="checkbox" checked={f.showAcknowledged} onChange={(e) => setFilter({ showAcknowledged: e.target.checked })} /> acknowledged
        </label>
        <label className="muted toggle">
          <input type="checkbox" checked={f.showSuppressed} onChange={(e) => setFilter({ showSuppressed: e.target.checked })} /> suppressed
        </label>
        <label className="muted toggle" title="Sound when a critical alert escalates unacknowledged">
          <input type="checkbox" checked={soundOn} onChange={(e) => setSoundOn(e.target.checked)} /> sound
        </label>
      </div>
      {list.length === 0 && <p className="muted empty">No alerts match.</p>}
      <ul className="alert-list">
        {list.map((a) => (
          <AlertRow key={a.id} a={a} nowMs={nowMs} />
        ))}
      </ul>
      {suppressions.length > 0 && (
        <div className="suppressions" aria-label="Snoozed and muted">
          <h3>Snoozed and muted</h3>
          <ul>
            {suppressions.map((s) => (
              <li key={s.id} data-suppression-id={s.id}>
                <b>{s.kind}</b> {s.vehicleId} · {s.type ? ALERT_TYPE_TEXT[s.type] : 'all alerts'} until {localTime(s.untilMs, nowMs)}
                {s.kind === 'mute' && <span className="muted"> — {s.reason}</span>}{' '}
                <button type="button" onClick={() => void endSuppression(s.id)}>
                  End
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

// Alerts: filter by severity, type, vehicle and time; sort by time or severity; lines of one cause
// grouped; acknowledge or resolve one line, a group or a selection (with one note); snooze or mute.
// Critical alerts stand out, and flash once they escalate unacknowledged. A line acted on stays where it
// is (marked) while the pointer is over the list, so nothing shifts under the mouse.
import { useEffect, useMemo, useRef, useState } from 'react';

/** The vehicle filter applies this long after the last key typed. */
const FILTER_TYPING_MS = 250;
import { ALERT_TYPE_TEXT, ALERT_TYPES, type Alert, type AlertSeverity, type AlertType } from '../../../../shared/contract/alerts';
import { useFleet, useMay } from '../../app/store';
import { useExampleIds } from '../../lib/example-ids';
import { localTime } from '../../lib/format';
import { groupAlerts, type AlertGroup } from './groups';
import { NotesBox } from '../users/NotesBox';
import { useDepots } from '../federation/depot-store';

const GROUPING_KEY = 'fleetdesk.alerts.grouped';

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

type Selection = { has(id: number): boolean; toggle(ids: number[], on: boolean): void };

function AlertRow({ a, nowMs, selection }: { a: Alert; nowMs: number; selection: Selection }) {
  // a viewer (a wallboard) sees the queue; acting on it is a dispatcher's
  // headquarters: a depot's alert is handled at the depot; here it shows as the depot sends it
  const mayAct = useMay('acknowledgeAlert') && a.depotId === null;
  const acknowledge = useFleet((s) => s.acknowledge);
  const resolve = useFleet((s) => s.resolve);
  const suppress = useFleet((s) => s.suppress);
  const select = useFleet((s) => s.select);
  const me = useFleet((s) => (s.access?.signInRequired && s.access.user ? s.access.user.name : 'dispatcher'));
  const claim = useFleet((s) => s.claim);
  const [muting, setMuting] = useState(false);
  const [notesOpen, setNotesOpen] = useState(false);
  const cls = ['alert', a.severity, a.acknowledgedMs !== null ? 'acked' : '', a.escalatedMs !== null && a.acknowledgedMs === null ? 'escalated' : '', a.suppressed ? 'suppressed' : ''].filter(Boolean).join(' ');
  return (
    <li className={cls} data-alert-id={a.id} data-alert-type={a.type}>
      <div className="alert-main" onClick={() => select(a.vehicleId, true)} title="Show vehicle on the map">
        {mayAct && <input type="checkbox" checked={selection.has(a.id)} onClick={(e) => e.stopPropagation()} onChange={(e) => selection.toggle([a.id], e.target.checked)} aria-label={`Select alert ${a.id}`} />}
        <span className={`sev ${a.severity}`}>{a.severity}</span>
        {a.depotId !== null && (
          <span className="badge depot" title={`Raised and handled at depot ${a.depotId}`}>
            {a.depotId}
          </span>
        )}
        <span className="msg">{a.message}</span>
        {a.repeatCount > 1 && (
          <span className="repeat" title={`Happened ${a.repeatCount} times while open; last at ${localTime(a.lastSeenMs, nowMs)}`}>
            ×{a.repeatCount}
          </span>
        )}
        <span className="claim-box" onClick={(e) => e.stopPropagation()}>
          {a.claimedBy !== null && (
            <span className={`claim${a.claimedBy === me ? ' mine' : ''}`} data-testid="claim" title={`Handling since ${localTime(a.claimedMs ?? a.tsMs, nowMs)}`}>
              handling: {a.claimedBy}
            </span>
          )}
          {mayAct && a.resolvedMs === null && (a.claimedBy === me ? (
            <button type="button" onClick={() => void claim(a.id, false)} aria-label={`Release alert ${a.id}`} title="Give it back: nobody is handling it">
              Release
            </button>
          ) : a.claimedBy === null ? (
            <button type="button" onClick={() => void claim(a.id, true)} aria-label={`Take alert ${a.id}`} title="Handle it: everyone sees it is yours">
              Take
            </button>
          ) : null)}
        </span>
      </div>
      <div className="alert-meta">
        <time dateTime={new Date(a.lastSeenMs).toISOString()}>
          {a.repeatCount > 1 ? `${localTime(a.tsMs, nowMs)} … ${localTime(a.lastSeenMs, nowMs)}` : localTime(a.tsMs, nowMs)}
        </time>
        {a.escalatedMs !== null && a.acknowledgedMs === null && <b className="escalated-tag">ESCALATED</b>}
        {a.note && (
          // on the same line as the rest: a note given with an Ack must not make the row taller under the mouse
          <span className="note-mark" title={a.note} aria-label={`Note: ${a.note}`}>
            ✎ note
          </span>
        )}
        {a.suppressed && <span className="muted">suppressed</span>}
        {a.acknowledgedMs === null ? (
          mayAct && <button type="button" onClick={() => void acknowledge(a.id)} aria-label={`Acknowledge alert ${a.id}`} title="Acknowledge (I have seen it)">
            Ack
          </button>
        ) : (
          <span className="muted">
            ack {a.acknowledgedBy} {localTime(a.acknowledgedMs, nowMs)}
          </span>
        )}
        {a.resolvedMs === null ? (
          mayAct && <button type="button" onClick={() => void resolve(a.id)} aria-label={`Resolve alert ${a.id}`} title="Resolve (the condition is over)">
            Resolve
          </button>
        ) : (
          <span className="muted resolved" title={a.clearedMs !== null ? `The condition ended at ${localTime(a.clearedMs, nowMs)} (vehicle time)` : undefined}>
            {a.clearedMs !== null ? `cleared ${localTime(a.clearedMs, nowMs)} — ${a.resolvedBy?.replace(/^FleetDesk: /, '')}` : `resolved ${a.resolvedBy} ${localTime(a.resolvedMs, nowMs)}`}
          </span>
        )}
        {mayAct && a.severity !== 'critical' && (
          <button type="button" onClick={() => void suppress('snooze', a.vehicleId, a.type, 60)} aria-label={`Snooze ${a.type} of ${a.vehicleId} for 1 hour`} title="Snooze this vehicle's alerts of this type for 1 h">
            Snooze 1h
          </button>
        )}
        {mayAct && <button type="button" onClick={() => setMuting(true)} aria-label={`Mute ${a.type} of ${a.vehicleId}`} title="Mute a known ongoing issue (with a reason)">
          Mute…
        </button>}
        <button type="button" aria-expanded={notesOpen} onClick={() => setNotesOpen(!notesOpen)} aria-label={`Notes on alert ${a.id}`} title="The operator log of this alert: notes from every workstation">
          Notes
        </button>
      </div>
      {muting && <MuteForm alert={a} onDone={() => setMuting(false)} />}
      {notesOpen && <NotesBox subject="alert" subjectId={String(a.id)} label={`Notes on alert ${a.id}`} />}
    </li>
  );
}

function GroupRow({ g, nowMs, selection }: { g: AlertGroup; nowMs: number; selection: Selection }) {
  const actOn = useFleet((s) => s.actOnAlerts);
  const mayAct = useMay('acknowledgeAlert');
  const [open, setOpen] = useState(false);
  const ids = g.alerts.map((a) => a.id);
  const open_ = g.alerts.filter((a) => a.acknowledgedMs === null);
  const allSelected = ids.every((id) => selection.has(id));
  const first = Math.min(...g.alerts.map((a) => a.tsMs));
  const last = Math.max(...g.alerts.map((a) => a.lastSeenMs));
  const label = `${g.vehicles} vehicle${g.vehicles === 1 ? '' : 's'} — ${g.cause}`;
  return (
    <li className={`alert-group alert ${g.severity}${open_.length === 0 ? ' acked' : ''}`} data-group-key={g.key} data-group-size={g.alerts.length}>
      <div className="alert-main">
        {mayAct && <input type="checkbox" checked={allSelected} onChange={(e) => selection.toggle(ids, e.target.checked)} aria-label={`Select the ${g.alerts.length} alerts: ${label}`} />}
        <button type="button" className="group-toggle" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`${open ? 'Close' : 'Open'} group ${label}`}>
          {open ? '▾' : '▸'}
        </button>
        <span className={`sev ${g.severity}`}>{g.severity}</span>
        <span className="msg">{label}</span>
      </div>
      <div className="alert-meta">
        <time dateTime={new Date(last).toISOString()}>{first === last ? localTime(first, nowMs) : `${localTime(first, nowMs)} … ${localTime(last, nowMs)}`}</time>
        <span className="muted">{open_.length} open</span>
        {mayAct && open_.length > 0 && (
          <button type="button" onClick={() => void actOn('acknowledge', open_.map((a) => a.id))} aria-label={`Acknowledge all ${open_.length}: ${label}`} title="Acknowledge every open line of the group">
            Ack all
          </button>
        )}
        {mayAct && (
          <button type="button" onClick={() => void actOn('resolve', ids)} aria-label={`Resolve all ${ids.length}: ${label}`} title="Resolve every line of the group">
            Resolve all
          </button>
        )}
      </div>
      {open && (
        <ul className="group-members">
          {g.alerts.map((a) => (
            <AlertRow key={a.id} a={a} nowMs={nowMs} selection={selection} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Acts on the selected lines with one note. */
function SelectionBar({ ids, onDone }: { ids: number[]; onDone: () => void }) {
  const actOn = useFleet((s) => s.actOnAlerts);
  const [note, setNote] = useState('');
  const act = (action: 'acknowledge' | 'resolve') =>
    void actOn(action, ids, note).then((ok) => {
      if (!ok) return;
      setNote('');
      onDone();
    });
  return (
    <div className="selection-bar" role="group" aria-label="Selected alerts">
      <b>{ids.length} selected</b>
      <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="Note for all (optional)" aria-label="Note for the selected alerts" maxLength={500} onKeyDown={(e) => e.key === 'Enter' && act('acknowledge')} />
      <button type="button" onClick={() => act('acknowledge')}>
        Ack
      </button>
      <button type="button" onClick={() => act('resolve')}>
        Resolve
      </button>
      <button type="button" onClick={onDone}>
        Clear
      </button>
    </div>
  );
}

export function AlertsPanel() {
  const alerts = useFleet((s) => s.alerts);
  const f = useFleet((s) => s.alertFilter);
  const setFilter = useFleet((s) => s.setAlertFilter);
  const suppressions = useFleet((s) => s.suppressions);
  const endSuppression = useFleet((s) => s.endSuppression);
  const mayAct = useMay('endSuppression');
  const soundOn = useFleet((s) => s.soundOn);
  const setSoundOn = useFleet((s) => s.setSoundOn);
  const nowMs = useFleet((s) => s.status?.nowMs ?? Date.now());
  const releaseHeld = useFleet((s) => s.releaseHeldAlerts);
  const [vehicleText, setVehicleText] = useState(f.vehicle);
  const [grouped, setGrouped] = useState(() => localStorage.getItem(GROUPING_KEY) !== 'off');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const selection: Selection = {
    has: (id) => selected.has(id),
    toggle: (ids, on) =>
      setSelected((prev) => {
        const next = new Set(prev);
        for (const id of ids) if (on) next.add(id);
        else next.delete(id);
        return next;
      }),
  };
  // lines acted on leave when the pointer does (and when this panel goes). Watched on the document, not
  // with mouseleave: the Ack button under the pointer is replaced when the answer comes, and a pointer
  // that then moves off the list gets no leave event from an element that is gone.
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    const onMove = (e: MouseEvent) => {
      const list = listRef.current;
      if (list && !(e.target instanceof Node && list.contains(e.target))) releaseHeld();
    };
    document.addEventListener('mousemove', onMove);
    return () => {
      document.removeEventListener('mousemove', onMove);
      releaseHeld();
    };
  }, [releaseHeld]);
  const example = useExampleIds();
  // the list follows the vehicle filter as it is typed (a moment after the last key, not on Enter)
  useEffect(() => {
    if (vehicleText.trim() === f.vehicle.trim()) return;
    const t = setTimeout(() => setFilter({ vehicle: vehicleText }), FILTER_TYPING_MS);
    return () => clearTimeout(t);
  }, [vehicleText, f.vehicle, setFilter]);
  // headquarters: the depot chosen in the vehicle list
  const depot = useDepots((s) => s.depot);
  const list = useMemo(
    () =>
      Object.values(alerts)
        .filter((a) => depot === null || a.depotId === depot)
        .sort((a, b) => (f.sort === 'severity' ? RANK[a.severity] - RANK[b.severity] || b.lastSeenMs - a.lastSeenMs || b.id - a.id : b.lastSeenMs - a.lastSeenMs || b.id - a.id)),
    [alerts, f.sort, depot],
  );
  const items = useMemo(() => (grouped ? groupAlerts(list) : list.map((alert) => ({ kind: 'alert' as const, alert }))), [grouped, list]);
  // a selection holds only lines still listed
  const selectedIds = list.filter((a) => selected.has(a.id)).map((a) => a.id);
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
        <label className="muted toggle" title="Lines of one cause (fence, trouble code, kind of alert) as one group">
          <input
            type="checkbox"
            checked={grouped}
            onChange={(e) => {
              localStorage.setItem(GROUPING_KEY, e.target.checked ? 'on' : 'off');
              setGrouped(e.target.checked);
            }}
          />{' '}
          group by cause
        </label>
        <label className="muted toggle" title="Sound when a critical alert escalates unacknowledged">
          <input type="checkbox" checked={soundOn} onChange={(e) => setSoundOn(e.target.checked)} /> sound
        </label>
      </div>
      {list.length === 0 && <p className="muted empty">No alerts match.</p>}
      <ul className="alert-list" ref={listRef} onMouseLeave={releaseHeld}>
        {items.map((item) =>
          item.kind === 'group' ? <GroupRow key={`g:${item.group.key}`} g={item.group} nowMs={nowMs} selection={selection} /> : <AlertRow key={item.alert.id} a={item.alert} nowMs={nowMs} selection={selection} />,
        )}
      </ul>
      {/* below the list: appearing or going, it moves no row */}
      {selectedIds.length > 0 && <SelectionBar ids={selectedIds} onDone={() => setSelected(new Set())} />}
      {suppressions.length > 0 && (
        <div className="suppressions" aria-label="Snoozed and muted">
          <h3>Snoozed and muted</h3>
          <ul>
            {suppressions.map((s) => (
              <li key={s.id} data-suppression-id={s.id}>
                <b>{s.kind}</b> {s.vehicleId} · {s.type ? ALERT_TYPE_TEXT[s.type] : 'all alerts'} until {localTime(s.untilMs, nowMs)}
                {s.kind === 'mute' && <span className="muted"> — {s.reason}</span>}{' '}
                {mayAct && (
                  <button type="button" onClick={() => void endSuppression(s.id)}>
                    End
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

// "Since your last shift": what a dispatcher starting a shift must know — open critical alerts, what is
// unacknowledged, snoozed or muted, vehicles offline, fences changed, notes left — each line leading to
// what it is about; and a note for the next shift.
import { useEffect, useState, type FormEvent } from 'react';
import type { Handover as HandoverData, OperatorNote } from '../../../../shared/contract/handover';
import { ALERT_TYPE_TEXT } from '../../../../shared/contract/alerts';
import { can, useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';

export function Handover({ onClose }: { onClose: () => void }) {
  const [h, setH] = useState<HandoverData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const select = useFleet((s) => s.select);
  const mayWrite = useFleet((s) => can(s.access, 'dispatcher'));
  useEffect(() => {
    void api.call('getHandover', {}).then(setH, (err: Error) => setError(err.message));
    return api.on('noteAdded', (n: OperatorNote) => setH((x) => x && { ...x, notes: [n, ...x.notes] }));
  }, []);
  const add = (e: FormEvent) => {
    e.preventDefault();
    void api.call('addNote', { subject: 'shift', text }).then(() => setText(''), (err: Error) => setError(err.message));
  };
  const go = (vehicleId: string) => select(vehicleId, true);
  return (
    <aside className="handover" role="dialog" aria-label="Since your last shift">
      <header className="row">
        <h2>{h?.previousShiftEndedMs ? `Since your last shift (ended ${localTime(h.previousShiftEndedMs)})` : 'The last 8 hours'}</h2>
        <button type="button" onClick={onClose} aria-label="Close the handover">
          Close
        </button>
      </header>
      {error && <p className="error">{error}</p>}
      {h && (
        <div className="scroll">
          <h3>Critical, not acknowledged ({h.openCritical.length})</h3>
          <ul className="event-list" data-testid="handover-critical">
            {h.openCritical.map((a) => (
              <li key={a.id} onClick={() => go(a.vehicleId)}>
                <time>{localTime(a.lastSeenMs)}</time> {ALERT_TYPE_TEXT[a.type]} — {a.message}
              </li>
            ))}
          </ul>
          <p>{h.unacknowledged} alerts unacknowledged in all.</p>
          <h3>Snoozed and muted ({h.suppressions.length})</h3>
          <ul className="event-list">
            {h.suppressions.map((s) => (
              <li key={s.id} onClick={() => go(s.vehicleId)}>
                {s.kind} {s.vehicleId} · {s.type ? ALERT_TYPE_TEXT[s.type] : 'all alerts'} until {localTime(s.untilMs)} <span className="muted">{s.reason} ({s.createdBy})</span>
              </li>
            ))}
          </ul>
          <h3>Offline ({h.offline.length})</h3>
          <ul className="event-list" data-testid="handover-offline">
            {h.offline.map((v) => (
              <li key={v.vehicleId} onClick={() => go(v.vehicleId)}>
                {v.vehicleId} <span className="muted">last seen {localTime(v.lastSeenMs)}</span>
              </li>
            ))}
          </ul>
          <h3>Fences changed ({h.fencesChanged.length})</h3>
          <ul className="event-list">
            {h.fencesChanged.map((f, i) => (
              <li key={i}>
                <time>{localTime(f.atMs)}</time> {f.name} {f.what} by {f.by}
              </li>
            ))}
          </ul>
          <h3>Notes ({h.notes.length})</h3>
          <ul className="event-list" data-testid="handover-notes">
            {h.notes.map((n) => (
              <li key={n.id} onClick={() => n.subject === 'vehicle' && n.subjectId && go(n.subjectId)}>
                <time>{localTime(n.tsMs)}</time> <b>{n.author}</b> {n.subject === 'shift' ? '' : `on ${n.subject} ${n.subjectId} `}— {n.text}
              </li>
            ))}
          </ul>
          {mayWrite && (
            <form onSubmit={add} aria-label="Note for the next shift" className="row">
              <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Note for the next shift" aria-label="Note text" maxLength={2000} required />
              <button type="submit">Add note</button>
            </form>
          )}
        </div>
      )}
    </aside>
  );
}

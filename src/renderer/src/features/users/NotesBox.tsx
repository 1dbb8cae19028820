// The operator log of one thing — an alert or a vehicle: who wrote what, when, newest first, arriving live
// from every workstation; and (for a dispatcher) a line to add one. Notes are found from what they are about.
import { useEffect, useState, type FormEvent } from 'react';
import type { OperatorNote } from '../../../../shared/contract/handover';
import { useMay } from '../../app/store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';

export function NotesBox({ subject, subjectId, label }: { subject: 'alert' | 'vehicle'; subjectId: string; label: string }) {
  const [notes, setNotes] = useState<OperatorNote[] | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mayWrite = useMay('addNote');
  useEffect(() => {
    setNotes(null);
    setError(null);
    let alive = true;
    const off = api.on('noteAdded', (n) => {
      if (n.subject === subject && n.subjectId === subjectId) setNotes((xs) => (xs && !xs.some((x) => x.id === n.id) ? [n, ...xs] : xs));
    });
    api.call('listNotes', { subject, subjectId, limit: 50 }).then(
      (xs) => alive && setNotes(xs),
      (err: Error) => alive && setError(err.message),
    );
    return () => {
      alive = false;
      off();
    };
  }, [subject, subjectId]);
  const add = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    void api.call('addNote', { subject, subjectId, text }).then(
      (n) => {
        setText('');
        // the event brings it too; whichever comes first shows it once
        setNotes((xs) => (xs && !xs.some((x) => x.id === n.id) ? [n, ...xs] : xs));
      },
      (err: Error) => setError(err.message),
    );
  };
  return (
    <div className="notes-box" role="group" aria-label={label}>
      <ul className="event-list" aria-label={`${label}: entries`}>
        {notes === null && !error && <li className="muted">Loading notes…</li>}
        {notes?.length === 0 && <li className="muted">No notes yet.</li>}
        {notes?.map((n) => (
          <li key={n.id}>
            <time>{localTime(n.tsMs)}</time> <b>{n.author}</b> — {n.text}
          </li>
        ))}
      </ul>
      {mayWrite && (
        <form className="row" onSubmit={add} aria-label={`Add to ${label.toLowerCase()}`}>
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Add a note for everyone on shift" aria-label="Note" maxLength={2000} required />
          <button type="submit">Add</button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

// The conversation with a vehicle's driver (in its detail): texts both ways, live, each of ours with where it
// is (sent, delivered, read); one-click canned texts; what the driver sent is marked read once shown here.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { CANNED_MESSAGES, type DriverMessage } from '../../../../shared/contract/jobs';
import { useFleet, useMay } from '../../app/store';
import { api } from '../../lib/api';
import { useDepots } from '../federation/depot-store';

const STATE_TEXT: Record<DriverMessage['state'], string> = { queued: 'queued (offline)', sent: 'sent', delivered: 'delivered', read: 'read', cannot_send: 'cannot be sent to this device — call the driver', received: 'new', };

export function MessagesBox({ vehicleId }: { vehicleId: string }) {
  const [messages, setMessages] = useState<DriverMessage[] | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  // headquarters: a depot's vehicle is written to from its depot; here the conversation shows as the depot sends it
  const depot = useDepots((s) => s.depots.find((d) => d.vehicles.includes(vehicleId))?.id ?? null);
  const mayWrite = useMay('sendMessage') && depot === null;
  const unread = useFleet((s) => s.unreadMessages.byVehicle[vehicleId] ?? 0);
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    setMessages(null);
    setError(null);
    let alive = true;
    const off = api.on('messageUpdated', (m) => {
      if (m.vehicleId === vehicleId) setMessages((xs) => (xs ? [...xs.filter((x) => x.id !== m.id), m].sort((a, b) => a.id - b.id) : xs));
    });
    api.call('listMessages', { vehicleId, limit: 100 }).then(
      (xs) => alive && setMessages(xs),
      (err: Error) => alive && setError(err.message),
    );
    return () => {
      alive = false;
      off();
    };
  }, [vehicleId]);
  // shown here is read: the driver's new texts are marked read (a viewer's screen marks nothing)
  useEffect(() => {
    if (unread > 0 && mayWrite) void api.call('markMessagesRead', { vehicleId }).catch(() => undefined);
  }, [unread, vehicleId, mayWrite]);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages]);
  const send = (body: string) => {
    setError(null);
    void api.call('sendMessage', { vehicleId, text: body }).then(
      (m) => {
        setText('');
        setMessages((xs) => (xs && !xs.some((x) => x.id === m.id) ? [...xs, m] : xs));
      },
      (err: Error) => setError(err.message),
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) send(text);
  };
  return (
    <div className="messages-box" role="group" aria-label={`Messages with ${vehicleId}`}>
      <ol ref={listRef} className="messages" aria-label="Conversation">
        {messages?.length === 0 && <li className="muted">No messages yet.</li>}
        {messages?.map((m) => (
          <li key={m.id} className={`msg ${m.direction}`} data-state={m.state}>
            <span className="text">{m.text}</span>
            <span className="muted meta">
              {new Date(m.tsMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · {m.direction === 'down' ? `${m.by} · ${STATE_TEXT[m.state]}` : 'driver'}
            </span>
          </li>
        ))}
      </ol>
      {depot !== null && <p className="muted">Written to from depot {depot}: headquarters reads the conversation as the depot sends it.</p>}
      {mayWrite && (
        <>
          <form className="row" onSubmit={submit} aria-label={`Message to ${vehicleId}`}>
            <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Message to the driver" aria-label="Message text" maxLength={1000} />
            <button type="submit">Send</button>
          </form>
          <div className="canned" aria-label="Canned messages">
            {CANNED_MESSAGES.map((c) => (
              <button key={c} type="button" onClick={() => send(c)} title="Send this now">
                {c}
              </button>
            ))}
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

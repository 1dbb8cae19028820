// The desktop app's first screen: FleetDesk on this computer (its own broker, database and map; works with
// no network), or a control room's hub by its address — with the hub's certificate fingerprint to compare on
// the first connection, a changed certificate refused in plain words, and the choice kept for next time.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { HubCheck, StartBridge, StartState } from '../../../shared/start';

type Phase = { kind: 'idle' } | { kind: 'checking' } | { kind: 'checked'; check: HubCheck } | { kind: 'opening' } | { kind: 'failed'; message: string };

export function StartScreen({ bridge }: { bridge: StartBridge | undefined }) {
  const [state, setState] = useState<StartState | null>(null);
  const [address, setAddress] = useState('');
  const [remember, setRemember] = useState(true);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const localButton = useRef<HTMLButtonElement>(null);
  const addressInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!bridge) return;
    void bridge.state().then((s) => {
      setState(s);
      const lastHub = s.last?.mode === 'hub' ? s.last.url : s.recentHubs[0]?.url;
      if (lastHub) setAddress(lastHub.replace(/^https:\/\//, '').replace(/\/$/, ''));
      // the last choice is the one offered first: Enter starts it
      if (s.last?.mode === 'hub') addressInput.current?.focus();
      else localButton.current?.focus();
    });
  }, [bridge]);

  if (!bridge)
    return (
      <main className="start-screen">
        <h1>FleetDesk</h1>
        <p>This screen belongs to the FleetDesk desktop app.</p>
      </main>
    );

  const busy = phase.kind === 'checking' || phase.kind === 'opening';

  const open = async (choice: Parameters<StartBridge['open']>[0]) => {
    setPhase({ kind: 'opening' });
    const r = await bridge.open(choice, remember).catch((err: Error) => ({ ok: false as const, message: err.message }));
    // on success the desktop app replaces this screen; a failure says why and lets the person try again
    if (!r.ok) setPhase({ kind: 'failed', message: r.message });
  };

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    setPhase({ kind: 'checking' });
    const check = await bridge.check(address).catch((err: Error): HubCheck => ({ url: null, status: 'unreachable', fingerprint: null, message: err.message }));
    if (check.status === 'known') return open({ mode: 'hub', url: check.url! });
    setPhase({ kind: 'checked', check });
  };

  const check = phase.kind === 'checked' ? phase.check : null;
  return (
    <main className="start-screen" onKeyDown={(e) => e.key === 'Escape' && check && setPhase({ kind: 'idle' })}>
      <h1>FleetDesk</h1>
      <p className="muted">How should this computer start?</p>
      <div className="start-choices">
        <section className="start-choice" aria-label="This computer">
          <h2>This computer</h2>
          <p className="muted">FleetDesk runs here: its own broker, database and map. Works with no network; you are signed in as this computer’s operator.</p>
          <button ref={localButton} type="button" disabled={busy} onClick={() => void open({ mode: 'local' })}>
            Start on this computer
          </button>
        </section>
        <section className="start-choice" aria-label="Connect to a FleetDesk hub">
          <h2>Connect to a FleetDesk hub</h2>
          <p className="muted">A control room’s shared FleetDesk: one fleet, one alert queue. You sign in on the hub.</p>
          <form className="row" onSubmit={(e) => void connect(e)} aria-label="Hub to connect to">
            <input
              ref={addressInput}
              value={address}
              onChange={(e) => {
                setAddress(e.target.value);
                if (phase.kind !== 'idle') setPhase({ kind: 'idle' });
              }}
              placeholder="hub.depot or 10.0.0.5:4780"
              aria-label="Hub address"
              list="recent-hubs"
              spellCheck={false}
              autoCapitalize="off"
              required
            />
            <datalist id="recent-hubs">
              {state?.recentHubs.map((h) => (
                <option key={h.url} value={h.url.replace(/^https:\/\//, '').replace(/\/$/, '')} />
              ))}
            </datalist>
            <button type="submit" disabled={busy}>
              {phase.kind === 'checking' ? 'Checking…' : 'Connect'}
            </button>
          </form>
          {check?.status === 'new' && (
            <div className="trust-prompt" role="alertdialog" aria-label="Trust this hub?">
              <p>
                First connection to <b>{check.url}</b>. Its certificate’s SHA-256 fingerprint is:
              </p>
              <code className="fingerprint" data-testid="fingerprint">
                {check.fingerprint}
              </code>
              <p className="muted">Compare it with the one the hub printed when it started (ask its admin). Trust it only if they are the same.</p>
              <div className="row">
                <button type="button" onClick={() => void open({ mode: 'hub', url: check.url!, trust: check.fingerprint! })}>
                  Trust and connect
                </button>
                <button type="button" onClick={() => setPhase({ kind: 'idle' })}>
                  Cancel
                </button>
              </div>
            </div>
          )}
          {check && check.status !== 'new' && check.status !== 'known' && (
            <p className={`error${check.status === 'changed' ? ' danger' : ''}`} role="alert" style={{ whiteSpace: 'pre-wrap' }}>
              {check.message}
            </p>
          )}
        </section>
      </div>
      <label className="start-remember">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Start this way next time (the app menu brings this screen back)
      </label>
      {phase.kind === 'opening' && <p role="status">Starting…</p>}
      {phase.kind === 'failed' && (
        <p className="error" role="alert" style={{ whiteSpace: 'pre-wrap' }}>
          {phase.message}
        </p>
      )}
    </main>
  );
}
